import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runListen } from "../../src/cli/listen.js";
import { STANDALONE_SANDBOX_VARIABLES } from "../../src/config.js";
import { sandboxGreeting } from "../../src/sandbox/cli.js";
import { checkout, trpcClient } from "../service/support/harness.js";
import { waitFor } from "../support/wait-for.js";
import { type ServiceProcess, startServiceProcess } from "../webhooks/support/service-process.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);

/**
 * The service against a standalone sandbox, each in its own process, as the README tells:
 * `npm run sandbox` (here `tsx src/cli.ts sandbox --port 0`) prints the PORTONE_SANDBOX_* lines,
 * the service starts with them (sandbox mode: demo orders, anonymous callers, no embedded
 * sandbox), and a payment is prepared, paid in the sandbox, completed, and its webhook received.
 */

let sandboxProcess: ChildProcess | undefined;
let sandboxEnv: Record<string, string>;
let greeting = "";
let service: ServiceProcess | undefined;
let dataDir: string;

/** `export NAME=value` lines, as the sandbox prints them for pasting. */
function exportedVariables(text: string): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(/^export (PORTONE_SANDBOX_[A-Z_]+)=(\S+)$/gm)].map((match) => [
      match[1] as string,
      match[2] as string,
    ]),
  );
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "bff-standalone-"));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli.ts", "sandbox", "--port", "0"],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  sandboxProcess = child;
  child.stdout?.on("data", (chunk: Buffer) => {
    greeting += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    greeting += chunk.toString("utf8");
  });
  await waitFor(() => greeting.includes("PORTONE_SANDBOX_WEBHOOK_SECRET="), {
    timeoutMs: 45_000,
    description: "the sandbox's environment lines",
  });
  sandboxEnv = exportedVariables(greeting);
  service = await startServiceProcess({
    ...sandboxEnv,
    PORT: "0",
    DATA_DIR: dataDir,
    LOG_LEVEL: "info",
  });
}, 90_000);

afterAll(async () => {
  await service?.stop();
  if (sandboxProcess && sandboxProcess.exitCode === null) {
    const exited = new Promise((resolve) => sandboxProcess?.once("exit", resolve));
    sandboxProcess.kill("SIGTERM");
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the service against a standalone sandbox", () => {
  it("npm run sandbox prints all five variables to paste and how to aim its webhooks", () => {
    expect(Object.keys(sandboxEnv).sort()).toEqual([...STANDALONE_SANDBOX_VARIABLES].sort());
    expect(greeting).toContain("--webhook-url http://localhost:3000/webhooks/portone");
    expect(
      sandboxGreeting("http://127.0.0.1:1", { ...sandboxCredentials(), channels: [] }, [
        { url: "http://x/y" },
      ]),
    ).toMatch(/Webhooks to: +http:\/\/x\/y\n/);
  });

  it("the banner names the standalone sandbox, and no embedded sandbox is started", () => {
    const banner = (service?.output.join("") ?? "")
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => String(entry.msg).startsWith("portone-bff is running")) as {
      mode: string;
      standaloneSandbox: boolean;
      sandbox: { api: string };
      msg: string;
    };
    expect(banner).toMatchObject({
      mode: "sandbox",
      standaloneSandbox: true,
      sandbox: { api: sandboxEnv.PORTONE_SANDBOX_URL },
    });
    expect(banner.msg).toContain(`standalone PortOne sandbox at ${sandboxEnv.PORTONE_SANDBOX_URL}`);
    expect(existsSync(join(dataDir, "sandbox-state.json"))).toBe(false);
  });

  it("prepare, pay in the sandbox, complete: PAID, and the webhook reaches the service", async () => {
    const sandboxUrl = sandboxEnv.PORTONE_SANDBOX_URL as string;
    const endpoints = await fetch(`${sandboxUrl}/sandbox/webhook-endpoints`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ endpoints: [{ url: `${service?.url}/webhooks/portone` }] }),
    });
    expect(endpoints.status).toBe(200);

    const lines: string[] = [];
    const stopListening = new AbortController();
    const listening = runListen(["--events", "Transaction.Paid"], {
      env: { PORTONE_BFF_INTERNAL_URL: service?.internalUrl },
      io: { out: (line) => lines.push(line), err: (line) => lines.push(line) },
      signal: stopListening.signal,
    });
    await waitFor(() => lines.some((line) => line.startsWith("Listening on")));

    // Anonymous, a demo order: sandbox mode, no JWT and no order source needed.
    const client = trpcClient(service?.url ?? "");
    const prepared = await client.payment.prepare.mutate({ orderId: "coffee-standalone-1" });
    expect(prepared).toMatchObject({
      storeId: sandboxEnv.PORTONE_SANDBOX_STORE_ID,
      channelKey: sandboxEnv.PORTONE_SANDBOX_CHANNEL_KEY,
      totalAmount: 4500,
    });
    const paid = await checkout({ url: sandboxUrl }, prepared, {
      paymentId: prepared.paymentId,
      orderName: prepared.orderName,
      totalAmount: prepared.totalAmount,
      currency: prepared.currency,
      payMethod: "CARD",
      outcome: "paid",
    });
    expect(paid).toMatchObject({ paymentId: prepared.paymentId, txId: expect.any(String) });
    const completed = await client.payment.complete.mutate({
      paymentId: prepared.paymentId,
      guestToken: prepared.guestToken ?? undefined,
    });
    expect(completed).toMatchObject({ paymentId: prepared.paymentId, status: "PAID" });

    // The sandbox signed the webhook with its secret; the service verified it with the same.
    const delivered = await waitFor(
      async () => {
        const log = (await (await fetch(`${sandboxUrl}/sandbox/webhooks`)).json()) as {
          deliveries: { eventType: string; url: string; status: string; responseCode?: number }[];
        };
        return log.deliveries.find(
          (delivery) => delivery.eventType === "Transaction.Paid" && delivery.status !== "PENDING",
        );
      },
      { description: "the Transaction.Paid delivery" },
    );
    expect(delivered).toMatchObject({
      url: `${service?.url}/webhooks/portone`,
      status: "SUCCEEDED",
      responseCode: 200,
    });
    await waitFor(() =>
      lines.some(
        (line) => line.includes("Transaction.Paid") && line.includes(String(prepared.paymentId)),
      ),
    );
    stopListening.abort();
    expect(await listening).toBe(0);
    expect(lines.find((line) => line.includes("Transaction.Paid"))).toMatch(/status=PAID/);
  });
});

