import { randomBytes } from "node:crypto";
import type { PreparedPayment } from "../payments/prepare-payment.js";
import { fetchJson } from "./targets.js";

/** What `payment.prepare` answers (the fields a checkout needs). */
export type Prepared = Omit<PreparedPayment, "customer">;

export interface TriggerContext {
  readonly service: string;
  readonly sandbox: string;
  /** The sandbox's API secret, asked for only by the scenarios that call its API. */
  apiSecret(): string;
  readonly progress: (line: string) => void;
  /** How many webhooks the sandbox had sent before the scenario began. */
  readonly deliveriesBefore: number;
}

/** A demo order nobody else uses: the demo catalog prices `<product>-<any id>`. */
export function demoOrderId(product = "coffee"): string {
  return `${product}-trigger-${randomBytes(6).toString("hex")}`;
}

async function trpc(
  ctx: TriggerContext,
  procedure: string,
  input: unknown,
  query = false,
): Promise<unknown> {
  const url = `${ctx.service}/trpc/${procedure}`;
  const { status, body } = query
    ? await fetchJson(`${url}?input=${encodeURIComponent(JSON.stringify(input))}`)
    : await fetchJson(url, { body: input });
  const answer = body as { result?: { data?: unknown }; error?: { message?: string } };
  if (status !== 200 || answer.result === undefined)
    throw new Error(
      `${procedure} answered HTTP ${status}: ${answer.error?.message ?? JSON.stringify(body).slice(0, 300)}`,
    );
  return answer.result.data;
}

export async function prepare(ctx: TriggerContext, orderId = demoOrderId()): Promise<Prepared> {
  const prepared = (await trpc(ctx, "payment.prepare", { orderId })) as Prepared;
  ctx.progress(
    `prepared ${prepared.paymentId} for order ${orderId}: ${prepared.totalAmount} ${prepared.currency}`,
  );
  return prepared;
}

/** Pays in the sandbox as the browser SDK would; the sandbox then sends its webhooks. */
export async function checkout(
  ctx: TriggerContext,
  prepared: Prepared,
  extra: Record<string, unknown>,
): Promise<void> {
  const { status, body } = await fetchJson(`${ctx.sandbox}/sandbox/checkout`, {
    body: {
      storeId: prepared.storeId,
      channelKey: prepared.channelKey,
      paymentId: prepared.paymentId,
      orderName: prepared.orderName,
      totalAmount: prepared.totalAmount,
      currency: prepared.currency,
      payMethod: "CARD",
      outcome: "paid",
      ...extra,
    },
  });
  if (status !== 200)
    throw new Error(
      `the sandbox refused the checkout: HTTP ${status} ${JSON.stringify(body).slice(0, 300)}`,
    );
  ctx.progress(
    `checkout in the sandbox: ${String(extra.outcome ?? "paid")}${extra.paidAmount ? ` (paid ${String(extra.paidAmount)})` : ""}`,
  );
}

export async function sandboxPost(
  ctx: TriggerContext,
  path: string,
  body: unknown,
  withSecret = false,
): Promise<unknown> {
  const headers: Record<string, string> = withSecret
    ? { authorization: `PortOne ${ctx.apiSecret()}` }
    : {};
  const answer = await fetchJson(`${ctx.sandbox}${path}`, { body, headers });
  if (answer.status !== 200)
    throw new Error(
      `the sandbox answered ${path} with HTTP ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`,
    );
  return answer.body;
}

/**
 * Waits until the service's record of the payment says `status`: the service got the webhook,
 * verified it and synced the payment. A bounded wait: the scenario fails with what it saw.
 */
export async function untilStatus(
  ctx: TriggerContext,
  prepared: Prepared,
  status: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = "";
  while (Date.now() < deadline) {
    const view = (await trpc(
      ctx,
      "payment.get",
      {
        paymentId: prepared.paymentId,
        ...(prepared.guestToken ? { guestToken: prepared.guestToken } : {}),
      },
      true,
    )) as { status: string };
    seen = view.status;
    if (seen === status) {
      ctx.progress(`the service's record of ${prepared.paymentId} is ${status}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `${prepared.paymentId} did not reach ${status} within ${timeoutMs / 1000} s (last seen: ${seen})`,
  );
}

interface DeliveryLog {
  readonly deliveries: { eventType: string; status: string; responseCode?: number; url: string }[];
}

/** How many webhook deliveries the sandbox has made so far; a scenario reports the ones after. */
export async function deliveryCount(ctx: Pick<TriggerContext, "sandbox">): Promise<number> {
  const { body } = await fetchJson(`${ctx.sandbox}/sandbox/webhooks`);
  return (body as DeliveryLog).deliveries.length;
}

/** The webhooks the sandbox sent since `from`, once all of them are through. */
export async function deliveriesSince(
  ctx: TriggerContext,
  from: number,
): Promise<DeliveryLog["deliveries"]> {
  await fetchJson(`${ctx.sandbox}/sandbox/webhooks/flush`, { body: {} }, 30_000);
  const { body } = await fetchJson(`${ctx.sandbox}/sandbox/webhooks`);
  return (body as DeliveryLog).deliveries.slice(from);
}

/**
 * For events that change no payment record: waits until the sandbox's webhook of `eventType`
 * (sent during this scenario) was answered 2xx by the service, i.e. verified and stored.
 */
export async function acceptedByService(ctx: TriggerContext, eventType: string): Promise<void> {
  const sent = (await deliveriesSince(ctx, ctx.deliveriesBefore)).filter(
    (delivery) => delivery.eventType === eventType,
  );
  if (!sent.some((delivery) => delivery.status === "SUCCEEDED"))
    throw new Error(
      sent.length === 0
        ? `the sandbox sent no ${eventType} webhook: are its webhooks pointed at the service?`
        : `the service did not accept the ${eventType} webhook (${sent.map((d) => `${d.status}${d.responseCode ? ` ${d.responseCode}` : ""}`).join(", ")}): is PORTONE_SANDBOX_WEBHOOK_SECRET the sandbox's?`,
    );
  ctx.progress(`the service accepted the ${eventType} webhook`);
}
