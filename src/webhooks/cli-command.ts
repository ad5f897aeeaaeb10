import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { openDatabase, SQLITE_FILE_NAME } from "../store/database.js";
import { openWebhookStore } from "./store/index.js";

export interface WebhooksCommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const USAGE = `Usage:
  portone-bff webhooks dead-letters [--subscriber <id>] [--event <webhook-id>] [--limit <n>]
  portone-bff webhooks replay [--subscriber <id>] [--event <webhook-id>]

Reads DATABASE_URL (PostgreSQL) or DATA_DIR (SQLite) like the service. A replay puts dead
letters back in the queue with a fresh retry budget; the running service delivers them.`;

/**
 * `portone-bff webhooks ...`: operator commands on the outbox, working directly on the
 * database so they also work while the service is down. Returns the exit code.
 */
export async function runWebhooksCommand(
  args: readonly string[],
  store: { readonly databaseUrl?: string | undefined; readonly dataDir: string },
  io: WebhooksCommandIo = { out: console.log, err: console.error },
): Promise<number> {
  const [action, ...rest] = args;
  if (action === "--help" || action === "-h" || action === "help") {
    io.out(USAGE);
    return 0;
  }
  let values: { subscriber?: string; event?: string; limit?: string };
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: {
        subscriber: { type: "string" },
        event: { type: "string" },
        limit: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (action !== "dead-letters" && action !== "replay") {
    io.err(action ? `Unknown webhooks command "${action}".\n\n${USAGE}` : USAGE);
    return 2;
  }
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    io.err("--limit must be a whole number of at least 1.");
    return 2;
  }

  const missing = missingSqliteFile(store);
  if (missing) {
    // Opening would create an empty database and report "No dead letters." about nothing.
    io.err(
      `No service database at ${missing}: nothing to inspect. Run this where the service runs, or set DATA_DIR (SQLite) or DATABASE_URL (PostgreSQL) as the service has them.`,
    );
    return 1;
  }
  const db = await openDatabase({ databaseUrl: store.databaseUrl, dataDir: store.dataDir });
  try {
    const webhookStore = await openWebhookStore(db);
    const filter = {
      ...(values.subscriber ? { subscriberId: values.subscriber } : {}),
      ...(values.event ? { eventId: values.event } : {}),
    };
    if (action === "replay") {
      const replayed = await webhookStore.replayDeadLetters({ ...filter, now: Date.now() });
      io.out(`Replayed ${replayed} dead letter${replayed === 1 ? "" : "s"}.`);
      return 0;
    }
    const deadLetters = await webhookStore.listDeliveries({ ...filter, state: "dead", limit });
    if (deadLetters.length === 0) {
      io.out("No dead letters.");
      return 0;
    }
    for (const dead of deadLetters) {
      io.out(
        [
          dead.eventId,
          dead.eventType,
          dead.subscriberId,
          `attempts=${dead.attempts}`,
          `last=${dead.lastError ?? "-"}`,
          new Date(dead.updatedAt).toISOString(),
        ].join("\t"),
      );
    }
    return 0;
  } finally {
    await db.close();
  }
}

/** The SQLite file the service would use, when it does not exist (PostgreSQL: never missing). */
function missingSqliteFile(store: {
  readonly databaseUrl?: string | undefined;
  readonly dataDir: string;
}): string | undefined {
  if (store.databaseUrl) return undefined;
  const file = resolve(join(store.dataDir, SQLITE_FILE_NAME));
  return existsSync(file) ? undefined : file;
}