function sandboxCredentials() {
  return {
    apiSecret: sandboxEnv.PORTONE_SANDBOX_API_SECRET as string,
    storeId: sandboxEnv.PORTONE_SANDBOX_STORE_ID as string,
    channelKey: sandboxEnv.PORTONE_SANDBOX_CHANNEL_KEY as string,
    webhookSecret: sandboxEnv.PORTONE_SANDBOX_WEBHOOK_SECRET as string,
  };
}

/** Runs the service from the sources with `env` only and waits for it to exit. */
async function startRefused(env: Record<string, string>) {
  const result = await run(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", PORT: "0", INTERNAL_PORT: "0", DATA_DIR: dataDir, ...env },
    timeout: 60_000,
  }).then(
    () => ({ code: 0, output: "" }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      output: `${error.stdout}${error.stderr}`,
    }),
  );
  return result;
}

describe("the service refuses a doubtful standalone sandbox set-up", () => {
  it("a partial set: exit 1, naming what is missing, echoing no secret", async () => {
    const { PORTONE_SANDBOX_CHANNEL_KEY: _missing, ...partial } = sandboxEnv;
    const { code, output } = await startRefused(partial);
    expect(code).toBe(1);
    expect(output).toContain("PORTONE_SANDBOX_CHANNEL_KEY: is required with PORTONE_SANDBOX_URL");
    expect(output).not.toContain(sandboxEnv.PORTONE_SANDBOX_API_SECRET);
    expect(output).not.toContain(sandboxEnv.PORTONE_SANDBOX_WEBHOOK_SECRET);
  }, 60_000);

  it("with PORTONE_MODE=live: exit 1, saying the two do not go together", async () => {
    const { code, output } = await startRefused({ ...sandboxEnv, PORTONE_MODE: "live" });
    expect(code).toBe(1);
    expect(output).toMatch(/name a standalone sandbox, but the service is in live mode/);
    expect(output).not.toContain(sandboxEnv.PORTONE_SANDBOX_API_SECRET);
  }, 60_000);
});
