import type pg from "pg";
import { createGroupCommit } from "../../store/group-commit.js";
import type { InboundEvent } from "../event.js";
import {
  type Completion,
  type DeliveryRow,
  deliveryOutcomeColumns,
  type EventRow,
  type NewEvent,
  newEventLeaseColumns,
  toClaimedDelivery,
  toClaimedEvent,
  toDeliveryRecord,
  toLeasedNewEvent,
  toStoredEvent,
  truncateError,
} from "./rows.js";
import type {
  Backlog,
  Claim,
  ClaimedDelivery,
  ClaimedEvent,
  DeliveryOutcome,
  DeliveryRecord,
  FanOut,
  StoredEvent,
  WebhookStore,
} from "./webhook-store.js";

/*
 * The three batch statements (insert, complete, finish) run once per turn of the event loop
 * under load, each with a fixed 10 or so array parameters whatever the batch size, so they are
 * named: each pool connection parses and plans them once, not on every execution. Measured
 * with batches of 3 rows (what 3 replicas sharing 10 connections get), that halves the
 * backend's CPU per statement (about 200 -> 95 µs) and cuts the driver's (90 -> 55 µs).
 */

/**
 * The batch insert of `insertBatch`: rows from one JSON parameter, a duplicate id inserting
 * nothing, answering only the ids stored before. Exported for bench/webhook-insert-statement.js,
 * which measures it against the shapes it replaced.
 */
export const INSERT_EVENTS_FROM_JSON = `WITH incoming AS (
       SELECT * FROM json_to_recordset($1::json) AS incoming (id text, source text, format text,
         type text, occurred_at text, data text, received_at bigint, lease_owner text,
         lease_until bigint, attempts int)),
     stored AS (
       INSERT INTO webhook_events (id, source, format, type, occurred_at, data, received_at,
                                   next_attempt_at, lease_owner, lease_until, attempts)
       SELECT id, source, format, type, occurred_at, data, received_at, received_at,
              lease_owner, lease_until, attempts
       FROM incoming
       ON CONFLICT (id) DO NOTHING
       RETURNING id)
     SELECT id FROM incoming EXCEPT SELECT id FROM stored`;

/**
 * Inserts the batch in one statement; one flag per item: true when it was new. Leased rows are
 * their storer's first attempt; migration 004's trigger notifies only for the unleased ones.
 *
 * The batch goes as one JSON parameter (json_to_recordset) rather than one text[] per column:
 * JSON.stringify is native, where the driver escapes every array element in JavaScript and the
 * server parses ten array literals. `data` travels as a JSON string holding the event's JSON
 * text (stored as is), so nothing in it is re-validated as JSON on the way (PostgreSQL's json
 * refuses some escapes JSON.stringify writes, e.g. a lone surrogate half). The statement
 * answers only the ids that were stored already (usually none), not every inserted one: rows
 * the driver need not parse. Measured with 5-row batches (bench/webhook-insert-statement.js),
 * driver CPU per statement drops by about a quarter and the backend's does not grow.
 */
async function insertBatch(pool: pg.Pool, batch: readonly NewEvent[]): Promise<boolean[]> {
  const rows = batch.map((pending) => {
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
  });
  const { rows: duplicates } = await pool.query<{ id: string }>({
    name: "webhooks-insert-events-json",
    text: INSERT_EVENTS_FROM_JSON,
    values: [JSON.stringify(rows)],
  });
  const storedBefore = new Set(duplicates.map((row) => row.id));
  // Within a batch the first request for a new id stored it; any later one is a duplicate.
  const storedNow = new Set<string>();
  return batch.map(({ event }) => {
    if (storedBefore.has(event.id) || storedNow.has(event.id)) return false;
    storedNow.add(event.id);
    return true;
  });
}

interface Finish {
  readonly delivery: ClaimedDelivery;
  readonly outcome: DeliveryOutcome;
}

/**
 * The first item per claim, and one flag per item: true where that item's write changed a row.
 * A claim is completed once: with two completions of one claim in a batch, only the first is
 * written (an UPDATE joined to two rows for one target would apply an arbitrary one).
 */
function firstPerKey<Item, Key>(batch: readonly Item[], key: (item: Item) => Key) {
  const seen = new Set<Key>();
  const unique = batch.filter((item) => !seen.has(key(item)) && seen.add(key(item)) !== undefined);
  return {
    unique,
    results(changed: Iterable<Key>): boolean[] {
      const remaining = new Set(changed);
      return batch.map((item) => remaining.delete(key(item)));
    },
  };
}

interface ClaimRow {
  readonly id: string;
  readonly owner: string;
  readonly attempt: number;
}

