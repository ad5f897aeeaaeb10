import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runListen } from "../../src/cli/listen.js";
import { runTrigger, SCENARIOS } from "../../src/cli/trigger.js";
import { type RunningService, startFromEnv } from "../../src/main.js";
import { Webhook } from "../../src/sdk/index.js";
import { SQLITE_FILE_NAME } from "../../src/store/database.js";
import { waitFor } from "../support/wait-for.js";

/**
 * `portone-bff trigger` against a real service in sandbox mode (its embedded sandbox fires the
 * webhooks over real sockets), and `portone-bff listen` tailing the service's event stream.
 */

let running: RunningService;
let dataDir: string;
let env: Record<string, string>;

function captured() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) },
  };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "bff-cli-"));
  running = await startFromEnv(
    { PORT: "0", SANDBOX_PORT: "0", INTERNAL_PORT: "0", DATA_DIR: dataDir, LOG_LEVEL: "warn" },
    { logStream: { write: () => undefined } },
  );
  env = {
    PORTONE_BFF_URL: running.url,
    PORTONE_BFF_INTERNAL_URL: running.service.internalUrl as string,
    PORTONE_SANDBOX_URL: running.service.config.portone.baseUrl,
    DATA_DIR: dataDir, // the API secret comes from the embedded sandbox's state file
  };
});

