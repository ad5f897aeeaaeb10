import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sign } from "../../src/sdk/webhook/index.js";
import { type Database, openDatabase, withPostgresClient } from "../../src/store/database.js";
import { webhooksModule } from "../../src/webhooks/module.js";
import { signToken } from "../service/support/harness.js";
import { type ServiceStack, startServiceStack } from "../support/service-stack.js";
import { TcpProxy } from "../support/tcp-proxy.js";
import { waitFor } from "../support/wait-for.js";
import { TEST_DATABASE_URL, temporaryPostgresSchema } from "../webhooks/support/test-databases.js";

/** The database timeouts this suite configures (connect, and one statement). */
const CONNECT_TIMEOUT_MS = 800;
const QUERY_TIMEOUT_MS = 800;
/**
 * The bound within which the service must answer while the database is unreachable: a pool
 * wait or connect, then one statement, with room for a loaded CI machine. A request that is
 * still hanging at this point is aborted and fails the test.
 */
const ANSWER_BOUND_MS = 3 * (CONNECT_TIMEOUT_MS + QUERY_TIMEOUT_MS + 500);

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly text: string;
}

/**
 * The service on a real PostgreSQL reached through a proxy the test controls. The network is
 * cut twice, once silently (bytes stop, connections stay open: no timeout would mean every
 * request hangs) and once cleanly (connections closed). Both times tRPC, webhooks and /readyz
 * must answer 503 within the bound, the service must recover by itself, and every webhook it
 * acknowledged must be stored exactly once.
 */
