// Claim cost vs backlog on PostgreSQL: EXPLAIN ANALYZE of the dispatcher's claim statements
// (events and deliveries) at 1k, 20k and 100k pending rows, once on a schema with only the
// first migration (claim indexes on next_attempt_at alone) and once with every migration
// (partial indexes matching the claims' ORDER BY). Each claim runs in a transaction that is
// rolled back, so every sample sees the same backlog. Target: flat from 1k to 100k.
//
//   npm run build && TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node bench/webhook-claim-plan.js
import pg from "pg";
import { webhookMigrations } from "../dist/webhooks/store/migrations.js";
import { environmentLine, fixed, median, printTable } from "./lib/stats.js";

const URL_TEXT = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!URL_TEXT) throw new Error("set TEST_DATABASE_URL (or BENCH_DATABASE_URL) to a PostgreSQL");
const SIZES = (process.env.BENCH_CLAIM_SIZES ?? "1000,20000,100000").split(",").map(Number);
const SAMPLES = Number(process.env.BENCH_CLAIM_SAMPLES ?? 15);
const NOW = 10_000_000;

const EVENT_CLAIM = `
  WITH due AS (
    SELECT id FROM webhook_events
    WHERE state = 'pending' AND next_attempt_at <= $1
      AND (lease_until IS NULL OR lease_until <= $1)
    ORDER BY received_at, id LIMIT 8
    FOR UPDATE SKIP LOCKED)
  UPDATE webhook_events e
  SET lease_owner = 'bench', lease_until = $1 + 30000, attempts = e.attempts + 1
  FROM due WHERE e.id = due.id
  RETURNING e.*`;
const DELIVERY_CLAIM = `
  WITH due AS (
    SELECT id FROM webhook_deliveries
    WHERE state = 'pending' AND next_attempt_at <= $1
      AND (lease_until IS NULL OR lease_until <= $1)
      AND subscriber_id = ANY(ARRAY['sub-a', 'sub-b'])
    ORDER BY next_attempt_at, id LIMIT 8
    FOR UPDATE SKIP LOCKED),
  claimed AS (
    UPDATE webhook_deliveries d
    SET lease_owner = 'bench', lease_until = $1 + 30000, attempts = d.attempts + 1, updated_at = $1
    FROM due WHERE d.id = due.id
    RETURNING d.*)
  SELECT claimed.*, e.type AS event_type, e.body AS body
  FROM claimed JOIN webhook_events e ON e.id = claimed.event_id`;

const admin = new pg.Client({ connectionString: URL_TEXT });
await admin.connect();
console.log(environmentLine());
const rows = [];
try {
  for (const [label, migrations] of [
    ["001 only (before)", webhookMigrations.slice(0, 1)],
    ["all migrations (after)", webhookMigrations],
  ]) {
    for (const size of SIZES) rows.push(await measure(label, migrations, size));
  }
} finally {
  await admin.end();
}
printTable([
  [
    "schema",
    "pending rows",
    "event claim ms (median)",
    "event plan",
    "delivery claim ms (median)",
    "delivery plan",
  ],
  ...rows,
]);

async function measure(label, migrations, size) {
  const schema = `claim_plan_${process.pid}_${size}`;
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`SET search_path = ${schema}`);
  try {
    for (const migration of migrations) await admin.query(migration.postgres);
    // Half the backlog is dispatched history (not pending), as in a running service.
    await admin.query(
      `INSERT INTO webhook_events (id, source, format, type, occurred_at, data, received_at, next_attempt_at, state)
       SELECT 'evt-' || n, 'portone', '2024-04-25', 'Transaction.Paid', '2024-04-25T10:00:00Z',
              '{"paymentId":"pay-' || n || '"}', n, n, CASE WHEN n <= $1 THEN 'pending' ELSE 'dispatched' END
       FROM generate_series(1, $1 * 2) AS n`,
      [size],
    );
    await admin.query(
      `INSERT INTO webhook_deliveries (event_id, subscriber_id, next_attempt_at, created_at, updated_at, state)
       SELECT 'evt-' || n, CASE WHEN n % 2 = 0 THEN 'sub-a' ELSE 'sub-b' END, n, n, n,
              CASE WHEN n <= $1 THEN 'pending' ELSE 'delivered' END
       FROM generate_series(1, $1 * 2) AS n`,
      [size],
    );
    await admin.query("ANALYZE webhook_events; ANALYZE webhook_deliveries");
    const events = await sample(EVENT_CLAIM);
    const deliveries = await sample(DELIVERY_CLAIM);
    return [
      label,
      size.toLocaleString("en-US"),
      fixed(events.ms, 3),
      events.plan,
      fixed(deliveries.ms, 3),
      deliveries.plan,
    ];
  } finally {
    await admin.query("RESET search_path");
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  }
}

async function sample(sql) {
  const times = [];
  let plan = "";
  for (let i = 0; i < SAMPLES; i++) {
    await admin.query("BEGIN");
    try {
      const { rows } = await admin.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, [NOW]);
      const [result] = rows[0]["QUERY PLAN"];
      times.push(result["Execution Time"]);
      plan = scans(result.Plan).join(", ");
    } finally {
      await admin.query("ROLLBACK");
    }
  }
  return { ms: median(times), plan };
}

/** The scans of the claimed table in a plan, e.g. "Index Scan webhook_events_claim". */
function scans(node, found = []) {
  if (
    /Scan/.test(node["Node Type"]) &&
    /webhook_(events|deliveries)$/.test(node["Relation Name"] ?? "")
  ) {
    found.push(`${node["Node Type"]}${node["Index Name"] ? ` ${node["Index Name"]}` : ""}`);
  }
  if (node["Node Type"] === "Sort") found.push(`Sort (${node["Sort Method"] ?? "?"})`);
  for (const child of node.Plans ?? []) scans(child, found);
  return found;
}
