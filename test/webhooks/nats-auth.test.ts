import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadNatsConfig, type NatsConfig } from "../../src/webhooks/nats/config.js";
import { connectNatsJetStream } from "../../src/webhooks/subscribers/nats-jetstream.js";
import { NATS_SERVER_BINARY, OwnNatsServer } from "./support/nats.js";

const haveBinary = existsSync(NATS_SERVER_BINARY);
if (!haveBinary) console.warn(`${NATS_SERVER_BINARY} is missing: skipping the NATS auth test.`);

const USER = "bff-publisher";
const PASSWORD = "correct-horse-battery-staple-7f3a";

/** A NATS server of the test's own that requires a user and password. */
describe.skipIf(!haveBinary)("NATS credentials", () => {
  const nats = new OwnNatsServer(["--user", USER, "--pass", PASSWORD]);
  const logged: string[] = [];
  const logger = {
    info: (object: object, message: string) => logged.push(JSON.stringify(object), message),
    warn: (object: object, message: string) => logged.push(JSON.stringify(object), message),
    error: (object: object, message: string) => logged.push(JSON.stringify(object), message),
  };
  const options = {
    retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 100 },
    leaseMs: 5_000,
    pollIntervalMs: 25,
    logger,
  };

  beforeAll(() => nats.start());
  afterAll(() => nats.dispose());

  const config = (password: string): NatsConfig =>
    loadNatsConfig({
      NATS_URL: nats.url,
      NATS_USER: USER,
      NATS_PASSWORD: password,
      NATS_TIMEOUT_MS: "2000",
    }).config as NatsConfig;

  it("connects and publishes with NATS_USER/NATS_PASSWORD, logging neither", async () => {
    const fanOut = await connectNatsJetStream(config(PASSWORD), options);
    const result = await fanOut.subscriber.deliver({
      eventId: "auth-1",
      eventType: "BillingKey.Issued",
      body: "{}",
      attempt: 1,
    });
    expect(result).toEqual({ ok: true, statusCode: null });
    await fanOut.close();
    expect(logged.join("\n")).not.toContain(PASSWORD);
  });

  it("refuses to start with a wrong password, without echoing it", async () => {
    const wrong = "wrong-password-that-must-not-leak-91c2";
    const error = await connectNatsJetStream(config(wrong), options).catch(
      (caught: Error) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^NATS_URL: could not connect to .* \(.*(auth|Authorization)/i,
    );
    expect((error as Error).message).not.toContain(wrong);
    expect((error as Error).message).not.toContain(PASSWORD);
    expect(logged.join("\n")).not.toContain(wrong);
  });
});
