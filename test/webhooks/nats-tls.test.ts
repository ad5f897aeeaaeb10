import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadNatsConfig, type NatsConfig } from "../../src/webhooks/nats/config.js";
import { connectNatsJetStream } from "../../src/webhooks/subscribers/nats-jetstream.js";
import { NATS_SERVER_BINARY, OwnNatsServer } from "./support/nats.js";

function haveOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const runnable = existsSync(NATS_SERVER_BINARY) && haveOpenssl();
if (!runnable) console.warn("nats-server or openssl is missing: skipping the NATS TLS test.");

/** A CA and a server certificate for 127.0.0.1, made for this run only. */
function makeCertificates(dir: string) {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=test-ca",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
  );
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    file("server.key"),
    "-out",
    file("server.csr"),
  );
  writeFileSync(file("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl(
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "1",
    "-extfile",
    file("ext.cnf"),
    "-out",
    file("server.pem"),
  );
  return { ca: file("ca.pem"), cert: file("server.pem"), key: file("server.key") };
}

describe.skipIf(!runnable)("NATS over TLS", () => {
  const dir = mkdtempSync(join(tmpdir(), "bff-nats-tls-"));
  let nats: OwnNatsServer;
  const logger = { info() {}, warn() {}, error() {} };
  const options = {
    retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 100 },
    leaseMs: 5_000,
    pollIntervalMs: 25,
    logger,
  };

  beforeAll(async () => {
    const certs = makeCertificates(dir);
    nats = new OwnNatsServer(["--tls", "--tlscert", certs.cert, "--tlskey", certs.key]);
    await nats.start();
  });
  afterAll(async () => {
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (env: Record<string, string>): NatsConfig =>
    loadNatsConfig({
      NATS_URL: `tls://127.0.0.1:${nats.port}`,
      NATS_TIMEOUT_MS: "2000",
      ...env,
    }).config as NatsConfig;

  it("publishes over TLS verified against NATS_TLS_CA_FILE", async () => {
    const fanOut = await connectNatsJetStream(
      config({ NATS_TLS_CA_FILE: join(dir, "ca.pem") }),
      options,
    );
    const result = await fanOut.subscriber.deliver({
      eventId: "tls-1",
      eventType: "Transaction.Paid",
      body: "{}",
      attempt: 1,
    });
    expect(result).toEqual({ ok: true, statusCode: null });
    await fanOut.close();
  });

  it("refuses a server certificate it cannot verify (no silent downgrade)", async () => {
    const error = await connectNatsJetStream(config({}), options).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^NATS_URL: could not connect to tls:\/\/127\.0\.0\.1:\d+ within 2000 ms \(.*certificate/i,
    );
  });
});