/** One claim: a row as leased to one owner for one attempt (a takeover is another claim). */
function claimKey(id: string, owner: string, attempt: number): string {
  return JSON.stringify([id, owner, attempt]);
}

interface CompletionRow {
  readonly kind: "done" | "leased";
  readonly id: string;
  readonly owner: string;
  readonly attempt: number;
  readonly delivery_id: string | null;
  readonly subscriber_id: string | null;
}

/**
 * Completes a batch of claimed events in one statement (so one commit): each event whose claim
 * is still current is marked dispatched, and its deliveries are fanned out in the same commit,
 * leased to the claimant where asked (it delivers them without claiming them first). One
 * result per item: null where the lease was lost to another replica (nothing is written), else
 * the deliveries leased to the caller.
 */
async function completeBatch(
  pool: pg.Pool,
  all: readonly Completion[],
): Promise<(ClaimedDelivery[] | null)[]> {
  const { unique: batch } = firstPerKey(all, ({ event }) =>
    claimKey(event.id, event.leaseOwner, event.attempt),
  );
  const fanOut = batch.flatMap(({ event, fanOut, leaseMs }) =>
    fanOut.subscriberIds.map((subscriberId) => ({
      event,
      subscriberId,
      now: fanOut.now,
      leaseUntil: leaseMs === null ? null : fanOut.now + leaseMs,
    })),
  );
  const { rows } = await pool.query<CompletionRow>({
    name: "webhooks-complete-events",
    text: `WITH done AS (
       UPDATE webhook_events e
       SET state = 'dispatched', body = c.body, dispatched_at = c.now, lease_owner = NULL,
           lease_until = NULL, last_error = NULL
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::bigint[])
         AS c (id, owner, attempt, body, now)
       WHERE e.id = c.id AND e.lease_owner = c.owner AND e.attempts = c.attempt
         AND e.state = 'pending'
       RETURNING e.id, c.owner, c.attempt),
     fanned AS (
       INSERT INTO webhook_deliveries (event_id, subscriber_id, next_attempt_at, created_at,
                                       updated_at, lease_owner, lease_until, attempts)
       SELECT f.event_id, f.subscriber_id, f.now, f.now, f.now,
              CASE WHEN f.lease_until IS NULL THEN NULL ELSE f.owner END, f.lease_until,
              CASE WHEN f.lease_until IS NULL THEN 0 ELSE 1 END
       FROM unnest($6::text[], $7::text[], $8::int[], $9::text[], $10::bigint[], $11::bigint[])
         AS f (event_id, owner, attempt, subscriber_id, now, lease_until)
       JOIN done ON done.id = f.event_id AND done.owner = f.owner AND done.attempt = f.attempt
       ON CONFLICT (event_id, subscriber_id) DO NOTHING
       RETURNING id, event_id, subscriber_id, lease_owner)
     SELECT 'done' AS kind, id, owner, attempt, NULL::bigint AS delivery_id, NULL AS subscriber_id
     FROM done
     UNION ALL
     SELECT 'leased', event_id, lease_owner, 1, id, subscriber_id
     FROM fanned WHERE lease_owner IS NOT NULL`,
    values: [
      batch.map(({ event }) => event.id),
      batch.map(({ event }) => event.leaseOwner),
      batch.map(({ event }) => event.attempt),
      batch.map(({ fanOut }) => fanOut.body),
      batch.map(({ fanOut }) => fanOut.now),
      fanOut.map((row) => row.event.id),
      fanOut.map((row) => row.event.leaseOwner),
      fanOut.map((row) => row.event.attempt),
      fanOut.map((row) => row.subscriberId),
      fanOut.map((row) => row.now),
      fanOut.map((row) => row.leaseUntil),
    ],
  });
  return completionResults(all, rows);
}

/** One result per item of the batch (see completeBatch), from the statement's rows. */
function completionResults(
  all: readonly Completion[],
  rows: readonly CompletionRow[],
): (ClaimedDelivery[] | null)[] {
  const done = new Set<string>();
  const leased = new Map<string, CompletionRow[]>();
  for (const row of rows) {
    if (row.kind === "done") done.add(claimKey(row.id, row.owner, row.attempt));
    // At most one claim of an event completes, so its leased deliveries are that claim's.
    else leased.set(row.id, [...(leased.get(row.id) ?? []), row]);
  }
  return all.map(({ event, fanOut }) => {
    // A claim completed twice in one batch: only the first item gets the result.
    if (!done.delete(claimKey(event.id, event.leaseOwner, event.attempt))) return null;
    return (leased.get(event.id) ?? []).map((row) => ({
      id: Number(row.delivery_id),
      eventId: event.id,
      eventType: event.type,
      subscriberId: row.subscriber_id ?? "",
      body: fanOut.body,
      leaseOwner: event.leaseOwner,
      attempt: 1,
      attemptSinceReplay: 1,
    }));
  });
}

