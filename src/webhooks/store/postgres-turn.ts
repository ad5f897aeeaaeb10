import type pg from "pg";
import type { Completion, NewEvent } from "./rows.js";
import { deliveryBody, deliveryOutcomeColumns, newEventLeaseColumns } from "./rows.js";
import type { ClaimedDelivery, DeliveryOutcome } from "./webhook-store.js";

/*
 * One turn of the inbox's writes as one statement. Under load a process has, per turn of the
 * event loop, new events to insert, claimed events to complete (with their fan-out) and
 * delivery attempts to record. Written as one statement per kind, each pays the fixed cost of a
 * statement and its commit (about 100-200 µs of backend CPU and 60-70 µs of driver CPU however
 * few its rows), and with three replicas sharing the load each kind's batches are a third as
 * large, so that cost is paid three times as often per event. Here every kind a turn holds is
 * one data-modifying CTE of a single statement over one JSON parameter each: one round trip,
 * one execution, one commit, and one batch in flight per process instead of one per kind.
 *
 * The parts never depend on each other's rows: an event is completed only once its insert was
 * committed (its storer learns of it from that commit), and a delivery attempt is recorded only
 * once its completion was. So the one snapshot all CTEs of a statement share is the right one.
 */

export interface Finish {
  readonly delivery: ClaimedDelivery;
  readonly outcome: DeliveryOutcome;
}

/** One write of a turn, and what its caller gets back. */
export type TurnWrite =
  | { readonly kind: "insert"; readonly pending: NewEvent }
  | { readonly kind: "complete"; readonly completion: Completion }
  | { readonly kind: "finish"; readonly finish: Finish };

/** Insert: true when the event was new. Complete: the leased deliveries, or null when the
 * claim was lost. Finish: false when the claim was lost. */
export type TurnResult = boolean | ClaimedDelivery[] | null;

type PartName = "insert" | "complete" | "finish";

interface Part {
  /** The part's CTEs; `$PARAM` stands for its one JSON parameter. */
  readonly ctes: string;
  /**
   * SELECTs of the part's answer rows, each (kind, id, owner, attempt, delivery_id,
   * subscriber_id) by name: whichever part comes first names the columns of the UNION.
   */
  readonly answers: string;
}

/*
 * The completion and attempt-record parts take one JSON document per row in an array: the
 * planner expects 10 rows from `unnest` of an array parameter but 100 from
 * `json_to_recordset`, and with 100 it joins by scanning the whole partial claim index (whose
 * entries for rows no longer pending stay until vacuum: 0.59 ms for one row against 0.056 ms
 * by the primary key, measured with 20,000 such entries) instead of probing the primary key.
 * The array is read through a scalar subquery so that the estimate stays 10 in a custom plan
 * too: given the array itself, the planner counts its elements, finds a custom plan for one or
 * two rows cheaper than the generic plan for 10 and, for a statement with a completion part but
 * no insert part, plans every execution afresh (about 0.3 ms of backend CPU each, measured),
 * which three replicas' smaller turns, more often without an insert, pay for most.
 */