describe.skipIf(!TEST_DATABASE_URL)("database partition (PostgreSQL through a TCP proxy)", () => {
  let stack: ServiceStack;
  let proxy: TcpProxy;
  let schema: { url: string; cleanup(): Promise<void> };
  let token: string;
  let proxiedUrl: string;
  const acknowledged = new Set<string>();

  beforeAll(async () => {
    schema = await temporaryPostgresSchema(TEST_DATABASE_URL as string);
    const direct = new URL(schema.url);
    proxy = await TcpProxy.listen({ host: direct.hostname, port: Number(direct.port || 5432) });
    const proxied = new URL(schema.url);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(proxy.port);
    proxiedUrl = proxied.toString();
    stack = await startServiceStack({
      env: {
        DATABASE_URL: proxiedUrl,
        DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
        DATABASE_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
        LOG_LEVEL: "silent",
        WEBHOOK_POLL_INTERVAL_MS: "50",
        RECONCILE_INTERVAL_MS: "0",
      },
      deps: { modules: [webhooksModule()] },
    });
    token = await signToken("partition-alice");
  });

  afterAll(async () => {
    proxy?.heal();
    proxy?.start();
    await stack?.close();
    await proxy?.close();
    await schema?.cleanup();
  });

  async function call(path: string, init: RequestInit = {}): Promise<Answer> {
    const response = await fetch(`${stack.running.url}${path}`, {
      ...init,
      signal: AbortSignal.timeout(ANSWER_BOUND_MS),
    });
    return {
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      text: await response.text(),
    };
  }

  /** A payment the service does not know: 404 while healthy, so any 503 is the database's. */
  function getPayment(): Promise<Answer> {
    const input = encodeURIComponent(JSON.stringify({ paymentId: `pay-${randomUUID()}` }));
    return call(`/trpc/payment.get?input=${input}`, {
      headers: { authorization: `Bearer ${token}` },
    });
  }

  /** Posts a genuinely signed webhook; records its id when the service acknowledges it. */
  async function postWebhook(id: string): Promise<Answer> {
    const body = JSON.stringify({
      type: "BillingKey.Issued",
      timestamp: new Date().toISOString(),
      data: { storeId: "store", billingKey: `bk-${id}` },
    });
    const headers = await sign(stack.sandbox.sandbox.webhookSecret, body, { id });
    const answer = await call("/webhooks/portone", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
    if (answer.status >= 200 && answer.status < 300) acknowledged.add(id);
    return answer;
  }

  function expectUnavailable(answer: Answer, retryAfter: boolean): void {
    expect(answer.status).toBe(503);
    if (retryAfter) expect(Number(answer.retryAfter)).toBeGreaterThan(0);
    // The driver's words (pg's "timeout exceeded", "Connection terminated") stay in the log.
    expect(answer.text).not.toMatch(/timeout exceeded|Connection terminated|ECONN|Query read/i);
  }

  async function expectHealthy(): Promise<void> {
    await waitFor(async () => (await call("/readyz")).status === 200, {
      timeoutMs: 20_000,
      description: "/readyz to recover",
    });
    expect((await getPayment()).status).toBe(404);
  }

  /** Every webhook answered 503 is sent again until acknowledged, as PortOne would. */
  async function resendUntilAcknowledged(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      await waitFor(async () => (await postWebhook(id)).status === 200, {
        timeoutMs: 20_000,
        description: `webhook ${id} to be acknowledged`,
      });
    }
  }

  async function expectEveryAcknowledgedStoredOnce(): Promise<void> {
    const direct = new pg.Client({ connectionString: schema.url });
    await direct.connect();
    try {
      const { rows } = await direct.query<{ id: string; copies: string }>(
        "SELECT id, COUNT(*) AS copies FROM webhook_events WHERE id = ANY($1::text[]) GROUP BY id",
        [[...acknowledged]],
      );
      expect(rows.length).toBe(acknowledged.size);
      for (const row of rows) expect(Number(row.copies)).toBe(1);
    } finally {
      await direct.end();
    }
  }

  /** tRPC, /readyz and webhooks at once while the database is cut off; returns the webhook ids. */
  async function expectOutageAnswers(prefix: string): Promise<string[]> {
    const ids = Array.from({ length: 5 }, () => `${prefix}-${randomUUID()}`);
    const [trpc, readyz, ...webhooks] = await Promise.all([
      getPayment(),
      call("/readyz"),
      ...ids.map((id) => postWebhook(id)),
    ]);
    expectUnavailable(trpc as Answer, false);
    expect((readyz as Answer).status).toBe(503);
    for (const answer of webhooks) expectUnavailable(answer, true);
    return ids;
  }

  it("a silent partition: 503 within the bound, then recovery, nothing acknowledged lost", async () => {
    for (let index = 0; index < 10; index++) {
      expect((await postWebhook(`before-${randomUUID()}`)).status).toBe(200);
    }
    await expectHealthy();

    proxy.partition();
    const duringIds = await expectOutageAnswers("silent");
    // A second round while still cut off: the pool must not be wedged by the first.
    duringIds.push(...(await expectOutageAnswers("silent-again")));

    proxy.heal();
    await expectHealthy();
    await resendUntilAcknowledged(duringIds);
    for (let index = 0; index < 10; index++) {
      expect((await postWebhook(`after-${randomUUID()}`)).status).toBe(200);
    }
    await expectEveryAcknowledgedStoredOnce();
  });

  it("a clean stop (connections closed): 503, not 500, and recovery once it is back", async () => {
    await expectHealthy();
    proxy.stop();
    const duringIds = await expectOutageAnswers("stopped");
    proxy.start();
    await expectHealthy();
    await resendUntilAcknowledged(duringIds);
    await expectEveryAcknowledgedStoredOnce();
  });

  it("a connection that drops while checked out (mid-transaction) fails the work, not the process", async () => {
    // node-postgres emits 'error' on a checked-out client whose connection ends; with nobody
    // listening that is an uncaught exception (this suite would then fail with it).
    const db = await openDatabase({ databaseUrl: proxiedUrl, dataDir: "unused" });
    try {
      const work = withPostgresClient(
        (db as Extract<Database, { kind: "postgres" }>).pool,
        async (client) => {
          await client.query("BEGIN");
          const ended = new Promise((resolve) => client.once("end", resolve));
          proxy.stop();
          await ended;
          await client.query("SELECT 1");
        },
      );
      await expect(work).rejects.toThrow();
    } finally {
      proxy.start();
      await db.close();
    }
    await expectHealthy();
  });
});
