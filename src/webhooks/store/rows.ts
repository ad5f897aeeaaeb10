import type { EventFormat, EventSource, InboundEvent } from "../event.js";
import type {
  ClaimedDelivery,
  ClaimedEvent,
  DeliveryOutcome,
  DeliveryRecord,
  DeliveryState,
  EventLease,
  EventState,
  FanOut,
  StoredEvent,
} from "./webhook-store.js";

/** Column values as either driver returns them (pg gives BIGINT as a string). */
type Numeric = number | string | bigint;

export interface EventRow {
  id: string;
  source: string;
  format: string;
  type: string;
  occurred_at: string;
  data: string;
  received_at: Numeric;
  state: string;
  attempts: Numeric;
  last_error: string | null;
  body: string | null;
  lease_owner: string | null;
}

export interface DeliveryRow {
  id: Numeric;
  event_id: string;
  event_type: string;
  subscriber_id: string;
  state: string;
  attempts: Numeric;
  attempts_before_replay: Numeric;
  next_attempt_at: Numeric;
  last_error: string | null;
  last_status_code: Numeric | null;
  created_at: Numeric;
  updated_at: Numeric;
  delivered_at: Numeric | null;
  lease_owner: string | null;
  body: string | null;
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    source: row.source as EventSource,
    format: row.format as EventFormat,
    type: row.type,
    occurredAt: row.occurred_at,
    data: JSON.parse(row.data) as Record<string, unknown>,
    receivedAt: Number(row.received_at),
    state: row.state as EventState,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    body: row.body,
  };
}

export function toClaimedEvent(row: EventRow): ClaimedEvent {
  const event = toStoredEvent(row);
  return { ...event, leaseOwner: row.lease_owner ?? "", attempt: event.attempts };
}

/** An event to insert: unleased (for whoever claims it), or leased to its storer. */
export interface NewEvent {
  readonly event: InboundEvent;
  readonly receivedAt: number;
  readonly lease: EventLease | null;
}

/** One claimed event's completion, as both dialects batch them. */
export interface Completion {
  readonly event: ClaimedEvent;
  readonly fanOut: FanOut;
  /** Lease the new deliveries to the event's claimant for this long (attempt 1), or not. */
  readonly leaseMs: number | null;
}

/** The lease columns a new event is inserted with, the same for both dialects. */
export function newEventLeaseColumns(pending: NewEvent): {
  readonly leaseOwner: string | null;
  readonly leaseUntil: number | null;
  readonly attempts: number;
} {
  const { lease, receivedAt } = pending;
  if (lease === null) return { leaseOwner: null, leaseUntil: null, attempts: 0 };
  return { leaseOwner: lease.owner, leaseUntil: receivedAt + lease.leaseMs, attempts: 1 };
}

/** A new event as inserted leased to its storer: its first attempt, held by that storer. */
export function toLeasedNewEvent(pending: NewEvent & { lease: EventLease }): ClaimedEvent {
  return {
    ...pending.event,
    receivedAt: pending.receivedAt,
    state: "pending",
    attempts: 1,
    lastError: null,
    body: null,
    leaseOwner: pending.lease.owner,
    attempt: 1,
  };
}

export function toDeliveryRecord(row: DeliveryRow): DeliveryRecord {
  return {
    id: Number(row.id),
    eventId: row.event_id,
    eventType: row.event_type,
    subscriberId: row.subscriber_id,
    state: row.state as DeliveryState,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    lastError: row.last_error,
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    deliveredAt: row.delivered_at === null ? null : Number(row.delivered_at),
  };
}

export function toClaimedDelivery(row: DeliveryRow): ClaimedDelivery {
  return {
    id: Number(row.id),
    eventId: row.event_id,
    eventType: row.event_type,
    subscriberId: row.subscriber_id,
    body: row.body ?? "",
    leaseOwner: row.lease_owner ?? "",
    attempt: Number(row.attempts),
    attemptSinceReplay: Number(row.attempts) - Number(row.attempts_before_replay),
  };
}

/** The body of a delivery made from `fanOut`: one exists only for a subscriber, so a body too. */
export function deliveryBody(fanOut: FanOut): string {
  if (fanOut.body === null) throw new Error("a fan-out to subscribers carries their body");
  return fanOut.body;
}

/** Errors are stored for operators; keep them short so a huge response body cannot bloat rows. */
export function truncateError(error: string): string {
  return error.length > 500 ? `${error.slice(0, 497)}...` : error;
}

/** The columns one delivery outcome writes, the same for both dialects. */
export interface DeliveryOutcomeColumns {
  readonly state: "pending" | "delivered" | "dead";
  readonly nextAttemptAt: number;
  readonly error: string | null;
  readonly statusCode: number | null;
  readonly now: number;
  readonly deliveredAt: number | null;
}

export function deliveryOutcomeColumns(outcome: DeliveryOutcome): DeliveryOutcomeColumns {
  return {
    state: outcome.kind === "retry" ? "pending" : outcome.kind,
    nextAttemptAt: outcome.kind === "retry" ? outcome.nextAttemptAt : outcome.now,
    error: outcome.kind === "delivered" ? null : truncateError(outcome.error),
    statusCode: outcome.statusCode,
    now: outcome.now,
    deliveredAt: outcome.kind === "delivered" ? outcome.now : null,
  };
}