const PARTS: Record<PartName, Part> = {
  // Answers only the ids stored before (usually none): rows the driver need not parse.
  insert: {
    ctes: `incoming AS (
       SELECT * FROM json_to_recordset($PARAM::json) AS incoming (id text, source text,
         format text, type text, occurred_at text, data text, received_at bigint,
         lease_owner text, lease_until bigint, attempts int)),
     stored AS (
       INSERT INTO webhook_events (id, source, format, type, occurred_at, data, received_at,
                                   next_attempt_at, lease_owner, lease_until, attempts)
       SELECT id, source, format, type, occurred_at, data, received_at, received_at,
              lease_owner, lease_until, attempts
       FROM incoming
       ON CONFLICT (id) DO NOTHING
       RETURNING id)`,
    answers: `SELECT 'duplicate'::text AS kind, id, NULL::text AS owner, NULL::int AS attempt,
            NULL::bigint AS delivery_id, NULL::text AS subscriber_id
     FROM (SELECT id FROM incoming EXCEPT SELECT id FROM stored) AS duplicates`,
  },
  // Each event whose claim is still current is marked dispatched and fanned out in the same
  // commit, its deliveries leased to the claimant where asked.
  complete: {
    ctes: `done AS (
       UPDATE webhook_events e
       SET state = 'dispatched', body = c.body, dispatched_at = c.now, lease_owner = NULL,
           lease_until = NULL, last_error = NULL
       FROM unnest((SELECT $PARAM::json[])) AS one, json_to_record(one) AS c (id text,
         owner text, attempt int, body text, now bigint, lease_until bigint, subscriber_ids json)
       WHERE e.id = c.id AND e.lease_owner = c.owner AND e.attempts = c.attempt
         AND e.state = 'pending'
       RETURNING e.id, c.owner, c.attempt, c.now, c.lease_until, c.subscriber_ids),
     fanned AS (
       INSERT INTO webhook_deliveries (event_id, subscriber_id, next_attempt_at, created_at,
                                       updated_at, lease_owner, lease_until, attempts)
       SELECT done.id, s.subscriber_id, done.now, done.now, done.now,
              CASE WHEN done.lease_until IS NULL THEN NULL ELSE done.owner END, done.lease_until,
              CASE WHEN done.lease_until IS NULL THEN 0 ELSE 1 END
       FROM done, json_array_elements_text(done.subscriber_ids) AS s (subscriber_id)
       ON CONFLICT (event_id, subscriber_id) DO NOTHING
       RETURNING id, event_id, subscriber_id, lease_owner)`,
    answers: `SELECT 'done'::text AS kind, id, owner, attempt, NULL::bigint AS delivery_id,
            NULL::text AS subscriber_id
     FROM done
     UNION ALL
     SELECT 'leased'::text, event_id, lease_owner, 1, id, subscriber_id
     FROM fanned WHERE lease_owner IS NOT NULL`,
  },
  finish: {
    ctes: `finished AS (
       UPDATE webhook_deliveries d
       SET state = c.state, next_attempt_at = c.next_attempt_at, last_error = c.error,
           last_status_code = c.status_code, updated_at = c.now, delivered_at = c.delivered_at,
           lease_owner = NULL, lease_until = NULL
       FROM unnest((SELECT $PARAM::json[])) AS one, json_to_record(one) AS c (id bigint,
         owner text, attempt int, state text, next_attempt_at bigint, error text,
         status_code int, now bigint, delivered_at bigint)
       WHERE d.id = c.id AND d.lease_owner = c.owner AND d.attempts = c.attempt
         AND d.state = 'pending'
       RETURNING d.id, c.owner, c.attempt)`,
    answers: `SELECT 'finished'::text AS kind, id::text AS id, owner, attempt,
            NULL::bigint AS delivery_id, NULL::text AS subscriber_id
     FROM finished`,
  },
};

const PART_ORDER: readonly PartName[] = ["insert", "complete", "finish"];

export interface TurnStatement {
  readonly name: string;
  readonly text: string;
}

const statements = new Map<string, TurnStatement>();

/**
 * The statement for the kinds a turn holds (at most seven, each named so that every pool
 * connection parses and plans it once). A kind the turn lacks is left out rather than sent
 * empty: its CTE would still run, and an INSERT part would fire its table's notify trigger.
 */
export function turnStatement(kinds: readonly PartName[]): TurnStatement {
  const present = PART_ORDER.filter((kind) => kinds.includes(kind));
  if (present.length === 0) throw new Error("a turn statement needs at least one kind");
  const name = `webhooks-turn-${present.join("-")}`;
  const known = statements.get(name);
  if (known) return known;
  const parts = present.map((kind, index) => {
    const part = PARTS[kind];
    return { ctes: part.ctes.replaceAll("$PARAM", `$${index + 1}`), answers: part.answers };
  });
  const text = `WITH ${parts.map((part) => part.ctes).join(",\n     ")}
     ${parts.map((part) => part.answers).join("\n     UNION ALL\n     ")}`;
  const statement = { name, text };
  statements.set(name, statement);
  return statement;
}

/** The insert-only turn: exported for bench/webhook-insert-statement.js. */
export const INSERT_EVENTS_FROM_JSON = turnStatement(["insert"]).text;

export interface TurnRow {
  readonly kind: "duplicate" | "done" | "leased" | "finished";
  readonly id: string;
  readonly owner: string | null;
  readonly attempt: number | null;
  readonly delivery_id: string | null;
  readonly subscriber_id: string | null;
}

/** One claim: a row as leased to one owner for one attempt (a takeover is another claim). */
export function claimKey(id: string | number, owner: string, attempt: number): string {
  return JSON.stringify([String(id), owner, attempt]);
}

/**
 * The JSON parameter of each kind the turn holds. A claim is completed or finished once: with
 * two writes of one claim in a turn only the first is sent (an UPDATE joined to two rows for
 * one target would apply an arbitrary one); the later ones are answered as lost.
 */
