import { createHash, timingSafeEqual } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ServiceModule } from "../server.js";
import { type DispatchedEvent, matchesPattern, serialiseDispatchedEvent } from "./event.js";
import type { Webhooks } from "./pipeline.js";

/** How many `listen` clients may watch at once: each holds a connection open. */
const MAX_WATCHERS = 16;
/** A comment line this often keeps idle-connection timeouts (and proxies) from closing the stream. */
const KEEP_ALIVE_MS = 15_000;
const PATTERN = /^(\*|[A-Za-z]{1,40}(\.([A-Za-z]{1,40}|\*))?)$/;
const MAX_PATTERNS = 20;

export const EVENT_STREAM_PATH = "/admin/events";

/**
 * The running service's verified events, live, for `portone-bff listen`: every event this
 * process's dispatcher fans out (after the webhook's signature was checked and the payment
 * synced), as Server-Sent Events on the internal listener. Nothing is kept for absent watchers:
 * it is a tail, not a queue (subscribers and handlers get at-least-once delivery).
 *
 * Who may watch: with ADMIN_TOKEN set, whoever sends it as a bearer token; without one, only
 * this machine (a loopback peer), like the internal listener's default bind address.
 */
export function createEventStream(): {
  attach(webhooks: Webhooks): void;
  readonly module: ServiceModule;
} {
  const watchers = new Set<{ patterns: readonly string[]; response: ServerResponse }>();
  const broadcast = (event: DispatchedEvent) => {
    if (watchers.size === 0) return;
    const frame = `id: ${event.id}\nevent: ${event.type}\ndata: ${serialiseDispatchedEvent(event)}\n\n`;
    for (const watcher of watchers)
      if (watcher.patterns.some((pattern) => matchesPattern(pattern, event.type)))
        watcher.response.write(frame);
  };
  return {
    attach(webhooks) {
      // A watcher, not a handler: no delivery row per event, nothing to do without a watcher.
      webhooks.watch(broadcast);
    },
    module: {
      name: "event-stream",
      async setup(context) {
        const adminToken = context.config.webhooks.adminToken;
        await context.registerInternal(async (app: FastifyInstance) => {
          app.addHook("preClose", (done) => {
            for (const watcher of watchers) watcher.response.end();
            watchers.clear();
            done();
          });
          app.get(EVENT_STREAM_PATH, (request, reply) => {
            const refusal = refuseWatcher(request, adminToken, watchers.size);
            if (refusal) return reply.code(refusal.status).send(refusal.body);
            const patterns = parsePatterns(request.query);
            if (typeof patterns === "string")
              return reply.code(400).send({ error: "BAD_REQUEST", message: patterns });
            openStream(reply, patterns, watchers);
          });
        });
        return undefined;
      },
    },
  };
}

function openStream(
  reply: FastifyReply,
  patterns: readonly string[],
  watchers: Set<{ patterns: readonly string[]; response: ServerResponse }>,
): void {
  reply.hijack();
  const response = reply.raw;
  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
  });
  response.write(`: watching ${patterns.join(",")}\n\n`);
  const watcher = { patterns, response };
  watchers.add(watcher);
  const keepAlive = setInterval(() => response.write(": keep-alive\n\n"), KEEP_ALIVE_MS);
  response.once("close", () => {
    clearInterval(keepAlive);
    watchers.delete(watcher);
  });
}

function refuseWatcher(
  request: FastifyRequest,
  adminToken: string | undefined,
  watching: number,
): { status: number; body: { error: string; message: string } } | undefined {
  if (adminToken) {
    const header = request.headers.authorization ?? "";
    const token = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
    if (!token || !timingSafeEqual(digest(token), digest(adminToken)))
      return {
        status: 401,
        body: {
          error: "UNAUTHORIZED",
          message: "Send the ADMIN_TOKEN as `Authorization: Bearer <token>`.",
        },
      };
  } else if (!isLoopback(request.socket.remoteAddress)) {
    return {
      status: 403,
      body: {
        error: "FORBIDDEN",
        message: "Without ADMIN_TOKEN the event stream answers this machine only.",
      },
    };
  }
  if (watching >= MAX_WATCHERS)
    return {
      status: 503,
      body: { error: "TOO_MANY_WATCHERS", message: `At most ${MAX_WATCHERS} watchers at once.` },
    };
  return undefined;
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

/** `?events=Transaction.*,BillingKey.Issued`: exact types, `Family.*` or `*`. */
export function parsePatterns(query: unknown): readonly string[] | string {
  const raw = (query as { events?: unknown } | undefined)?.events;
  if (raw === undefined || raw === "") return ["*"];
  const allowed =
    "events must be a comma-separated list of at most 20 event types or patterns (Transaction.Paid, Transaction.*, *).";
  if (typeof raw !== "string" || raw.length > 1_000) return allowed;
  const patterns = raw.split(",").map((pattern) => pattern.trim());
  if (patterns.length > MAX_PATTERNS || !patterns.every((pattern) => PATTERN.test(pattern)))
    return allowed;
  return patterns;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
