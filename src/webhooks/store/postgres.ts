import type pg from "pg";
import { createGroupCommit } from "../../store/group-commit.js";
import type { InboundEvent } from "../event.js";
import { type TurnResult, type TurnWrite, writeTurn } from "./postgres-turn.js";
import {
  type Completion,
  type DeliveryRow,
  type EventRow,
  type NewEvent,
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

/** The insert-only turn statement, for bench/webhook-insert-statement.js. */
export { INSERT_EVENTS_FROM_JSON } from "./postgres-turn.js";

/**
 * How long completions and attempt records wait for an insert to share its statement. An
 * insert's commit answers a sender, so it never waits; the dispatch writes it sets off come a
 * moment before the senders' next requests do, and would otherwise take a statement (and a
 * commit) of their own. Far below what dispatch latency allows (the backlog target is 1 s).
 */
const DISPATCH_WRITE_HOLD_MS = 2;

/**
 * The inbox for several replicas on one PostgreSQL. Claims pick due rows with
 * `FOR UPDATE SKIP LOCKED` and lease them in the same statement: concurrent claimers skip
 * each other's rows instead of waiting, and a row committed by another claimer no longer
 * qualifies (its lease is in the future) when re-checked.
 */
export function createPostgresWebhookStore(pool: pg.Pool): WebhookStore {
  // Every write of a turn, whatever its kind, goes in one statement (see postgres-turn.ts).
  const turn = createGroupCommit<TurnWrite, TurnResult>({
    writeBatch: (writes) => writeTurn(pool, writes),
    writeOne: async (write) => (await writeTurn(pool, [write]))[0] ?? null,
    canWait: (write) => write.kind !== "insert",
    holdMs: DISPATCH_WRITE_HOLD_MS,
  });
  const insert = async (pending: NewEvent) => (await turn({ kind: "insert", pending })) === true;
  const complete = async (completion: Completion) => {
    const leased = await turn({ kind: "complete", completion });
    return Array.isArray(leased) ? leased : null;
  };

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

    async finishDelivery(delivery: ClaimedDelivery, outcome: DeliveryOutcome): Promise<boolean> {
      return (await turn({ kind: "finish", finish: { delivery, outcome } })) === true;
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
