// The floor of durable webhook ingest on PostgreSQL: what a route that does nothing but store
// each request's body under its webhook-id, and answer only once that row is committed, can
// reach on this machine. No signature check, no normalisation, no dispatch; one connection with
// one statement in flight (as the service has), the inserts that arrive meanwhile sent together
// as the next multi-row insert (the service batches the same way), or several connections with
// one each. Whatever this reaches bounds the service's own ingest.
/** The floor's table and its batch insert (also priced alone by bench/webhook-insert-statement.js). */
export const FLOOR_TABLE = `CREATE TABLE IF NOT EXISTS floor_events (
  id text PRIMARY KEY,
  body text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
)`;
export const FLOOR_INSERT = {
  name: "floor-insert",
  text: `INSERT INTO floor_events (id, body)
    SELECT id, body FROM json_to_recordset($1::json) AS r(id text, body text)
    ON CONFLICT (id) DO NOTHING`,
};

/** Adds `POST /webhooks/portone` to `app`, storing through `clients` (connected pg.Clients). */
export async function registerFloorIngest(app, clients) {
  const [client] = clients;
  // Replicas start together: the table is created under a lock so they do not race.
  await client.query("BEGIN");
  await client.query("SELECT pg_advisory_xact_lock(4242)");
  await client.query(FLOOR_TABLE);
  await client.query("COMMIT");
  const store = batchedInsert(clients);
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) =>
    done(null, body),
  );
  app.post("/webhooks/portone", async (request, reply) => {
    const id = request.headers["webhook-id"];
    if (typeof id !== "string" || typeof request.body !== "string")
      return reply.code(400).send({ error: "webhook-id and a JSON body are required" });
    await store(id, request.body);
    return reply.code(200).send({ received: true });
  });
}

/** One statement in flight per client; what queues meanwhile goes as the next one. */
function batchedInsert(clients) {
  let queue = [];
  let scheduled = false;
  const idle = [...clients];
  const flush = async () => {
    scheduled = false;
    const client = idle.pop();
    if (!client) return;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      const rows = JSON.stringify(batch.map((item) => ({ id: item.id, body: item.body })));
      try {
        await client.query({ ...FLOOR_INSERT, values: [rows] });
        for (const item of batch) item.resolve();
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    idle.push(client);
  };
  return (id, body) =>
    new Promise((resolve, reject) => {
      queue.push({ id, body, resolve, reject });
      if (scheduled || idle.length === 0) return;
      scheduled = true;
      // The first insert waits for the rest of its turn, as the service's group commit does.
      setImmediate(flush);
    });
}
