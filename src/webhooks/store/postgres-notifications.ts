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

/**
 * The triggers of migration 003 notify with the schema and name of the table that got rows:
 * the channel is per database, and deployments in other schemas of it are not ours. (002's
 * triggers sent the bare table name; they are gone once 003 is applied.)
 */
function kindOf(payload: string, schema: string | undefined): WorkKind | undefined {
  if (payload === `${schema}.webhook_events`) return "events";
  if (payload === `${schema}.webhook_deliveries`) return "deliveries";
  return undefined;
}

/** New webhook work announced by the NOTIFY triggers, on one dedicated connection per process. */
export function postgresWorkNotifications(
  options: PostgresWorkNotificationsOptions,
): WorkNotifications {
  let listener: ReturnType<typeof listenForNotifications> | undefined;
  let schema: string | undefined;
  return {
    start(onWork) {
      if (listener) return;
      listener = listenForNotifications({
        clientConfig: options.clientConfig,
        channel: WEBHOOK_WORK_CHANNEL,
        onConnect: async (client) => {
          const { rows } = await client.query<{ schema: string }>(
            "SELECT current_schema() AS schema",
          );
          schema = rows[0]?.schema;
        },
        onNotification: (payload) => {
          const kind = kindOf(payload, schema);
          if (kind) onWork(kind);
        },
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
