import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NatsJetStreamFanOut } from "../../src/webhooks/subscribers/nats-jetstream.js";
import { waitFor } from "../support/wait-for.js";
import {
  connectTestFanOut,
  deleteStream,
  NATS_TEST_URL,
  natsAvailable,
  StallingProxy,
  uniqueStream,
} from "./support/nats.js";

const available = await natsAvailable();

/** NATS that answers nothing (a proxy the test controls stalls the route to the shared server). */
describe.skipIf(!available)("NATS slow", () => {
  const { stream, prefix } = uniqueStream("slow");
  const target = new URL(NATS_TEST_URL.includes("://") ? NATS_TEST_URL : `nats://${NATS_TEST_URL}`);
  const proxy = new StallingProxy(target.hostname, Number(target.port || 4222));
  let fanOut: NatsJetStreamFanOut;
  const log: string[] = [];

  beforeAll(async () => {
    await proxy.listen();
    fanOut = await connectTestFanOut(
      {
        NATS_URL: proxy.url,
        NATS_STREAM: stream,
        NATS_SUBJECT_PREFIX: prefix,
        NATS_TIMEOUT_MS: "500",
      },
      {
        retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 100 },
        leaseMs: 2_000,
        pollIntervalMs: 25,
        logger: {
          info: (_object, message) => log.push(message),
          warn: (_object, message) => log.push(message),
          error: (_object, message) => log.push(message),
        },
      },
    );
  });

  afterAll(async () => {
    proxy.stalled = false;
    await fanOut?.close();
    await proxy.close();
    await deleteStream(NATS_TEST_URL, stream);
  });

  const deliver = (id: string) =>
    fanOut.subscriber.deliver({
      eventId: id,
      eventType: "Transaction.Paid",
      body: JSON.stringify({ id, type: "Transaction.Paid" }),
      attempt: 1,
    });

  it("fails a publish after NATS_TIMEOUT_MS, reports not ready, and recovers by itself", async () => {
    expect(await deliver("slow-1")).toEqual({ ok: true, statusCode: null });
    expect(await fanOut.readiness.check()).toBe(true);

    proxy.stalled = true;
    const result = await deliver("slow-2");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^NATS publish failed: .*timeout/i);
    await expect(fanOut.readiness.check()).rejects.toThrow(/timeout/i);
    // Unanswered pings end the connection; from then on attempts fail at once, holding nothing.
    await waitFor(() => log.includes("NATS disconnected; events wait in the outbox"), {
      description: "the stalled connection noticed",
      timeoutMs: 15_000,
    });
    expect(await deliver("slow-3")).toEqual({
      ok: false,
      statusCode: null,
      error: "NATS is not connected",
    });
    expect(await fanOut.readiness.check()).toBe(false);

    proxy.stalled = false;
    await waitFor(() => log.includes("NATS reconnected; delivery resumes"), {
      description: "reconnected through the proxy",
      timeoutMs: 15_000,
    });
    expect(await deliver("slow-2")).toEqual({ ok: true, statusCode: null });
    expect(await fanOut.readiness.check()).toBe(true);
  }, 40_000);
});
