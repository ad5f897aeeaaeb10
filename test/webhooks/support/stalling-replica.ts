// A replica that ingests webhooks and then stalls in every event's dispatch (its payment sync
// never answers), for tests that kill it with SIGKILL while it holds events leased to itself.
// Run with `node --import tsx`; configured by env (DATABASE_URL or DATA_DIR, WEBHOOK_SECRET,
// WEBHOOK_LEASE_MS); prints one JSON line with its URL and worker id once it listens.
import Fastify from "fastify";
import { openDatabase } from "../../../src/store/database.js";
import { createWebhooks } from "../../../src/webhooks/pipeline.js";
import { openWebhookStore } from "../../../src/webhooks/store/index.js";

const silent = { info() {}, warn() {}, error() {} };
const leaseMs = Number(process.env.WEBHOOK_LEASE_MS);
const db = await openDatabase({
  databaseUrl: process.env.DATABASE_URL || undefined,
  dataDir: process.env.DATA_DIR ?? "/nonexistent",
});
const webhooks = await createWebhooks({
  store: await openWebhookStore(db),
  secrets: [process.env.WEBHOOK_SECRET ?? ""],
  sandbox: true,
  payments: { sync: () => new Promise(() => {}), isPermanent: () => false },
  tuning: { leaseMs, deliveryTimeoutMs: leaseMs / 2, pollIntervalMs: 50 },
  logger: silent,
});
webhooks.on("Transaction.*", () => {});
const app = Fastify();
await app.register(webhooks.publicPlugin);
webhooks.start();
const url = await app.listen({ port: 0, host: "127.0.0.1" });
process.stdout.write(`${JSON.stringify({ url, workerId: webhooks.dispatcher.workerId })}\n`);