function turnParameters(writes: readonly TurnWrite[]): Map<PartName, unknown[]> {
  const rows = new Map<PartName, unknown[]>();
  const add = (kind: PartName, row: unknown) => rows.set(kind, [...(rows.get(kind) ?? []), row]);
  const claims = new Set<string>();
  const firstOfClaim = (key: string) => !claims.has(key) && claims.add(key) !== undefined;
  for (const write of writes) {
    if (write.kind === "insert") add("insert", insertRow(write.pending));
    else if (write.kind === "complete") {
      const { event, fanOut, leaseMs } = write.completion;
      if (!firstOfClaim(claimKey(event.id, event.leaseOwner, event.attempt))) continue;
      add("complete", {
        id: event.id,
        owner: event.leaseOwner,
        attempt: event.attempt,
        body: fanOut.body,
        now: fanOut.now,
        lease_until: leaseMs === null ? null : fanOut.now + leaseMs,
        subscriber_ids: fanOut.subscriberIds,
      });
    } else {
      const { delivery, outcome } = write.finish;
      if (!firstOfClaim(`d${claimKey(delivery.id, delivery.leaseOwner, delivery.attempt)}`)) {
        continue;
      }
      add("finish", finishRow(delivery, outcome));
    }
  }
  return rows;
}

/**
 * `data` travels as a JSON string holding the event's JSON text (stored as is), so nothing in
 * it is re-validated as JSON on the way: PostgreSQL's json refuses some escapes JSON.stringify
 * writes (e.g. a lone surrogate half).
 */
function insertRow(pending: NewEvent) {
  const lease = newEventLeaseColumns(pending);
  return {
    id: pending.event.id,
    source: pending.event.source,
    format: pending.event.format,
    type: pending.event.type,
    occurred_at: pending.event.occurredAt,
    data: JSON.stringify(pending.event.data),
    received_at: pending.receivedAt,
    lease_owner: lease.leaseOwner,
    lease_until: lease.leaseUntil,
    attempts: lease.attempts,
  };
}

function finishRow(delivery: ClaimedDelivery, outcome: DeliveryOutcome) {
  const columns = deliveryOutcomeColumns(outcome);
  return {
    id: delivery.id,
    owner: delivery.leaseOwner,
    attempt: delivery.attempt,
    state: columns.state,
    next_attempt_at: columns.nextAttemptAt,
    error: columns.error,
    status_code: columns.statusCode,
    now: columns.now,
    delivered_at: columns.deliveredAt,
  };
}

/** Writes a turn in one statement (so one commit); one result per write, in order. */
export async function writeTurn(
  pool: pg.Pool,
  writes: readonly TurnWrite[],
): Promise<TurnResult[]> {
  const parameters = turnParameters(writes);
  const statement = turnStatement([...parameters.keys()]);
  const { rows } = await pool.query<TurnRow>({
    name: statement.name,
    text: statement.text,
    values: PART_ORDER.filter((kind) => parameters.has(kind)).map((kind) => {
      const rows = parameters.get(kind) ?? [];
      return kind === "insert" ? JSON.stringify(rows) : rows.map((row) => JSON.stringify(row));
    }),
  });
  return turnResults(writes, rows);
}

/** One result per write of the turn (see TurnResult), from the statement's answer rows. */
export function turnResults(writes: readonly TurnWrite[], rows: readonly TurnRow[]): TurnResult[] {
  const duplicates = new Set<string>();
  const written = new Set<string>();
  const leased = new Map<string, TurnRow[]>();
  for (const row of rows) {
    if (row.kind === "duplicate") duplicates.add(row.id);
    else if (row.kind === "done") written.add(claimKey(row.id, row.owner ?? "", row.attempt ?? 0));
    else if (row.kind === "finished") {
      written.add(`d${claimKey(row.id, row.owner ?? "", row.attempt ?? 0)}`);
    }
    // At most one claim of an event completes, so its leased deliveries are that claim's.
    else leased.set(row.id, [...(leased.get(row.id) ?? []), row]);
  }
  // Within a turn the first insert of a new id stored it; any later one is a duplicate.
  const storedNow = new Set<string>();
  return writes.map((write) => {
    if (write.kind === "insert") {
      const { id } = write.pending.event;
      if (duplicates.has(id) || storedNow.has(id)) return false;
      storedNow.add(id);
      return true;
    }
    if (write.kind === "finish") {
      const { delivery } = write.finish;
      // A claim finished twice in one turn: only the first write gets the result.
      return written.delete(`d${claimKey(delivery.id, delivery.leaseOwner, delivery.attempt)}`);
    }
    const { event, fanOut } = write.completion;
    if (!written.delete(claimKey(event.id, event.leaseOwner, event.attempt))) return null;
    return (leased.get(event.id) ?? []).map((row) => ({
      id: Number(row.delivery_id),
      eventId: event.id,
      eventType: event.type,
      subscriberId: row.subscriber_id ?? "",
      body: deliveryBody(fanOut),
      leaseOwner: event.leaseOwner,
      attempt: 1,
      attemptSinceReplay: 1,
    }));
  });
}
