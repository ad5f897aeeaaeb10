import { type ChildProcess, spawn } from "node:child_process";
import { networkInterfaces } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { parseSandboxArgs } from "../../src/sandbox/cli.js";
import { createSandbox } from "../../src/sandbox/index.js";
import { waitFor } from "../support/wait-for.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function runCli(args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "sandbox", ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  const printed = async (text: string) => {
    await waitFor(() => stdout.includes(text) || child.exitCode !== null, {
      description: `the CLI to print ${text}`,
    });
    if (!stdout.includes(text)) throw new Error(`the CLI exited (${child.exitCode}): ${stderr}`);
    return stdout;
  };
  return { child, exited, printed, output: () => ({ stdout, stderr }) };
}

describe("portone-bff sandbox CLI", () => {
  it("prints the base URL, API secret, store id and webhook secret, which work", async () => {
    const cli = runCli(["--port", "0"]);
    const stdout = await cli.printed("Webhook secret:");
    const field = (name: string) => stdout.match(new RegExp(`${name}:\\s+(\\S+)`))?.[1] as string;
    const baseUrl = field("Base URL");
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(field("Store ID")).toMatch(/^store-/);
    expect(field("Webhook secret")).toMatch(/^whsec_/);
    const response = await fetch(`${baseUrl}/payments?requestBody=${encodeURIComponent("{}")}`, {
      headers: { authorization: `PortOne ${field("API secret")}` },
    });
    expect(response.status).toBe(200);
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  });

  it("exits with a message naming a bad option", async () => {
    const cli = runCli(["--port", "eighty"]);
    expect(await cli.exited).toBe(1);
    expect(cli.output().stderr).toContain("--port must be a whole number");
  });
});

describe("argument parsing", () => {
  it("reads every option", () => {
    expect(
      parseSandboxArgs([
        "--port=9000",
        "--host",
        "0.0.0.0",
        "--persist",
        "data/s.json",
        "--webhook-url",
        "http://a/",
        "--legacy-webhook-url",
        "http://b/",
        "--store-id",
        "store-x",
      ]),
    ).toEqual({
      port: 9000,
      host: "0.0.0.0",
      options: {
        persistPath: "data/s.json",
        storeId: "store-x",
        webhookEndpoints: [{ url: "http://a/" }, { url: "http://b/", version: "2024-01-01" }],
      },
    });
    expect(parseSandboxArgs(["--help"])).toBe("help");
    expect(() => parseSandboxArgs(["--nope"])).toThrow(/Unknown option --nope/);
    expect(() => parseSandboxArgs(["--persist"])).toThrow(/--persist needs a value/);
  });

  it("reads channels, TEST and LIVE, and names what is wrong with one", () => {
    const parsed = parseSandboxArgs([
      "--channel",
      "key=test-key,pgProvider=TOSSPAYMENTS",
      "--channel=type=LIVE,pgProvider=KCP_V2,key=live-key,capture=MANUAL",
    ]);
    expect(parsed).toMatchObject({
      options: {
        channels: [
          { key: "test-key", pgProvider: "TOSSPAYMENTS" },
          { type: "LIVE", pgProvider: "KCP_V2", key: "live-key", capture: "MANUAL" },
        ],
      },
    });
    expect(() => parseSandboxArgs(["--channel", "type=REAL"])).toThrow(/--channel: .*type/);
    expect(() => parseSandboxArgs(["--channel", "justtext"])).toThrow(/name=value/);
    expect(() => parseSandboxArgs(["--channel", "key=a", "--channel", "key=a"])).toThrow(
      /distinct keys/,
    );
  });
});

describe("where it listens", () => {
  // The checkout and the /sandbox controls need no authentication: another machine must not
  // reach them unless the operator binds another address on purpose.
  it("binds loopback when no host is given, by the CLI and by listen()", async () => {
    const parsed = parseSandboxArgs([]);
    expect(parsed !== "help" && parsed.host).toBe("127.0.0.1");
    const sandbox = await createSandbox();
    try {
      const url = await sandbox.listen();
      expect(new URL(url).hostname).toBe("127.0.0.1");
      const address = sandbox.app.server.address();
      expect(typeof address === "object" && address?.address).toBe("127.0.0.1");
      const port = new URL(url).port;
      const outside = Object.values(networkInterfaces())
        .flat()
        .find((entry) => entry?.family === "IPv4" && !entry.internal)?.address;
      if (outside) {
        // The same port on this machine's other address is closed.
        await expect(
          fetch(`http://${outside}:${port}/sandbox/checkout`, {
            signal: AbortSignal.timeout(2_000),
          }),
        ).rejects.toThrow();
      }
      expect((await fetch(`${url}/sandbox/checkout`)).status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });
});
