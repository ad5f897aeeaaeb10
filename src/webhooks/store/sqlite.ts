import type BetterSqlite3 from "better-sqlite3";
import { createSqliteGroupCommit } from "../../store/sqlite-group-commit.js";
import type { InboundEvent } from "../event.js";
import {
  type Completion,
  type DeliveryRow,
  deliveryBody,
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
  DeliveryFilter,
  DeliveryOutcome,
  DeliveryRecord,
  FanOut,
  ReplayFilter,
  StoredEvent,
  WebhookStore,
} from "./webhook-store.js";

/** The statements on events (and leases), prepared once per store. */
function prepareEventStatements(sqlite: BetterSqlite3.Database) {
  const insertEvent = sqlite.prepare(`
    INSERT INTO webhook_events (id, source, format, type, occurred_at, data, received_at,
                                next_attempt_at, lease_owner, lease_until, attempts)
    VALUES (@id, @source, @format, @type, @occurredAt, @data, @receivedAt, @receivedAt,
            @leaseOwner, @leaseUntil, @attempts)
    ON CONFLICT (id) DO NOTHING`);
  const selectEvent = sqlite.prepare("SELECT * FROM webhook_events WHERE id = ?");
  const claimEvents = sqlite.prepare(`
    UPDATE webhook_events
    SET lease_owner = @owner, lease_until = @leaseUntil, attempts = attempts + 1
    WHERE id IN (
      SELECT id FROM webhook_events
      WHERE state = 'pending' AND next_attempt_at <= @now
        AND (lease_until IS NULL OR lease_until <= @now)
      ORDER BY received_at, id LIMIT @limit)
    RETURNING *`);
  const markDispatched = sqlite.prepare(`
    UPDATE webhook_events
    SET state = 'dispatched', body = @body, dispatched_at = @now, lease_owner = NULL,
        lease_until = NULL, last_error = NULL
    WHERE id = @id AND lease_owner = @owner AND attempts = @attempt AND state = 'pending'`);
  const insertDelivery = sqlite.prepare(`
    INSERT INTO webhook_deliveries (event_id, subscriber_id, next_attempt_at, created_at, updated_at)
    VALUES (@eventId, @subscriberId, @now, @now, @now)
    ON CONFLICT (event_id, subscriber_id) DO NOTHING`);
  const insertLeasedDelivery = sqlite.prepare(`
    INSERT INTO webhook_deliveries (event_id, subscriber_id, next_attempt_at, created_at, updated_at,
                                    lease_owner, lease_until, attempts)
    VALUES (@eventId, @subscriberId, @now, @now, @now, @owner, @leaseUntil, 1)
    ON CONFLICT (event_id, subscriber_id) DO NOTHING
    RETURNING id, subscriber_id`);
  const postponeEvent = sqlite.prepare(`
    UPDATE webhook_events
    SET next_attempt_at = @nextAttemptAt, last_error = @error, lease_owner = NULL, lease_until = NULL
    WHERE id = @id AND lease_owner = @owner AND attempts = @attempt AND state = 'pending'`);
  const eventBacklog = sqlite.prepare(
    "SELECT COUNT(*) AS count, MIN(received_at) AS oldest FROM webhook_events WHERE state = 'pending'",
  );
  const acquireLease = sqlite.prepare(`
    INSERT INTO webhook_leases (name, owner, lease_until) VALUES (@name, @owner, @leaseUntil)
    ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
    WHERE webhook_leases.lease_until <= @now OR webhook_leases.owner = excluded.owner
    RETURNING owner`);

  return {
    insertEvent,
    selectEvent,
    claimEvents,
    markDispatched,
    insertDelivery,
    insertLeasedDelivery,
    postponeEvent,
    eventBacklog,
    acquireLease,
  };
}

