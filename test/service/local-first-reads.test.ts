import { createTRPCClient, httpLink } from "@trpc/client";
import { describe, expect, it } from "vitest";
import type { AppRouter } from "../../src/router/index.js";
import { PortOneClient } from "../../src/sdk/index.js";
import { webhooksModule } from "../../src/webhooks/module.js";
import {
  QUICK_WEBHOOKS_ENV,
  type ServiceStack,
  useServiceStack,
} from "../support/service-stack.js";
import { waitFor } from "../support/wait-for.js";
import { DATABASE_KINDS } from "../webhooks/support/test-databases.js";
import { signToken } from "./support/harness.js";

/** Long enough that no open payment is synced twice by the passing of time within a test. */
const SYNC_INTERVAL_MS = 60_000;

/** `portone_calls_by_procedure_total{procedure}` as /metrics shows it now. */
async function portoneCalls(stack: ServiceStack, procedure: string): Promise<number> {
  const text = await (await fetch(`${stack.running.internalUrl}/metrics`)).text();
  const escaped = procedure.replace(".", "\\.");
  const match = text.match(
    new RegExp(`^portone_calls_by_procedure_total\\{procedure="${escaped}"\\} (\\d+)$`, "m"),
  );
  if (!match) throw new Error(`no portone_calls_by_procedure_total for ${procedure}`);
  return Number(match[1]);
}

/** Every getPayment the service sent, whoever asked (the sandbox's answers, all outcomes). */
async function getPaymentCalls(stack: ServiceStack): Promise<number> {
  const text = await (await fetch(`${stack.running.internalUrl}/metrics`)).text();
  let total = 0;
  for (const match of text.matchAll(
    /^portone_requests_total\{operation="getPayment",outcome="[a-z_]+"\} (\d+)$/gm,
  ))
    total += Number(match[1]);
  return total;
}