/** Records a batch of delivery attempts in one statement; false where the claim was lost. */
async function finishBatch(pool: pg.Pool, all: readonly Finish[]): Promise<boolean[]> {
  const { unique: batch, results } = firstPerKey(all, ({ delivery }) =>
    claimKey(String(delivery.id), delivery.leaseOwner, delivery.attempt),
  );
  const columns = batch.map(({ outcome }) => deliveryOutcomeColumns(outcome));
  const { rows } = await pool.query<ClaimRow>({
    name: "webhooks-finish-deliveries",
    text: `UPDATE webhook_deliveries d
     SET state = c.state, next_attempt_at = c.next_attempt_at, last_error = c.error,
         last_status_code = c.status_code, updated_at = c.now, delivered_at = c.delivered_at,
         lease_owner = NULL, lease_until = NULL
     FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::bigint[], $6::text[],
                 $7::int[], $8::bigint[], $9::bigint[])
       AS c (id, owner, attempt, state, next_attempt_at, error, status_code, now, delivered_at)
     WHERE d.id = c.id AND d.lease_owner = c.owner AND d.attempts = c.attempt
       AND d.state = 'pending'
     RETURNING d.id, c.owner, c.attempt`,
    values: [
      batch.map(({ delivery }) => delivery.id),
      batch.map(({ delivery }) => delivery.leaseOwner),
      batch.map(({ delivery }) => delivery.attempt),
      columns.map((column) => column.state),
      columns.map((column) => column.nextAttemptAt),
      columns.map((column) => column.error),
      columns.map((column) => column.statusCode),
      columns.map((column) => column.now),
      columns.map((column) => column.deliveredAt),
    ],
  });
  return results(rows.map((row) => claimKey(row.id, row.owner, row.attempt)));
}

/**
 * The inbox for several replicas on one PostgreSQL. Claims pick due rows with
 * `FOR UPDATE SKIP LOCKED` and lease them in the same statement: concurrent claimers skip
 * each other's rows instead of waiting, and a row committed by another claimer no longer
 * qualifies (its lease is in the future) when re-checked.
 */
