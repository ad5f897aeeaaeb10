import { readFileSync } from "node:fs";
import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import {
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  headers,
  type NatsConnection,
} from "@nats-io/transport-node";
import { Counter, Gauge, type Registry } from "prom-client";
import type { DispatcherLogger } from "../dispatcher.js";
import { matchesPattern } from "../event.js";
import type { NatsConfig } from "../nats/config.js";
import { ensureEventStream } from "../nats/stream.js";
import { subjectForEventType } from "../nats/subjects.js";
import type { RetryPolicy } from "../retry-policy.js";
import type { DeliveryRequest, DeliveryResult, Subscriber } from "../subscriber.js";

/** Sent with each message besides `Nats-Msg-Id` (the event id), for consumers that route on it. */
export const EVENT_TYPE_HEADER = "Portone-Event-Type";
export const ATTEMPT_HEADER = "Portone-Delivery-Attempt";

export interface NatsJetStreamOptions {
  /** The outbox's retry settings: the stream's duplicate window must outlast them. */
  readonly retry: RetryPolicy;
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  readonly logger: DispatcherLogger;
  /** The ops registry (served at /metrics); no metrics without it. */
  readonly registry?: Registry;
  /** For tests: connection options merged over those the config gives. */
  readonly connectionOverrides?: Partial<ConnectionOptions>;
}

/**
 * A subscriber that hands events to NATS JetStream, plus what the service needs around it:
 * a readiness check, a hook for when NATS comes back, and closing the connection.
 */
export interface NatsJetStreamFanOut {
  readonly subscriber: Subscriber;
  readonly readiness: { readonly name: string; check(): Promise<boolean> };
  /** Called after every reconnection (to replay what went dead while NATS was away). */
  onReconnect(listener: () => void): void;
  readonly connection: NatsConnection;
  readonly duplicateWindowMs: number;
  close(): Promise<void>;
}

/**
 * The longest time between the first and the last attempt at delivering one event: every
 * backoff at its cap, and every attempt stalled until its lease ran out and the next poll saw it.
 * A re-publish inside this horizon must be recognised as a duplicate by the stream.
 */
export function retryHorizonMs(
  retry: RetryPolicy,
  leaseMs: number,
  pollIntervalMs: number,
): number {
  let total = retry.maxAttempts * (leaseMs + pollIntervalMs);
  for (let failed = 1; failed < retry.maxAttempts; failed++) {
    total += Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (failed - 1));
  }
  return total;
}

/** The duplicate window a new stream gets: the horizon rounded up to a minute, at least 2 min. */
export function requiredDuplicateWindowMs(config: NatsConfig, horizonMs: number): number {
  if (config.duplicateWindowMs !== undefined) {
    if (config.duplicateWindowMs < horizonMs) {
      throw new Error(
        `NATS_DUPLICATE_WINDOW_MS (${config.duplicateWindowMs}) must be at least the outbox's retry horizon of ${horizonMs} ms (WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_*_MS, WEBHOOK_LEASE_MS); raise it or lower those.`,
      );
    }
    return config.duplicateWindowMs;
  }
  return Math.max(120_000, Math.ceil(horizonMs / 60_000) * 60_000);
}

export function natsConnectionOptions(config: NatsConfig): ConnectionOptions {
  const auth = config.auth;
  const usesTls = config.servers.some((server) => server.startsWith("tls://"));
  return {
    servers: [...config.servers],
    name: "portone-bff",
    timeout: config.timeoutMs,
    // Keep trying forever: the outbox holds the events meanwhile.
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    // Notice a silently dead connection (a blackholed route) within seconds, not minutes.
    pingInterval: Math.max(2_000, config.timeoutMs),
    maxPingOut: 2,
    ...(auth?.kind === "user" ? { user: auth.user, pass: auth.password } : {}),
    ...(auth?.kind === "token" ? { token: auth.token } : {}),
    ...(auth?.kind === "creds"
      ? { authenticator: credsAuthenticator(() => readFileSync(auth.credsFile)) }
      : {}),
    ...(config.tls || usesTls ? { tls: { ...config.tls } } : {}),
  };
}

/**
 * Connects, creates or checks the stream, and returns the subscriber. Fails (with a message
 * that says what to change) when NATS cannot be reached within the timeout or the stream does
 * not fit; after that, NATS going away only makes deliveries wait in the outbox.
 */