/** The statements on deliveries, prepared once per store. */
function prepareDeliveryStatements(sqlite: BetterSqlite3.Database) {
  const claimDeliveries = sqlite.prepare(`
    UPDATE webhook_deliveries
    SET lease_owner = @owner, lease_until = @leaseUntil, attempts = attempts + 1, updated_at = @now
    WHERE id IN (
      SELECT id FROM webhook_deliveries
      WHERE state = 'pending' AND next_attempt_at <= @now
        AND (lease_until IS NULL OR lease_until <= @now)
        AND subscriber_id IN (SELECT value FROM json_each(@subscriberIds))
      ORDER BY next_attempt_at, id LIMIT @limit)
    RETURNING id`);
  const selectClaimedDeliveries = sqlite.prepare(`
    SELECT d.*, e.type AS event_type, e.body AS body
    FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
    WHERE d.id IN (SELECT value FROM json_each(?))
    ORDER BY d.next_attempt_at, d.id`);
  const finishDelivery = sqlite.prepare(`
    UPDATE webhook_deliveries
    SET state = @state, next_attempt_at = @nextAttemptAt, last_error = @error,
        last_status_code = @statusCode, updated_at = @now, delivered_at = @deliveredAt,
        lease_owner = NULL, lease_until = NULL
    WHERE id = @id AND lease_owner = @owner AND attempts = @attempt AND state = 'pending'`);
  const replay = sqlite.prepare(`
    UPDATE webhook_deliveries
    SET state = 'pending', attempts_before_replay = attempts, next_attempt_at = @now,
        updated_at = @now, lease_owner = NULL, lease_until = NULL
    WHERE state = 'dead'
      AND (@eventId IS NULL OR event_id = @eventId)
      AND (@subscriberId IS NULL OR subscriber_id = @subscriberId)`);
  const listDeliveries = sqlite.prepare(`
    SELECT d.*, e.type AS event_type, NULL AS body
    FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
    WHERE (@eventId IS NULL OR d.event_id = @eventId)
      AND (@subscriberId IS NULL OR d.subscriber_id = @subscriberId)
      AND (@state IS NULL OR d.state = @state)
    ORDER BY d.id LIMIT @limit`);
  const deliveryBacklog = sqlite.prepare(
    "SELECT COUNT(*) AS count, MIN(created_at) AS oldest FROM webhook_deliveries WHERE state = 'pending'",
  );
  const deadCount = sqlite.prepare(
    "SELECT COUNT(*) AS count FROM webhook_deliveries WHERE state = 'dead'",
  );
  return {
    claimDeliveries,
    selectClaimedDeliveries,
    finishDelivery,
    replay,
    listDeliveries,
    deliveryBacklog,
    deadCount,
  };
}

/** A delivery created leased to the event's claimant: its first attempt. */
function leasedDelivery(
  event: ClaimedEvent,
  fanOut: FanOut,
  row: { id: number; subscriber_id: string },
): ClaimedDelivery {
  return {
    id: Number(row.id),
    eventId: event.id,
    eventType: event.type,
    subscriberId: row.subscriber_id,
    body: deliveryBody(fanOut),
    leaseOwner: event.leaseOwner,
    attempt: 1,
    attemptSinceReplay: 1,
  };
}

/**
 * How long an event's completion waits for others to share its commit. Far below what
 * dispatch latency allows (the backlog target is 1 s); a delivery the completion leases starts
 * that much later.
 */
const COMPLETION_HOLD_MS = 5;
/** Half the dispatcher's default event slots: a burst is committed before it fills them. */
const COMPLETION_MAX_HELD = 16;

/**
 * The embedded inbox. better-sqlite3 is synchronous and SQLite has one writer at a time, so
 * each claim is a single UPDATE ... RETURNING inside an IMMEDIATE transaction: two claimers
 * (even in two processes on the same file) serialise on the write lock and never see the
 * same due row.
 */