/** Counts rows of the service's own SQLite file, read-only, beside the running service. */
function countRows(table: "payment_records" | "webhook_deliveries"): number {
  const db = new Database(join(dataDir, SQLITE_FILE_NAME), { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

afterAll(async () => {
  await running?.shutdown();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Scenario, the webhooks the sandbox must deliver, the record state the service must hold. */
const EXPECTED: [string, string[], string | null][] = [
  ["paid-card", ["Transaction.Ready", "Transaction.Paid"], "PAID"],
  ["failed", ["Transaction.Ready", "Transaction.Failed"], "FAILED"],
  ["virtual-account", ["Transaction.VirtualAccountIssued", "Transaction.Paid"], "PAID"],
  ["partial-cancel", ["Transaction.Paid", "Transaction.PartialCancelled"], "PARTIAL_CANCELLED"],
  ["full-cancel", ["Transaction.Paid", "Transaction.Cancelled"], "CANCELLED"],
  ["billing-key", ["BillingKey.Issued"], null],
  ["amount-mismatch", ["Transaction.Paid"], "MISMATCH"],
];

describe("portone-bff trigger", () => {
  it("--help lists every scenario with what it promises", async () => {
    const { out, io } = captured();
    expect(await runTrigger(["--help"], { env, io })).toBe(0);
    for (const [name] of EXPECTED) expect(out.join("\n")).toContain(`  ${name}`);
    expect(Object.keys(SCENARIOS).sort()).toEqual(EXPECTED.map(([name]) => name).sort());
  });

  it.each(EXPECTED)(
    "%s delivers %j to the service and leaves the record %s",
    async (name, types, status) => {
      const { out, err, io } = captured();
      const recordsBefore = countRows("payment_records");
      const code = await runTrigger([name], { env, io });
      expect(code, err.join("\n")).toBe(0);
      for (const type of types)
        expect(out).toContainEqual(
          `webhook ${type} -> ${running.url}/webhooks/portone SUCCEEDED 200`,
        );
      const paymentId = /prepared (\S+) for order/.exec(err.join("\n"))?.[1];
      if (status) {
        const record = await running.service.records.getPaymentRecord(paymentId as string);
        expect(record?.status).toBe(status);
        expect(countRows("payment_records")).toBe(recordsBefore + 1);
      } else {
        // A billing key is no payment: nothing prepared, no record left behind.
        expect(paymentId).toBeUndefined();
        expect(countRows("payment_records")).toBe(recordsBefore);
        expect(err).toContain("the service accepted the BillingKey.Issued webhook");
      }
    },
  );

  it("refuses an unknown scenario with the list (exit 2), and a service that is not there (exit 1)", async () => {
    const unknown = captured();
    expect(await runTrigger(["refund-everything"], { env, io: unknown.io })).toBe(2);
    expect(unknown.err.join("\n")).toMatch(/Unknown scenario "refund-everything"[\s\S]*paid-card/);
    const absent = captured();
    const code = await runTrigger(["paid-card", "--sandbox", "http://127.0.0.1:9"], {
      env,
      io: absent.io,
    });
    expect(code).toBe(1);
    expect(absent.err.join("\n")).toMatch(/did not answer/);
  });
});

describe("portone-bff listen", () => {
  let receiver: Server;
  let receiverUrl: string;
  const received: { body: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      request.on("end", () => {
        received.push({ body, headers: request.headers });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it("prints a triggered event in one line and forwards a copy Webhook.verify accepts", async () => {
    const { out, io } = captured();
    const stop = new AbortController();
    const secret = `whsec_${Buffer.from("listen-test-secret-32-bytes-long!").toString("base64")}`;
    const listening = runListen(["--forward-to", receiverUrl, "--events", "Transaction.*"], {
      env,
      io: { out: io.out, err: io.out },
      signal: stop.signal,
      forwardSecret: secret,
    });
    await waitFor(() => out.some((line) => line.startsWith("Listening on")));
    const trigger = captured();
    expect(await runTrigger(["paid-card"], { env, io: trigger.io })).toBe(0);
    const paymentId = /prepared (\S+) for order/.exec(trigger.err.join("\n"))?.[1] as string;
    await waitFor(() => received.some((entry) => entry.body.includes('"Transaction.Paid"')));
    stop.abort();
    expect(await listening).toBe(0);

    expect(out).toContain(`Forwarding to ${receiverUrl}; verify with this secret: ${secret}`);
    const line = out.find((entry) => entry.includes("Transaction.Paid"));
    expect(line).toMatch(
      new RegExp(
        `Transaction\\.Paid +payment=${paymentId}  status=PAID  amount=4500 KRW  \\(test\\)`,
      ),
    );
    // --events Transaction.* leaves the service's own PaymentStatusChanged out.
    expect(out.some((entry) => entry.includes("PaymentStatusChanged"))).toBe(false);
    // The tap is no subscriber: this service has none, so no event got a delivery row.
    expect(countRows("webhook_deliveries")).toBe(0);

    const paid = received.find((entry) => entry.body.includes('"Transaction.Paid"'));
    const headers = paid?.headers as IncomingHttpHeaders;
    await expect(
      Webhook.verify(secret, paid?.body as string, {
        "webhook-id": headers["webhook-id"] as string,
        "webhook-timestamp": headers["webhook-timestamp"] as string,
        "webhook-signature": headers["webhook-signature"] as string,
      }),
    ).resolves.toBeDefined();
    const event = JSON.parse(paid?.body as string) as {
      payment: { paymentId: string };
      livemode: boolean;
    };
    expect(event.payment.paymentId).toBe(paymentId);
    expect(event.livemode).toBe(false);
    // A copy signed with another secret is refused: the signature is real.
    await expect(
      Webhook.verify(
        `whsec_${Buffer.from("another-secret-of-32-bytes-long!").toString("base64")}`,
        paid?.body as string,
        {
          "webhook-id": headers["webhook-id"] as string,
          "webhook-timestamp": headers["webhook-timestamp"] as string,
          "webhook-signature": headers["webhook-signature"] as string,
        },
      ),
    ).rejects.toThrow();
  });

  it("the stream refuses malformed patterns with a 400 that says what is allowed", async () => {
    const response = await fetch(
      `${running.service.internalUrl}/admin/events?events=${encodeURIComponent("<script>")}`,
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(
      /comma-separated list/,
    );
    const { err, io } = captured();
    expect(await runListen(["--events", "Transaction.Paid;DROP"], { env, io })).toBe(2);
    expect(err.join("\n")).toMatch(/--events must be/);
  });
});
