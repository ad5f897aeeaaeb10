import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/ops/logger.js";
import type { AppRouter } from "../../src/router/index.js";
import { webhooksModule } from "../../src/webhooks/module.js";
import { useServiceStack } from "../support/service-stack.js";
import {
  configFromEnv,
  JWT_SECRET,
  type RunningService,
  SHOP_TOKEN,
  setFaults,
  signToken,
  startService,
  trpcErrorOf,
} from "./support/harness.js";

const ADMIN_TOKEN = "admin-token-that-must-never-leak-0123";
const WRONG_API_SECRET = "wrong-api-secret-that-must-not-leak-either";

let wrongSecret: RunningService;
/** Every response body and header the tests received from the service. */
const responses: string[] = [];

const recordingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const body = await response.text();
  responses.push(JSON.stringify([...response.headers.entries()]), body);
  return new Response(body, { status: response.status, headers: response.headers });
};

function client(url: string, token: string | undefined) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${url}/trpc`,
        fetch: recordingFetch,
        headers: () => (token ? { authorization: `Bearer ${token}`, cookie: "session=abc" } : {}),
      }),
    ],
  });
}

const stack = useServiceStack({
  env: { LOG_LEVEL: "trace", ADMIN_TOKEN },
  // With the webhooks module, so its route and logs are covered too.
  deps: { modules: [webhooksModule()] },
});

beforeAll(async () => {
  wrongSecret = await startService(
    configFromEnv({ ...stack.env, PORTONE_API_SECRET: WRONG_API_SECRET }),
    { modules: [webhooksModule()] },
  );
});

afterAll(async () => {
  await wrongSecret?.service.close();
});

describe("secrets never reach a response or a log line", () => {
  it("across successful flows, errors, faults and ops endpoints", async () => {
    const token = await signToken("alice");
    const alice = client(stack.running.url, token);
    const order = stack.placeOrder("alice");
    const prepared = await alice.payment.prepare.mutate({ orderId: order.orderId });
    const result = await stack.checkout(prepared, { ...prepared, outcome: "awaiting-confirm" });
    await trpcErrorOf(
      alice.payment.confirm.mutate({
        paymentId: prepared.paymentId,
        paymentToken: "wrong-token",
        txId: result.txId,
      }),
    );
    await alice.payment.confirm.mutate({
      paymentId: prepared.paymentId,
      paymentToken: result.paymentToken as string,
      txId: result.txId,
    });
    await alice.payment.get.query({ paymentId: prepared.paymentId });
    await trpcErrorOf(client(stack.running.url, undefined).payment.get.query({ paymentId: "x" }));
    await trpcErrorOf(
      client(stack.running.url, "forged.token.value").payment.get.query({ paymentId: "x" }),
    );
    await trpcErrorOf(alice.payment.get.query({ paymentId: "someone-elses" }));

    // A payment not yet synced: its get asks PortOne (a paid one is answered from its record).
    const open = await alice.payment.prepare.mutate({ orderId: stack.placeOrder("alice").orderId });
    await setFaults(stack.sandbox, [{ kind: "html-502", route: "getPayment" }]);
    await trpcErrorOf(alice.payment.get.query({ paymentId: open.paymentId }));
    await setFaults(stack.sandbox, [
      { kind: "error", status: 401, type: "UNAUTHORIZED", route: "getPayment" },
    ]);
    await trpcErrorOf(alice.payment.get.query({ paymentId: open.paymentId }));
    await setFaults(stack.sandbox, []);

    // PortOne refusing the service's (wrong) secret.
    const other = stack.placeOrder("alice");
    const refused = await trpcErrorOf(
      client(wrongSecret.url, token).payment.prepare.mutate({ orderId: other.orderId }),
    );
    expect(refused.code).toBe("BAD_GATEWAY");

    for (const base of [stack.running.url, wrongSecret.url]) {
      for (const path of ["/healthz", "/readyz", "/metrics", "/no-such-route"]) {
        const response = await recordingFetch(`${base}${path}`);
        expect(response.status).toBeGreaterThan(0);
      }
      // An unsigned webhook is refused without explaining the secret.
      const webhook = await recordingFetch(`${base}/webhooks/portone`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "Transaction.Paid", data: { paymentId: prepared.paymentId } }),
      });
      expect(webhook.status).toBe(400);
    }

    const secrets = {
      apiSecret: stack.sandbox.sandbox.apiSecret,
      wrongApiSecret: WRONG_API_SECRET,
      webhookSecret: stack.sandbox.sandbox.webhookSecret,
      webhookSecretKey: stack.sandbox.sandbox.webhookSecret.replace(/^whsec_/, ""),
      jwtSecret: JWT_SECRET,
      shopToken: SHOP_TOKEN,
      adminToken: ADMIN_TOKEN,
      callerToken: token,
      paymentToken: result.paymentToken as string,
      cookie: "session=abc",
    };
    const logText = stack.running.logs.text() + wrongSecret.logs.text();
    expect(stack.running.logs.lines.length).toBeGreaterThan(10);
    const responseText = responses.join("\n");
    expect(responses.length).toBeGreaterThan(20);
    for (const [name, secret] of Object.entries(secrets)) {
      expect({ name, inLogs: logText.includes(secret) }).toEqual({ name, inLogs: false });
      expect({ name, inResponses: responseText.includes(secret) }).toEqual({
        name,
        inResponses: false,
      });
    }
    // Every log line is JSON with a request id when it belongs to a request.
    const requestLines = stack.running.logs.lines
      .map((line) => JSON.parse(line) as { requestId?: string; req?: unknown })
      .filter((line) => line.req !== undefined);
    expect(requestLines.length).toBeGreaterThan(0);
    expect(requestLines.every((line) => typeof line.requestId === "string")).toBe(true);
  });

  it("the logger redacts credentials wherever the service might log them", () => {
    const lines: string[] = [];
    const logger = createLogger("info", { write: (line: string) => lines.push(line) });
    logger.info(
      {
        req: { headers: { authorization: "Bearer caller-jwt", cookie: "sid=1" } },
        headers: { authorization: "PortOne api-secret-1" },
        config: { apiSecret: "api-secret-2", webhookSecrets: ["whsec_1"], adminToken: "adm" },
        confirm: { paymentToken: "payment-token-1" },
        subscriber: { url: "https://ok.example", secret: "whsec_2" },
        token: "bare-token",
      },
      "something happened",
    );
    const text = lines.join("");
    for (const secret of [
      "caller-jwt",
      "sid=1",
      "api-secret-1",
      "api-secret-2",
      "whsec_1",
      "whsec_2",
      "payment-token-1",
      "bare-token",
      '"adm"',
    ])
      expect({ secret, logged: text.includes(secret) }).toEqual({ secret, logged: false });
    expect(text).toContain("https://ok.example");
    expect(text).toContain("[redacted]");
  });
});
