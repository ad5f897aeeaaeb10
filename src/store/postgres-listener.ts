import pg from "pg";
import { backoffDelayMs } from "../sdk/runtime/retry-policy.js";

/** The part of a pino/Fastify logger the listener uses. */
export interface ListenerLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface ListenerOptions {
  /** Connection settings (timeouts, keepalive): usually the pool's `clientConfig`. */
  readonly clientConfig: pg.ClientConfig;
  readonly channel: string;
  readonly onNotification: (payload: string) => void;
  /** Runs on each new connection once LISTEN is in effect, before `onListening`. */
  readonly onConnect?: (client: pg.Client) => Promise<void>;
  /**
   * LISTEN is in effect (again). Whatever was notified while it was not is lost, so the caller
   * looks for work it may have missed.
   */
  readonly onListening: () => void;
  readonly logger: ListenerLogger;
  readonly reconnect?: Partial<ReconnectPolicy>;
  /**
   * How often the idle connection runs a query. A peer that went silent (a partition) is
   * otherwise noticed only by TCP keepalive, which the OS gives up on after many minutes.
   */
  readonly heartbeatMs?: number;
}

export interface ReconnectPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

const defaultReconnect: ReconnectPolicy = { initialDelayMs: 250, maxDelayMs: 15_000 };
const DEFAULT_HEARTBEAT_MS = 10_000;
/** Closing a connection whose peer went silent must not hold up shutdown. */
const CLOSE_TIMEOUT_MS = 1_000;

export interface PostgresListener {
  /** True while LISTEN is in effect on a connection that answered its last heartbeat. */
  readonly listening: boolean;
  close(): Promise<void>;
}

/**
 * One dedicated connection (not from the pool: a pooled client would be handed to other work
 * and lose its LISTEN) that receives NOTIFY on one channel. A lost connection is replaced with
 * exponential backoff and jitter, for as long as the listener is open.
 */
export function listenForNotifications(options: ListenerOptions): PostgresListener {
  const reconnect = { ...defaultReconnect, ...options.reconnect };
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  let client: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (delayMs: number, action: () => void) => {
    clearTimeout(timer);
    timer = setTimeout(action, delayMs);
    timer.unref();
  };

  const connect = async () => {
    if (closed) return;
    const current = new pg.Client(options.clientConfig);
    client = current;
    let lost = false;
    const lose = (error: unknown) => {
      if (lost) return;
      lost = true;
      listening = false;
      current.end().catch(() => {});
      if (closed) return;
      const delayMs = backoffDelayMs(++failures, Math.random, {
        baseDelayMs: reconnect.initialDelayMs,
        maxDelayMs: reconnect.maxDelayMs,
      });
      options.logger.warn(
        { err: error, channel: options.channel, retryInMs: Math.round(delayMs) },
        "lost the PostgreSQL LISTEN connection; polling until it is back",
      );
      schedule(delayMs, () => void connect());
    };
    current.on("error", lose);
    current.on("end", () => lose(new Error("the connection was closed")));
    current.on("notification", (message) => {
      if (message.channel === options.channel) options.onNotification(message.payload ?? "");
    });
    try {
      await current.connect();
      await current.query(`LISTEN ${current.escapeIdentifier(options.channel)}`);
      await options.onConnect?.(current);
    } catch (error) {
      lose(error);
      return;
    }
    if (lost || closed) return;
    if (failures > 0) options.logger.info({ channel: options.channel }, "LISTEN is back");
    failures = 0;
    listening = true;
    const heartbeat = () => {
      current.query("SELECT 1").then(() => {
        if (!lost && !closed) schedule(heartbeatMs, heartbeat);
      }, lose);
    };
    schedule(heartbeatMs, heartbeat);
    options.onListening();
  };

  void connect();
  return {
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      listening = false;
      clearTimeout(timer);
      const last = client;
      client = undefined;
      if (!last) return;
      await Promise.race([
        last.end().catch(() => {}),
        new Promise((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref()),
      ]);
    },
  };
}