export function createSqliteWebhookStore(sqlite: BetterSqlite3.Database): WebhookStore {
  const eventStatements = prepareEventStatements(sqlite);
  const deliveryStatements = prepareDeliveryStatements(sqlite);

  const claimEventsTx = sqlite.transaction((claim: Claim) =>
    (
      eventStatements.claimEvents.all({
        owner: claim.owner,
        now: claim.now,
        leaseUntil: claim.now + claim.leaseMs,
        limit: claim.limit,
      }) as EventRow[]
    ).map(toClaimedEvent),
  );
  /** One completion (see `completeEvent`); null when the claim was lost. */
  const completeOne = ({ event, fanOut, leaseMs }: Completion): ClaimedDelivery[] | null => {
    const { changes } = eventStatements.markDispatched.run({
      id: event.id,
      owner: event.leaseOwner,
      attempt: event.attempt,
      body: fanOut.body,
      now: fanOut.now,
    });
    if (changes === 0) return null;
    const leased: ClaimedDelivery[] = [];
    for (const subscriberId of fanOut.subscriberIds) {
      const row = { eventId: event.id, subscriberId, now: fanOut.now };
      if (leaseMs === null) {
        eventStatements.insertDelivery.run(row);
        continue;
      }
      const inserted = eventStatements.insertLeasedDelivery.get({
        ...row,
        owner: event.leaseOwner,
        leaseUntil: fanOut.now + leaseMs,
      }) as { id: number; subscriber_id: string } | undefined;
      if (inserted) leased.push(leasedDelivery(event, fanOut, inserted));
    }
    return leased;
  };
  // Completions (each leased event is completed on its own, as it finishes) commit together:
  // one WAL commit for the batch. Nobody waits on one to answer a request, so they are held
  // for up to COMPLETION_HOLD_MS, or until COMPLETION_MAX_HELD are queued (each holds a
  // dispatcher slot until it commits), instead of one commit per turn of the event loop. A
  // claim completed twice in one batch is fenced as ever: the second finds the event
  // dispatched and changes nothing.
  const complete = createSqliteGroupCommit(sqlite, completeOne, {
    canWait: () => true,
    holdMs: COMPLETION_HOLD_MS,
    maxHeld: COMPLETION_MAX_HELD,
  });
  const claimDeliveriesTx = sqlite.transaction(
    (claim: Claim & { subscriberIds: readonly string[] }) => {
      const ids = (
        deliveryStatements.claimDeliveries.all({
          owner: claim.owner,
          now: claim.now,
          leaseUntil: claim.now + claim.leaseMs,
          limit: claim.limit,
          subscriberIds: JSON.stringify(claim.subscriberIds),
        }) as { id: number }[]
      ).map((row) => row.id);
      if (ids.length === 0) return [];
      return (
        deliveryStatements.selectClaimedDeliveries.all(JSON.stringify(ids)) as DeliveryRow[]
      ).map(toClaimedDelivery);
    },
  );

  const insertOne = (pending: NewEvent): boolean => {
    const { event, receivedAt } = pending;
    return (
      eventStatements.insertEvent.run({
        id: event.id,
        source: event.source,
        format: event.format,
        type: event.type,
        occurredAt: event.occurredAt,
        data: JSON.stringify(event.data),
        receivedAt,
        ...newEventLeaseColumns(pending),
      }).changes > 0
    );
  };
  const insert = createSqliteGroupCommit(sqlite, insertOne);

  return {
    insertEvent(event: InboundEvent, receivedAt: number): Promise<boolean> {
      return insert({ event, receivedAt, lease: null });
    },
    async insertLeasedEvent(event, receivedAt, lease): Promise<ClaimedEvent | null> {
      const pending = { event, receivedAt, lease };
      return (await insert(pending)) ? toLeasedNewEvent(pending) : null;
    },
    async getEvent(id: string): Promise<StoredEvent | null> {
      const row = eventStatements.selectEvent.get(id) as EventRow | undefined;
      return row ? toStoredEvent(row) : null;
    },
    async claimEvents(claim: Claim): Promise<ClaimedEvent[]> {
      return claimEventsTx.immediate(claim);
    },
    async completeEvent(event: ClaimedEvent, fanOut: FanOut): Promise<boolean> {
      return (await complete({ event, fanOut, leaseMs: null })) !== null;
    },
    async completeEventLeasingDeliveries(event, fanOut, leaseMs) {
      return complete({ event, fanOut, leaseMs });
    },
    async postponeEvent(event, retry): Promise<void> {
      eventStatements.postponeEvent.run({
        id: event.id,
        owner: event.leaseOwner,
        attempt: event.attempt,
        nextAttemptAt: retry.nextAttemptAt,
        error: truncateError(retry.error),
      });
    },
    async claimDeliveries(claim): Promise<ClaimedDelivery[]> {
      if (claim.subscriberIds.length === 0) return [];
      return claimDeliveriesTx.immediate(claim);
    },
    async finishDelivery(delivery: ClaimedDelivery, outcome: DeliveryOutcome): Promise<boolean> {
      const { changes } = deliveryStatements.finishDelivery.run({
        id: delivery.id,
        owner: delivery.leaseOwner,
        attempt: delivery.attempt,
        ...deliveryOutcomeColumns(outcome),
      });
      return changes > 0;
    },
    async listDeliveries(filter: DeliveryFilter): Promise<DeliveryRecord[]> {
      return (
        deliveryStatements.listDeliveries.all({
          eventId: filter.eventId ?? null,
          subscriberId: filter.subscriberId ?? null,
          state: filter.state ?? null,
          limit: filter.limit ?? 1000,
        }) as DeliveryRow[]
      ).map(toDeliveryRecord);
    },
    async replayDeadLetters(filter: ReplayFilter & { now: number }): Promise<number> {
      return deliveryStatements.replay.run({
        now: filter.now,
        eventId: filter.eventId ?? null,
        subscriberId: filter.subscriberId ?? null,
      }).changes;
    },
    async backlog(): Promise<Backlog> {
      const events = eventStatements.eventBacklog.get() as { count: number; oldest: number | null };
      const deliveries = deliveryStatements.deliveryBacklog.get() as {
        count: number;
        oldest: number | null;
      };
      const dead = deliveryStatements.deadCount.get() as { count: number };
      return {
        pendingEvents: events.count,
        oldestPendingEventAt: events.oldest,
        pendingDeliveries: deliveries.count,
        oldestPendingDeliveryAt: deliveries.oldest,
        deadLetters: dead.count,
      };
    },
    async tryAcquireLease(name, owner, now, ttlMs): Promise<boolean> {
      return (
        eventStatements.acquireLease.get({ name, owner, now, leaseUntil: now + ttlMs }) !==
        undefined
      );
    },
  };
}
