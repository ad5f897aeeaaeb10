// CPU cost of one inbox insert batch on PostgreSQL, client and server side, per way of writing
// it: one text[] parameter per column through unnest (the store before), or the whole batch as
// one JSON parameter through json_to_recordset; every inserted id returned, no rows, or only
// the ids that were already stored (the store now). With migration 004's notify trigger, and
// without it (the floor: what the trigger costs), or without the partial claim index; and the
// insert of bench/lib/floor-ingest.js into its three-column table (the least durable ingest's
// statement, for comparison). One connection runs
// the batches back to back, each an implicit transaction (synchronous_commit as configured),
// in a schema of its own in a database of its own; variants rotate per round. Client CPU is
// this process's (the driver building the message and parsing the answer), server CPU the
// backend's, read from /proc (local server only).
//
//   npm run build && TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//     node bench/webhook-insert-statement.js
//   (BENCH_STATEMENTS per round and variant, BENCH_ROUNDS, BENCH_BATCH: rows per statement)
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import pg from "pg";
import { FLOOR_INSERT, FLOOR_TABLE } from "./lib/floor-ingest.js";
import { fixed, median, printTable } from "./lib/stats.js";

const SERVER_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const STATEMENTS = Number(process.env.BENCH_STATEMENTS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = Number(process.env.BENCH_BATCH ?? 5);
const DIST = process.env.BENCH_DIST ?? new URL("../dist", import.meta.url).href;
const CLOCK_TICKS_PER_SECOND = 100;

const { webhookMigrations } = await import(`${DIST}/webhooks/store/migrations.js`);

let sequence = 0;
/** A batch as the route stores it: unleased (ingest alone) or leased to its storer. */
function batchOf(leased) {
  return Array.from({ length: BATCH }, () => {
    const n = ++sequence;
    return {
      id: `msg_${randomBytes(6).toString("hex")}_${n}`,
      source: "webhook",
      format: "v2",
      type: "Transaction.Paid",
      occurredAt: new Date().toISOString(),
      data: { storeId: "store-bench", paymentId: `payment-${n}`, transactionId: `tx-${n}` },
      receivedAt: Date.now(),
      leaseOwner: leased ? "replica-1" : null,
      leaseUntil: leased ? Date.now() + 30_000 : null,
      attempts: leased ? 1 : 0,
    };
  });
}

const arrays = {
  text: `INSERT INTO webhook_events (id, source, format, type, occurred_at, data, received_at,
                                 next_attempt_at, lease_owner, lease_until, attempts)
     SELECT id, source, format, type, occurred_at, data, received_at, received_at,
            lease_owner, lease_until, attempts
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                 $7::bigint[], $8::text[], $9::bigint[], $10::int[])
       AS incoming (id, source, format, type, occurred_at, data, received_at, lease_owner,
                    lease_until, attempts)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
  values: (batch) => [
    batch.map((row) => row.id),
    batch.map((row) => row.source),
    batch.map((row) => row.format),
    batch.map((row) => row.type),
    batch.map((row) => row.occurredAt),
    batch.map((row) => JSON.stringify(row.data)),
    batch.map((row) => row.receivedAt),
    batch.map((row) => row.leaseOwner),
    batch.map((row) => row.leaseUntil),
    batch.map((row) => row.attempts),
  ],
};

const JSON_SOURCE = `json_to_recordset($1::json) AS incoming (id text, source text, format text,
       type text, occurred_at text, data text, received_at bigint, lease_owner text,
       lease_until bigint, attempts int)`;
const jsonValues = (batch) => [
  JSON.stringify(
    batch.map((row) => ({
      id: row.id,
      source: row.source,
      format: row.format,
      type: row.type,
      occurred_at: row.occurredAt,
      data: JSON.stringify(row.data),
      received_at: row.receivedAt,
      lease_owner: row.leaseOwner,
      lease_until: row.leaseUntil,
      attempts: row.attempts,
    })),
  ),
];
const INSERT_FROM_JSON = `INSERT INTO webhook_events (id, source, format, type, occurred_at, data,
       received_at, next_attempt_at, lease_owner, lease_until, attempts)
     SELECT id, source, format, type, occurred_at, data, received_at, received_at,
            lease_owner, lease_until, attempts
     FROM ${JSON_SOURCE}
     ON CONFLICT (id) DO NOTHING`;

/** The store's own statement: answers only the ids that were stored before (usually none). */
const { INSERT_EVENTS_FROM_JSON: INSERT_FROM_JSON_RETURNING_DUPLICATES } = await import(
  `${DIST}/webhooks/store/postgres.js`
);

/** The statement of bench/lib/floor-ingest.js: the least durable ingest, for comparison. */
const floorStatement = {
  text: FLOOR_INSERT.text,
  values: (batch) => [
    JSON.stringify(
      batch.map((row) => ({
        id: row.id,
        body: JSON.stringify({ type: row.type, timestamp: row.occurredAt, data: row.data }),
      })),
    ),
  ],
};

const statements = {
  "floor route's insert (id and body)": floorStatement,
  "one json, duplicates returned": {
    text: INSERT_FROM_JSON_RETURNING_DUPLICATES,
    values: jsonValues,
    rows: 0,
  },
  "text[] x10, RETURNING id": arrays,
  "one json, RETURNING id": { text: `${INSERT_FROM_JSON} RETURNING id`, values: jsonValues },
  "one json, row count only": { text: INSERT_FROM_JSON, values: jsonValues },
};

/** The schema as migrated, or without the notify trigger. */
const schemas = {
  "004 statement trigger": webhookMigrations,
  "no trigger (floor)": [
    ...webhookMigrations,
    { postgres: "DROP TRIGGER webhook_events_notify ON webhook_events" },
  ],
  "no claim index": [...webhookMigrations, { postgres: "DROP INDEX webhook_events_claim" }],
  "floor route's table": [{ postgres: FLOOR_TABLE }],
};

const variants = [
  ["text[] x10, RETURNING id", "004 statement trigger"],
  ["one json, RETURNING id", "004 statement trigger"],
  ["one json, row count only", "004 statement trigger"],
  ["one json, duplicates returned", "004 statement trigger"],
  ["one json, duplicates returned", "no trigger (floor)"],
  ["one json, duplicates returned", "no claim index"],
].flatMap(([statement, schema]) =>
  [false, true].map((leased) => ({
    name: `${statement}; ${schema}; ${leased ? "leased" : "unleased"} rows`,
    statement,
    schema,
    leased,
  })),
);
variants.push({
  name: "floor route's insert (id and body); floor route's table",
  statement: "floor route's insert (id and body)",
  schema: "floor route's table",
  leased: false,
});

function backendCpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
}

async function connect(url, schema) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`SET search_path TO "${schema}"`);
  const { rows } = await client.query("SELECT pg_backend_pid() AS pid");
  return { client, pid: rows[0].pid };
}

async function run(variant, connection, index) {
  const { client, pid } = connection;
  const { text, values, rows = BATCH } = statements[variant.statement];
  const name = `insert-${index}`;
  const batches = Array.from({ length: STATEMENTS }, () => values(batchOf(variant.leased)));
  const cpuBefore = process.cpuUsage();
  const backendBefore = backendCpuMicros(pid);
  for (const batchValues of batches) {
    const result = await client.query({ name, text, values: batchValues });
    if (result.rowCount !== rows) throw new Error(`${variant.name}: ${result.rowCount} rows`);
  }
  const cpu = process.cpuUsage(cpuBefore);
  return {
    client: (cpu.user + cpu.system) / STATEMENTS,
    backend: (backendCpuMicros(pid) - backendBefore) / STATEMENTS,
  };
}

const admin = new pg.Client({ connectionString: SERVER_URL });
await admin.connect();
const database = `bench_insert_${randomBytes(4).toString("hex")}`;
await admin.query(`CREATE DATABASE ${database}`);
const url = new URL(SERVER_URL);
url.pathname = `/${database}`;
try {
  const connections = [];
  for (const [index, variant] of variants.entries()) {
    const schema = `s${index}`;
    const setup = new pg.Client({ connectionString: url.toString() });
    await setup.connect();
    await setup.query(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
    for (const migration of schemas[variant.schema]) await setup.query(migration.postgres);
    await setup.end();
    connections.push(await connect(url.toString(), schema));
  }
  const samples = variants.map(() => []);
  for (let round = -1; round < ROUNDS; round++) {
    for (let step = 0; step < variants.length; step++) {
      const index = (step + Math.max(round, 0)) % variants.length;
      const sample = await run(variants[index], connections[index], index);
      if (round >= 0) samples[index].push(sample);
    }
  }
  console.log(
    `### One inbox insert statement of ${BATCH} rows on PostgreSQL (${STATEMENTS} per round, ` +
      `${ROUNDS} rounds after a warm-up, medians; per round in brackets)\n`,
  );
  const cell = (values) =>
    `${fixed(median(values), 0)} (${values.map((value) => fixed(value, 0)).join(", ")})`;
  printTable([
    ["variant", "client CPU µs/statement", "backend CPU µs/statement"],
    ...variants.map((variant, index) => [
      variant.name,
      cell(samples[index].map((sample) => sample.client)),
      cell(samples[index].map((sample) => sample.backend)),
    ]),
  ]);
  for (const { client } of connections) await client.end();
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
}