describe.each(DATABASE_KINDS)("local-first payment reads on $kind", ({ kind, skip }) => {
  const stack = useServiceStack(async () =>
    skip
      ? undefined
      : {
          database: kind,
          deps: { modules: [webhooksModule()] },
          env: { ...QUICK_WEBHOOKS_ENV, PAYMENT_SYNC_INTERVAL_MS: String(SYNC_INTERVAL_MS) },
        },
  );

  async function paidAndCompleted(customerId: string) {
    const customer = await stack.client(customerId);
    const { prepared } = await stack.payNewOrder(customer, customerId);
    const completed = await customer.payment.complete.mutate({ paymentId: prepared.paymentId });
    expect(completed.status).toBe("PAID");
    return { customer, paymentId: prepared.paymentId, completed };
  }

  async function openPayment(
    customerId: string,
    outcome: "pay-pending" | "virtual-account-issued",
  ) {
    const customer = await stack.client(customerId);
    const order = stack.placeOrder(customerId);
    const prepared = await customer.payment.prepare.mutate({ orderId: order.orderId });
    await stack.checkout(prepared, {
      ...prepared,
      outcome,
      ...(outcome === "virtual-account-issued" ? { payMethod: "VIRTUAL_ACCOUNT" } : {}),
    });
    return { customer, paymentId: prepared.paymentId };
  }

  it.skipIf(skip)(
    "a settled payment's get makes no PortOne call and says when it was synced",
    async () => {
      const { customer, paymentId, completed } = await paidAndCompleted("settled-get");
      expect(completed.syncedAt).not.toBeNull();
      const before = await getPaymentCalls(stack);
      const beforeGet = await portoneCalls(stack, "payment.get");
      for (let index = 0; index < 5; index++) {
        const view = await customer.payment.get.query({ paymentId });
        expect(view).toEqual(completed);
      }
      expect(await portoneCalls(stack, "payment.get")).toBe(beforeGet);
      expect(await getPaymentCalls(stack)).toBe(before);
      const record = await stack.running.service.records.getPaymentRecord(paymentId);
      expect(record?.syncedAt).toBe(completed.syncedAt);
    },
  );

  it.skipIf(skip)("complete of a settled payment answers from the record", async () => {
    const { customer, paymentId, completed } = await paidAndCompleted("settled-complete");
    const before = await getPaymentCalls(stack);
    const again = await customer.payment.complete.mutate({ paymentId });
    expect(again).toEqual(completed);
    expect(await getPaymentCalls(stack)).toBe(before);
  });

  it.skipIf(skip)(
    "guards still come first: a stranger's get of a settled payment is NOT_FOUND",
    async () => {
      const { paymentId } = await paidAndCompleted("settled-owner");
      const stranger = await stack.client("settled-stranger");
      await expect(stranger.payment.get.query({ paymentId })).rejects.toMatchObject({
        data: { code: "NOT_FOUND" },
      });
    },
  );

  it.skipIf(skip)(
    "an open payment is synced once per interval, however often it is read",
    async () => {
      const { customer, paymentId } = await openPayment("open-reads", "virtual-account-issued");
      const before = await portoneCalls(stack, "payment.get");
      const first = await customer.payment.get.query({ paymentId });
      expect(first.status).toBe("VIRTUAL_ACCOUNT_ISSUED");
      expect(first.virtualAccount?.accountNumber).toBeTruthy();
      expect(first.syncedAt).not.toBeNull();
      for (let index = 0; index < 10; index++) {
        expect(await customer.payment.get.query({ paymentId })).toEqual(first);
      }
      expect(await portoneCalls(stack, "payment.get")).toBe(before + 1);
      // complete right after a checkout must see PortOne now, not the interval's answer.
      const beforeComplete = await portoneCalls(stack, "payment.complete");
      await customer.payment.complete.mutate({ paymentId });
      expect(await portoneCalls(stack, "payment.complete")).toBe(beforeComplete + 1);
    },
  );

  it.skipIf(skip)(
    "100 concurrent gets of one pending payment make exactly one PortOne call",
    async () => {
      const { paymentId } = await openPayment("concurrent-reads", "pay-pending");
      // One HTTP request per call (no batching): 100 requests in flight at once.
      const token = await signToken("concurrent-reads");
      const unbatched = createTRPCClient<AppRouter>({
        links: [
          httpLink({
            url: `${stack.running.url}/trpc`,
            headers: { authorization: `Bearer ${token}` },
          }),
        ],
      });
      const before = await getPaymentCalls(stack);
      const views = await Promise.all(
        Array.from({ length: 100 }, () => unbatched.payment.get.query({ paymentId })),
      );
      expect(new Set(views.map((view) => view.status))).toEqual(new Set(["PAY_PENDING"]));
      expect(await getPaymentCalls(stack)).toBe(before + 1);
    },
  );

  it.skipIf(skip)(
    "a webhook updates the record, and the next get sees the new status",
    async () => {
      const { customer, paymentId } = await paidAndCompleted("webhook-cancel");
      const { sandbox } = stack.sandbox;
      // Only now: the tests above count every getPayment, a webhook's sync included.
      sandbox.setWebhookEndpoints([{ url: `${stack.running.url}/webhooks/portone` }]);
      await PortOneClient({
        secret: sandbox.apiSecret,
        baseUrl: stack.sandbox.url,
      }).payment.cancelPayment({ paymentId, reason: "customer changed their mind" });
      const record = await waitFor(
        async () => {
          const value = await stack.running.service.records.getPaymentRecord(paymentId);
          return value?.status === "CANCELLED" && value;
        },
        { intervalMs: 50, description: "the cancellation webhook to reach the record" },
      );
      const beforeGet = await portoneCalls(stack, "payment.get");
      const view = await customer.payment.get.query({ paymentId });
      expect(view).toMatchObject({ status: "CANCELLED", syncedAt: record?.syncedAt });
      expect(view.cancelledAt).not.toBeNull();
      expect(await portoneCalls(stack, "payment.get")).toBe(beforeGet);
      expect(await portoneCalls(stack, "background")).toBeGreaterThan(0);
    },
  );
});
