import type pg from "pg";
import { type ListenerLogger, listenForNotifications } from "../../store/postgres-listener.js";
import type { WorkKind, WorkNotifications } from "../work-notifications.js";
import { WEBHOOK_WORK_CHANNEL } from "./migrations.js";

export interface PostgresWorkNotificationsOptions {
  /** The database's `clientConfig`: the LISTEN connection gets the pool's timeouts. */
  readonly clientConfig: pg.ClientConfig;
  readonly logger: ListenerLogger;
  readonly heartbeatMs?: number;
  readonly reconnect?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number };
}

/** The triggers of migration 002 notify with the name of the table that got rows. */
const kindOfTable: Readonly<Record<string, WorkKind>> = {
  webhook_events: "events",
  webhook_deliveries: "deliveries",
};

/** New webhook work announced by the NOTIFY triggers, on one dedicated connection per process. */
export function postgresWorkNotifications(
  options: PostgresWorkNotificationsOptions,
): WorkNotifications {
  let listener: ReturnType<typeof listenForNotifications> | undefined;
  return {
    start(onWork) {
      if (listener) return;
      listener = listenForNotifications({
        clientConfig: options.clientConfig,
        channel: WEBHOOK_WORK_CHANNEL,
        onNotification: (table) => onWork(kindOfTable[table] ?? "all"),
        onListening: () => onWork("all"),
        logger: options.logger,
        ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
        ...(options.reconnect ? { reconnect: options.reconnect } : {}),
      });
    },
    get live() {
      return listener?.listening ?? false;
    },
    async stop() {
      await listener?.close();
      listener = undefined;
    },
  };
}