export async function connectNatsJetStream(
  config: NatsConfig,
  options: NatsJetStreamOptions,
): Promise<NatsJetStreamFanOut> {
  const horizonMs = retryHorizonMs(options.retry, options.leaseMs, options.pollIntervalMs);
  const duplicateWindowMs = requiredDuplicateWindowMs(config, horizonMs);
  let connection: NatsConnection;
  try {
    connection = await connect({
      ...natsConnectionOptions(config),
      ...options.connectionOverrides,
    });
  } catch (error) {
    throw new Error(
      `NATS_URL: could not connect to ${config.servers.join(", ")} within ${config.timeoutMs} ms (${describeNatsError(error)})`,
    );
  }
  try {
    const jsm = await jetstreamManager(connection, { timeout: config.timeoutMs });
    const { created } = await ensureEventStream(jsm, {
      name: config.stream,
      subjectPrefix: config.subjectPrefix,
      duplicateWindowMs,
      maxAgeMs: config.maxAgeMs,
      replicas: config.replicas,
    });
    options.logger.info(
      { stream: config.stream, subjects: `${config.subjectPrefix}.>`, created, duplicateWindowMs },
      created ? "created the NATS event stream" : "NATS event stream checked",
    );
    return buildFanOut(config, options, connection, jsm, duplicateWindowMs);
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}

type NatsMetrics = ReturnType<typeof natsMetrics>;

/** Follows the connection's state; `isUp()` is false from a disconnect until the reconnect. */
function watchConnection(
  connection: NatsConnection,
  stream: string,
  logger: DispatcherLogger,
  metrics: NatsMetrics | undefined,
) {
  const reconnectListeners: (() => void)[] = [];
  let connected = true;
  metrics?.connected.set({ stream }, 1);
  const watching = (async () => {
    for await (const status of connection.status()) {
      if (status.type === "disconnect" || status.type === "staleConnection") {
        if (connected) logger.warn({ stream }, "NATS disconnected; events wait in the outbox");
        connected = false;
      } else if (status.type === "reconnect") {
        connected = true;
        logger.info({ stream }, "NATS reconnected; delivery resumes");
        for (const listener of reconnectListeners) listener();
      }
      metrics?.connected.set({ stream }, connected ? 1 : 0);
    }
  })();
  return {
    isUp: () => connected && !connection.isClosed(),
    onReconnect: (listener: () => void) => reconnectListeners.push(listener),
    ended: watching.catch(() => undefined),
  };
}

function natsSubscriber(
  config: NatsConfig,
  js: JetStreamClient,
  isUp: () => boolean,
  metrics: NatsMetrics | undefined,
): Subscriber {
  const patterns = config.events.length > 0 ? config.events : ["*"];
  const count = (outcome: "stored" | "duplicate" | "failed") =>
    metrics?.publishes.inc({ stream: config.stream, outcome });
  return {
    id: `nats:${config.stream}`,
    wants: (type) => patterns.some((pattern) => matchesPattern(pattern, type)),
    async deliver(delivery: DeliveryRequest): Promise<DeliveryResult> {
      // While disconnected the client would buffer the publish in memory until it times out;
      // failing at once keeps memory bounded and leaves the event in the outbox.
      if (!isUp()) {
        count("failed");
        return { ok: false, statusCode: null, error: "NATS is not connected" };
      }
      const messageHeaders = headers();
      messageHeaders.set(EVENT_TYPE_HEADER, delivery.eventType);
      messageHeaders.set(ATTEMPT_HEADER, String(delivery.attempt));
      const subject = subjectForEventType(config.subjectPrefix, delivery.eventType);
      try {
        // Delivered only once the stream acknowledged it (stored, or known as a duplicate).
        const ack = await js.publish(subject, delivery.body, {
          msgID: delivery.eventId,
          timeout: config.timeoutMs,
          headers: messageHeaders,
          expect: { streamName: config.stream },
        });
        count(ack.duplicate ? "duplicate" : "stored");
        return { ok: true, statusCode: null };
      } catch (error) {
        count("failed");
        const reason = `NATS publish failed: ${describeNatsError(error)}`;
        return { ok: false, statusCode: null, error: reason };
      }
    },
  };
}

function buildFanOut(
  config: NatsConfig,
  options: NatsJetStreamOptions,
  connection: NatsConnection,
  jsm: JetStreamManager,
  duplicateWindowMs: number,
): NatsJetStreamFanOut {
  const metrics = options.registry ? natsMetrics(options.registry) : undefined;
  const state = watchConnection(connection, config.stream, options.logger, metrics);
  const js = jetstream(connection, { timeout: config.timeoutMs });
  return {
    subscriber: natsSubscriber(config, js, state.isUp, metrics),
    connection,
    duplicateWindowMs,
    readiness: {
      name: "nats",
      // Connected is not enough: the stream must answer its API within the timeout too.
      async check() {
        if (!state.isUp()) return false;
        await jsm.streams.info(config.stream);
        return true;
      },
    },
    onReconnect: (listener) => {
      state.onReconnect(listener);
    },
    async close() {
      // Drain lets publishes in flight get their acknowledgements; bounded by the timeout.
      await Promise.race([
        connection.drain().catch(() => connection.close()),
        new Promise((resolve) => setTimeout(resolve, config.timeoutMs).unref()),
      ]);
      if (!connection.isClosed()) await connection.close();
      await state.ended;
      metrics?.connected.set({ stream: config.stream }, 0);
    },
  };
}

/** Error text fit for logs and the outbox: no credentials, only the kind of failure. */
export function describeNatsError(error: unknown): string {
  if (!(error instanceof Error)) return "unknown error";
  const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
  return `${name}${error.message}`.slice(0, 300);
}

function natsMetrics(registry: Registry) {
  const connected =
    (registry.getSingleMetric("portone_bff_nats_connected") as Gauge<"stream"> | undefined) ??
    new Gauge({
      name: "portone_bff_nats_connected",
      help: "1 while the connection to NATS is up, 0 while events wait in the outbox for it.",
      labelNames: ["stream"] as const,
      registers: [registry],
    });
  const publishes =
    (registry.getSingleMetric("portone_bff_nats_publishes_total") as
      | Counter<"stream" | "outcome">
      | undefined) ??
    new Counter({
      name: "portone_bff_nats_publishes_total",
      help: "Publishes to the NATS event stream, by outcome: stored, duplicate (dropped by the stream's de-duplication), failed.",
      labelNames: ["stream", "outcome"] as const,
      registers: [registry],
    });
  return { connected, publishes };
}
