import type { EventFormat, EventSource, InboundEvent } from "../event.js";

/**
 * The webhook inbox (events as received, unique on webhook-id) and outbox (one delivery row
 * per event and subscriber). Work is handed out by claims: a claim takes a time-limited lease
 * and bumps the attempt counter in one atomic statement, so several replicas share the work
 * and one attempt number is only ever handed to one worker. Results are written back only by
 * the lease holder of that same attempt (a fence), so a worker whose lease expired cannot
 * overwrite the outcome of the worker that took over.
 *
 * Times are epoch milliseconds from the caller's clock (replicas need synchronised clocks,
 * as lease lengths are seconds).
 */
export interface WebhookStore {
  /** Stores the event unless its id is already there. Returns false for a duplicate. */
  insertEvent(event: InboundEvent, receivedAt: number): Promise<boolean>;
  /**
   * `insertEvent`, with the new event leased to `lease.owner` for `lease.leaseMs` as its first
   * attempt, in the same commit: the process that stored it dispatches it straight away, with
   * no claim, and no other replica is notified of it. If that process never completes it (it
   * crashed), the lease runs out and a claim takes the event over as attempt 2, as with any
   * claim. Null for a duplicate (nothing is written).
   */
  insertLeasedEvent(
    event: InboundEvent,
    receivedAt: number,
    lease: EventLease,
  ): Promise<ClaimedEvent | null>;
  getEvent(id: string): Promise<StoredEvent | null>;

  /** Leases pending events that are due, oldest first. */
  claimEvents(claim: Claim): Promise<ClaimedEvent[]>;
  /**
   * Marks a claimed event dispatched, saves the body subscribers get and creates one delivery
   * per subscriber, atomically. False when the lease was lost (nothing is written then).
   */
  completeEvent(event: ClaimedEvent, fanOut: FanOut): Promise<boolean>;
  /**
   * `completeEvent`, with the new deliveries leased to the event's claimant for `leaseMs` as
   * their first attempt, so it delivers them without a claim of its own (and no other replica
   * is woken for them). Null when the lease was lost (nothing is written).
   */
  completeEventLeasingDeliveries(
    event: ClaimedEvent,
    fanOut: FanOut,
    leaseMs: number,
  ): Promise<ClaimedDelivery[] | null>;
  /** Gives a claimed event back to be tried again at `nextAttemptAt`. */
  postponeEvent(
    event: ClaimedEvent,
    retry: { nextAttemptAt: number; error: string },
  ): Promise<void>;

  /** Leases due deliveries for the given subscribers (those this process can deliver to). */
  claimDeliveries(claim: Claim & { subscriberIds: readonly string[] }): Promise<ClaimedDelivery[]>;
  /** Records the outcome of one attempt. False when the lease was lost (nothing written). */
  finishDelivery(delivery: ClaimedDelivery, outcome: DeliveryOutcome): Promise<boolean>;

  listDeliveries(filter: DeliveryFilter): Promise<DeliveryRecord[]>;
  /** Dead letters back to pending with a fresh attempt budget. Returns how many. */
  replayDeadLetters(filter: ReplayFilter & { now: number }): Promise<number>;

  backlog(): Promise<Backlog>;

  /** A named, expiring lock, e.g. so that one replica runs reconciliation at a time. */
  tryAcquireLease(name: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
}

export type EventState = "pending" | "dispatched";
export type DeliveryState = "pending" | "delivered" | "dead";

export interface StoredEvent extends InboundEvent {
  readonly receivedAt: number;
  readonly state: EventState;
  readonly attempts: number;
  readonly lastError: string | null;
  /** What subscribers receive (set when dispatched to at least one). */
  readonly body: string | null;
}

export interface Claim {
  /** Identifies this worker (process) in leases. */
  readonly owner: string;
  readonly now: number;
  readonly leaseMs: number;
  readonly limit: number;
}

export interface EventLease {
  readonly owner: string;
  readonly leaseMs: number;
}

export interface ClaimedEvent extends StoredEvent {
  readonly leaseOwner: string;
  /** The attempt number this claim owns (1 for the first). */
  readonly attempt: number;
}

export interface FanOut {
  /**
   * What each subscriber gets; null when no subscriber wants the event: no delivery will read
   * it, so it is neither built nor stored (for a payment's status change with no subscriber,
   * most of what its completion would write).
   */
  readonly body: string | null;
  readonly subscriberIds: readonly string[];
  readonly now: number;
}

export interface ClaimedDelivery {
  readonly id: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly subscriberId: string;
  readonly body: string;
  readonly leaseOwner: string;
  /** The attempt number this claim owns (1 for the first); never reused, even after replay. */
  readonly attempt: number;
  /** Attempts since the last replay: what the retry budget counts. */
  readonly attemptSinceReplay: number;
}

export type DeliveryOutcome =
  | { readonly kind: "delivered"; readonly now: number; readonly statusCode: number | null }
  | {
      readonly kind: "retry";
      readonly now: number;
      readonly nextAttemptAt: number;
      readonly error: string;
      readonly statusCode: number | null;
    }
  | {
      readonly kind: "dead";
      readonly now: number;
      readonly error: string;
      readonly statusCode: number | null;
    };

export interface DeliveryRecord {
  readonly id: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly subscriberId: string;
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly lastStatusCode: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly deliveredAt: number | null;
}

export interface DeliveryFilter {
  readonly eventId?: string;
  readonly subscriberId?: string;
  readonly state?: DeliveryState;
  readonly limit?: number;
}

export interface ReplayFilter {
  readonly eventId?: string;
  readonly subscriberId?: string;
}

export interface Backlog {
  readonly pendingEvents: number;
  /** receivedAt of the oldest event not yet dispatched, or null. */
  readonly oldestPendingEventAt: number | null;
  readonly pendingDeliveries: number;
  /** createdAt of the oldest delivery not yet delivered, or null. */
  readonly oldestPendingDeliveryAt: number | null;
  readonly deadLetters: number;
}

export type { EventFormat, EventSource };
