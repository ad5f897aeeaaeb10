import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { sign } from "../sdk/webhook/index.js";
import { parsePatterns } from "../webhooks/event-stream.js";
import { type CliIo, describeEvent, type StreamedEvent } from "./event-line.js";
import { checkedUrl, defaultTargets, UsageError } from "./targets.js";

export const LISTEN_USAGE = `Usage: portone-bff listen [--events PATTERNS] [--forward-to URL] [--internal URL]

Prints the running service's verified events as they happen, one line each: time, type,
payment, status, amount. Read from the service's internal listener (GET /admin/events,
Server-Sent Events): on this machine without settings, elsewhere with ADMIN_TOKEN.

Options:
  --events PATTERNS   comma-separated types or patterns (Transaction.Paid,Transaction.*; default *)
  --forward-to URL    also POST each event there, signed like the service's HTTP subscribers
                      (Standard Webhooks headers) with a secret printed at start
  --internal URL      the internal listener (default http://127.0.0.1:$INTERNAL_PORT, port 3002)
  -h, --help          show this help

Environment: ADMIN_TOKEN (sent as a bearer token when set), INTERNAL_PORT, PORTONE_BFF_INTERNAL_URL.`;

export interface ListenOptions {
  readonly env?: Record<string, string | undefined>;
  readonly io?: CliIo;
  /** Stops listening (Ctrl-C in the command; tests abort it). */
  readonly signal?: AbortSignal;
  /** The forwarding secret (tests); generated otherwise. */
  readonly forwardSecret?: string;
}

/** Silence longer than three keep-alives means the connection is gone: reconnect. */
const SILENCE_MS = 45_000;
const RECONNECT_MS = 2_000;

/** `portone-bff listen`: returns the exit code once the signal aborts (or the usage is wrong). */
export async function runListen(
  args: readonly string[],
  options: ListenOptions = {},
): Promise<number> {
  const io = options.io ?? { out: console.log, err: console.error };
  const env = options.env ?? process.env;
  let parsed: { url: string; forwardTo: string | undefined; token: string | undefined };
  try {
    const parsedArgs = parseListenArgs(args, env);
    if (parsedArgs === "help") {
      io.out(LISTEN_USAGE);
      return 0;
    }
    parsed = parsedArgs;
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${LISTEN_USAGE}`);
    return 2;
  }
  const secret = parsed.forwardTo
    ? (options.forwardSecret ?? `whsec_${randomBytes(24).toString("base64")}`)
    : undefined;
  if (parsed.forwardTo)
    io.out(`Forwarding to ${parsed.forwardTo}; verify with this secret: ${secret}`);
  const signal = options.signal ?? new AbortController().signal;
  const onEvent = async (event: StreamedEvent, body: string) => {
    io.out(describeEvent(event));
    if (parsed.forwardTo && secret)
      io.out(`  -> ${await forward(parsed.forwardTo, secret, event, body)}`);
  };
  while (!signal.aborted) {
    const ended = await watch(parsed, signal, onEvent, io);
    if (ended === "refused") return 1;
    if (signal.aborted) break;
    io.err(`Stream from ${parsed.url} ended; reconnecting in ${RECONNECT_MS / 1000} s.`);
    await sleep(RECONNECT_MS, signal);
  }
  return 0;
}

function parseListenArgs(args: readonly string[], env: Record<string, string | undefined>) {
  const { values } = parseArgs({
    args: [...args],
    options: {
      events: { type: "string" },
      "forward-to": { type: "string" },
      internal: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return "help" as const;
  const patterns = parsePatterns({ events: values.events });
  if (typeof patterns === "string") throw new UsageError(patterns.replace(/^events/, "--events"));
  const internal = checkedUrl("--internal", values.internal ?? defaultTargets(env).internal);
  const forwardTo = values["forward-to"]
    ? checkedUrl("--forward-to", values["forward-to"])
    : undefined;
  return {
    url: `${internal}/admin/events?events=${encodeURIComponent(patterns.join(","))}`,
    forwardTo,
    token: env.ADMIN_TOKEN?.trim() || undefined,
  };
}

/** One connection: reads Server-Sent Events until it ends, goes silent, or the signal aborts. */
async function watch(
  target: { url: string; token: string | undefined },
  signal: AbortSignal,
  onEvent: (event: StreamedEvent, body: string) => Promise<void>,
  io: CliIo,
): Promise<"ended" | "refused"> {
  const connection = new AbortController();
  const abort = () => connection.abort();
  signal.addEventListener("abort", abort, { once: true });
  let silence = setTimeout(abort, 10_000); // the headers must come soon
  try {
    const response = await fetch(target.url, {
      headers: {
        accept: "text/event-stream",
        ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
      },
      signal: connection.signal,
    });
    if (response.status !== 200 || !response.body) {
      const text = (await response.text().catch(() => "")).slice(0, 300);
      io.err(`The service refused the event stream: HTTP ${response.status} ${text}`);
      return response.status === 401 || response.status === 403 ? "refused" : "ended";
    }
    io.err(`Listening on ${new URL(target.url).origin} for verified events (Ctrl-C stops).`);
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of response.body) {
      clearTimeout(silence);
      silence = setTimeout(abort, SILENCE_MS);
      buffered += decoder.decode(chunk, { stream: true });
      let end = buffered.indexOf("\n\n");
      while (end >= 0) {
        const frame = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = frame
          .split("\n")
          .filter((line) => line.startsWith("data: "))
          .map((line) => line.slice("data: ".length))
          .join("\n");
        if (data) await onEvent(JSON.parse(data) as StreamedEvent, data);
        end = buffered.indexOf("\n\n");
      }
    }
    return "ended";
  } catch (error) {
    if (!signal.aborted)
      io.err(`Could not read events from ${new URL(target.url).origin}: ${describe(error)}`);
    return "ended";
  } finally {
    clearTimeout(silence);
    signal.removeEventListener("abort", abort);
  }
}

/** Delivers one event like an HTTP subscriber would; answers a short result for the line. */
async function forward(
  url: string,
  secret: string,
  event: StreamedEvent,
  body: string,
): Promise<string> {
  const headers = await sign(secret, body, { id: event.id, timestamp: new Date() });
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        ...headers,
        "content-type": "application/json",
        "user-agent": "portone-bff-listen",
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer().catch(() => undefined);
    return `${url} ${response.status}`;
  } catch (error) {
    return `${url} failed: ${describe(error)}`;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error)
    return error.cause instanceof Error ? error.cause.message : error.message;
  return String(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
