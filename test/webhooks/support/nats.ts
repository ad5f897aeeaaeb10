import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { loadNatsConfig, type NatsConfig } from "../../../src/webhooks/nats/config.js";
import {
  connectNatsJetStream,
  type NatsJetStreamFanOut,
} from "../../../src/webhooks/subscribers/nats-jetstream.js";

/** The shared NATS server (NATS_URL overrides); the tests never reconfigure it. */
export const NATS_TEST_URL = process.env.NATS_URL?.trim() || "nats://127.0.0.1:4222";
/** A logger for fan-outs and dispatchers whose log a test does not read. */
export const silentLogger = { info() {}, warn() {}, error() {} };

/** The NATS settings `env` describes (on the shared server unless NATS_URL says otherwise). */
export function natsTestConfig(env: Record<string, string>): NatsConfig {
  const { config, problems } = loadNatsConfig({ NATS_URL: NATS_TEST_URL, ...env });
  if (!config) throw new Error(problems.join("\n"));
  return config;
}

/** A JetStream fan-out connected with the settings `env` describes (see natsTestConfig). */
export function connectTestFanOut(
  env: Record<string, string>,
  options: Parameters<typeof connectNatsJetStream>[1],
): Promise<NatsJetStreamFanOut> {
  return connectNatsJetStream(natsTestConfig(env), options);
}

export const NATS_SERVER_BINARY = process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server";

function hostAndPort(url: string): { host: string; port: number } {
  const parsed = new URL(url.includes("://") ? url : `nats://${url}`);
  return { host: parsed.hostname, port: Number(parsed.port || 4222) };
}

export function portAnswers(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/** Whether the shared server answers; suites skip (and say why) when it does not. */
export async function natsAvailable(): Promise<boolean> {
  const { host, port } = hostAndPort(NATS_TEST_URL);
  const up = await portAnswers(host, port);
  if (!up) {
    console.warn(
      `NATS is not answering at ${NATS_TEST_URL}: skipping the NATS JetStream suites (start nats-server -js, or set NATS_URL).`,
    );
  }
  return up;
}

/** A stream name and subject prefix no other test (or run) uses. */
export function uniqueStream(label: string): { stream: string; prefix: string } {
  const suffix = randomBytes(5).toString("hex");
  return { stream: `TEST_${label.toUpperCase()}_${suffix}`, prefix: `test_${label}_${suffix}` };
}

export async function deleteStream(url: string, stream: string): Promise<void> {
  const nc = await connect({ servers: url, timeout: 3_000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 3_000 });
    await jsm.streams.delete(stream).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

export interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  readonly msgId: string | undefined;
  readonly body: Record<string, unknown>;
}

/** Every message of a stream, in stream order (read with an ordered, ephemeral consumer). */
export async function readStream(nc: NatsConnection, stream: string): Promise<StoredMessage[]> {
  const jsm = await jetstreamManager(nc, { timeout: 5_000 });
  const total = (await jsm.streams.info(stream)).state.messages;
  const out: StoredMessage[] = [];
  if (total === 0) return out;
  const consumer = await jetstream(nc).consumers.get(stream);
  const messages = await consumer.consume();
  for await (const message of messages as AsyncIterable<JsMsg>) {
    out.push({
      seq: message.seq,
      subject: message.subject,
      msgId: message.headers?.get("Nats-Msg-Id"),
      body: message.json<Record<string, unknown>>(),
    });
    if (out.length >= total) break;
  }
  await messages.close();
  return out;
}

export async function streamMessageCount(nc: NatsConnection, stream: string): Promise<number> {
  const jsm = await jetstreamManager(nc, { timeout: 5_000 });
  return (await jsm.streams.info(stream)).state.messages;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A nats-server of the test's own, on a free port with its own store directory, so it can be
 * killed and restarted without touching the shared server.
 */
export class OwnNatsServer {
  readonly storeDir = mkdtempSync(join(tmpdir(), "bff-nats-"));
  #child: ChildProcess | undefined;
  port = 0;

  /** `extraArgs`: more nats-server flags, e.g. `--user`/`--pass` to require credentials. */
  constructor(readonly extraArgs: readonly string[] = []) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const child = spawn(
      NATS_SERVER_BINARY,
      ["-a", "127.0.0.1", "-p", String(this.port), "-js", "-sd", this.storeDir, ...this.extraArgs],
      { stdio: "ignore" },
    );
    this.#child = child;
    const deadline = Date.now() + 10_000;
    while (!(await portAnswers("127.0.0.1", this.port, 200))) {
      if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error("own nats-server did not start in 10 s");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGKILL: the broker vanishes mid-conversation, as in a crash or a network cut. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
    this.#child = undefined;
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}

/**
 * A TCP proxy in front of a NATS server that the test can make "slow": while stalled it keeps
 * every connection open but forwards nothing, as a congested or black-holed route would.
 */
export class StallingProxy {
  readonly #server = createServer((client) => this.#accept(client));
  readonly #sockets = new Set<Socket>();
  stalled = false;
  port = 0;

  constructor(
    readonly targetHost: string,
    readonly targetPort: number,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    const address = this.#server.address();
    this.port = typeof address === "object" && address ? address.port : 0;
  }

  #accept(client: Socket): void {
    const upstream = new Socket();
    upstream.connect(this.targetPort, this.targetHost);
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on("error", () => socket.destroy());
      socket.on("close", () => {
        this.#sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (chunk) => {
      if (!this.stalled) upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!this.stalled) client.write(chunk);
    });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