export function createPostgresWebhookStore(pool: pg.Pool): WebhookStore {
  const insert = createGroupCommit<NewEvent, boolean>({
    writeBatch: (batch) => insertBatch(pool, batch),
    writeOne: async (pending) => (await insertBatch(pool, [pending]))[0] === true,
  });

  const complete = createGroupCommit<Completion, ClaimedDelivery[] | null>({
    writeBatch: (batch) => completeBatch(pool, batch),
    writeOne: async (completion) => (await completeBatch(pool, [completion]))[0] ?? null,
  });
  const finish = createGroupCommit<Finish, boolean>({
    writeBatch: (batch) => finishBatch(pool, batch),
    writeOne: async (item) => (await finishBatch(pool, [item]))[0] === true,
  });

  return {
    insertEvent(event: InboundEvent, receivedAt: number): Promise<boolean> {
      return insert({ event, receivedAt, lease: null });
    },

    async insertLeasedEvent(event, receivedAt, lease): Promise<ClaimedEvent | null> {
      const pending = { event, receivedAt, lease };
      return (await insert(pending)) ? toLeasedNewEvent(pending) : null;
    },

    async getEvent(id: string): Promise<StoredEvent | null> {
      const { rows } = await pool.query<EventRow>("SELECT * FROM webhook_events WHERE id = $1", [
        id,
      ]);
      return rows[0] ? toStoredEvent(rows[0]) : null;
    },

    async claimEvents(claim: Claim): Promise<ClaimedEvent[]> {
      const { rows } = await pool.query<EventRow>(
        `WITH due AS (
           SELECT id FROM webhook_events
           WHERE state = 'pending' AND next_attempt_at <= $1
             AND (lease_until IS NULL OR lease_until <= $1)
           ORDER BY received_at, id LIMIT $2
           FOR UPDATE SKIP LOCKED)
         UPDATE webhook_events e
         SET lease_owner = $3, lease_until = $4, attempts = e.attempts + 1
         FROM due WHERE e.id = due.id
         RETURNING e.*`,
        [claim.now, claim.limit, claim.owner, claim.now + claim.leaseMs],
      );
      return rows.map(toClaimedEvent).sort((a, b) => a.receivedAt - b.receivedAt);
    },

    async completeEvent(event: ClaimedEvent, fanOut: FanOut): Promise<boolean> {
      return (await complete({ event, fanOut, leaseMs: null })) !== null;
    },

    completeEventLeasingDeliveries(event, fanOut, leaseMs) {
      return complete({ event, fanOut, leaseMs });
    },

    async postponeEvent(event, retry): Promise<void> {
      await pool.query(
        `UPDATE webhook_events
         SET next_attempt_at = $1, last_error = $2, lease_owner = NULL, lease_until = NULL
         WHERE id = $3 AND lease_owner = $4 AND attempts = $5 AND state = 'pending'`,
        [
          retry.nextAttemptAt,
          truncateError(retry.error),
          event.id,
          event.leaseOwner,
          event.attempt,
        ],
      );
    },

    async claimDeliveries(claim): Promise<ClaimedDelivery[]> {
      if (claim.subscriberIds.length === 0) return [];
      const { rows } = await pool.query<DeliveryRow>(
        `WITH due AS (
           SELECT id FROM webhook_deliveries
           WHERE state = 'pending' AND next_attempt_at <= $1
             AND (lease_until IS NULL OR lease_until <= $1)
             AND subscriber_id = ANY($2::text[])
           ORDER BY next_attempt_at, id LIMIT $3
           FOR UPDATE SKIP LOCKED),
         claimed AS (
           UPDATE webhook_deliveries d
           SET lease_owner = $4, lease_until = $5, attempts = d.attempts + 1, updated_at = $1
           FROM due WHERE d.id = due.id
           RETURNING d.*)
         SELECT claimed.*, e.type AS event_type, e.body AS body
         FROM claimed JOIN webhook_events e ON e.id = claimed.event_id`,
        [claim.now, claim.subscriberIds, claim.limit, claim.owner, claim.now + claim.leaseMs],
      );
      return rows.map(toClaimedDelivery).sort((a, b) => a.id - b.id);
    },

    finishDelivery(delivery: ClaimedDelivery, outcome: DeliveryOutcome): Promise<boolean> {
      return finish({ delivery, outcome });
    },

    async listDeliveries(filter): Promise<DeliveryRecord[]> {
      const { rows } = await pool.query<DeliveryRow>(
        `SELECT d.*, e.type AS event_type, NULL AS body
         FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
         WHERE ($1::text IS NULL OR d.event_id = $1)
           AND ($2::text IS NULL OR d.subscriber_id = $2)
           AND ($3::text IS NULL OR d.state = $3)
         ORDER BY d.id LIMIT $4`,
        [
          filter.eventId ?? null,
          filter.subscriberId ?? null,
          filter.state ?? null,
          filter.limit ?? 1000,
        ],
      );
      return rows.map(toDeliveryRecord);
    },

    async replayDeadLetters(filter): Promise<number> {
      const result = await pool.query(
        `UPDATE webhook_deliveries
         SET state = 'pending', attempts_before_replay = attempts, next_attempt_at = $1,
             updated_at = $1, lease_owner = NULL, lease_until = NULL
         WHERE state = 'dead'
           AND ($2::text IS NULL OR event_id = $2)
           AND ($3::text IS NULL OR subscriber_id = $3)`,
        [filter.now, filter.eventId ?? null, filter.subscriberId ?? null],
      );
      return result.rowCount ?? 0;
    },

    async backlog(): Promise<Backlog> {
      const { rows } = await pool.query<{
        pending_events: string;
        oldest_event: string | null;
        pending_deliveries: string;
        oldest_delivery: string | null;
        dead: string;
      }>(
        `SELECT
           (SELECT COUNT(*) FROM webhook_events WHERE state = 'pending') AS pending_events,
           (SELECT MIN(received_at) FROM webhook_events WHERE state = 'pending') AS oldest_event,
           (SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending') AS pending_deliveries,
           (SELECT MIN(created_at) FROM webhook_deliveries WHERE state = 'pending') AS oldest_delivery,
           (SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'dead') AS dead`,
      );
      const row = rows[0];
      return {
        pendingEvents: Number(row?.pending_events ?? 0),
        oldestPendingEventAt: row?.oldest_event == null ? null : Number(row.oldest_event),
        pendingDeliveries: Number(row?.pending_deliveries ?? 0),
        oldestPendingDeliveryAt: row?.oldest_delivery == null ? null : Number(row.oldest_delivery),
        deadLetters: Number(row?.dead ?? 0),
      };
    },

    async tryAcquireLease(name, owner, now, ttlMs): Promise<boolean> {
      const { rows } = await pool.query(
        `INSERT INTO webhook_leases (name, owner, lease_until) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
         WHERE webhook_leases.lease_until <= $4 OR webhook_leases.owner = excluded.owner
         RETURNING owner`,
        [name, owner, now + ttlMs, now],
      );
      return rows.length > 0;
    },
  };
}
