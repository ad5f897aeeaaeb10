import { randomUUID } from "node:crypto";
import type { PaymentView } from "../payments/payment-view.js";
import {
  type DispatchedEvent,
  type InboundEvent,
  isTransactionEvent,
  serialiseDispatchedEvent,
} from "./event.js";
import { type DeliveryMetricOutcome, noWebhookMetrics, type WebhookMetrics } from "./metrics.js";
import { type RetryPolicy, retryDelayMs } from "./retry-policy.js";
import type {
  ClaimedDelivery,
  ClaimedEvent,
  DeliveryOutcome,
  EventLease,
  FanOut,
  WebhookStore,
} from "./store/webhook-store.js";
import type { DeliveryResult, Subscriber } from "./subscriber.js";
import { isCleanId } from "./untrusted-text.js";
import type { WorkKind, WorkNotifications } from "./work-notifications.js";

/** The part of a pino/Fastify logger the dispatcher uses. */
export interface DispatcherLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface PaymentSyncPort {
  /** Runs `syncPayment` and returns the fresh, sanitised payment view. */
  sync(paymentId: string): Promise<PaymentView>;
  /** True for errors a retry cannot fix (e.g. a payment this service never prepared). */
  isPermanent(error: unknown): boolean;
}

export interface DispatcherTuning {
  /** Per subscriber: attempts before a delivery becomes a dead letter, and the backoff. */
  readonly delivery: RetryPolicy;
  /** Per event: attempts at syncing the payment before fanning out without it. */
  readonly sync: RetryPolicy;
  /** How long a claim is exclusive; must exceed `deliveryTimeoutMs` (see below). */
  readonly leaseMs: number;
  /** HTTP timeout of one delivery attempt. */
  readonly deliveryTimeoutMs: number;
  /** How often to look for work other replicas stored or retries that came due. */
  readonly pollIntervalMs: number;
  /** Deliveries in flight at once in this process. */
  readonly maxConcurrentDeliveries: number;
  /** Events being synced and fanned out at once in this process. */
  readonly maxConcurrentEvents: number;
}

export const defaultDispatcherTuning: DispatcherTuning = {
  delivery: { maxAttempts: 10, baseDelayMs: 5_000, maxDelayMs: 3_600_000 },
  sync: { maxAttempts: 6, baseDelayMs: 2_000, maxDelayMs: 300_000 },
  leaseMs: 60_000,
  deliveryTimeoutMs: 15_000,
  pollIntervalMs: 1_000,
  maxConcurrentDeliveries: 32,
  maxConcurrentEvents: 32,
};

export interface DispatcherOptions {
  readonly store: WebhookStore;
  /** Current subscribers (HTTP and in-process); read on every fan-out and claim. */
  readonly subscribers: () => readonly Subscriber[];
  readonly payments?: PaymentSyncPort;
  /** Sandbox mode: every dispatched event carries `livemode: false`. */
  readonly sandbox: boolean;
  /** Complete settings: defaults are merged once, by whoever builds the dispatcher. */
  readonly tuning: DispatcherTuning;
  readonly metrics?: WebhookMetrics;
  readonly logger: DispatcherLogger;
  readonly clock?: () => number;
  /** Names this worker in leases; unique per process. */
  readonly workerId?: string;
  /**
   * Told of every event this worker fanned out, once its deliveries are stored: a live tap
   * (`portone-bff listen`) that costs no delivery row and gets no retries. Must not throw.
   */
  readonly onDispatched?: (event: DispatchedEvent) => void;
  /** Announces work stored by any process; without it the dispatcher polls. */
  readonly notifications?: WorkNotifications;
}

/** A reserved event slot (see `WebhookDispatcher.reserveEventDispatch`); settle it exactly once. */
export interface EventDispatchReservation {
  readonly lease: EventLease;
  readonly settle: (event: ClaimedEvent | null) => void;
}

/** How long a notification waits for more before this process claims (see #notified). */
const NOTIFICATION_COALESCE_MS = 50;
/** The longest safety-net poll while notifications arrive. */
const MAX_SAFETY_POLL_MS = 30_000;
/** Retry due times remembered for timely claims; beyond that the poll finds them. */
const MAX_RETRY_TIMERS = 10_000;

/**
 * Moves work from the inbox to the subscribers. Two kinds of work, both claimed from the store
 * so that any number of replicas can run this loop:
 * 1. a stored event: sync the payment (for `Transaction.*`), freeze the body every subscriber
 *    will get, and create one delivery per interested subscriber;
 * 2. a due delivery: one attempt to one subscriber, then delivered, retry later, or dead.
 * A crash anywhere leaves the claim to expire, after which another worker takes it over with
 * the next attempt number; the store fences off late results of the old claim.
 */
export class WebhookDispatcher {
  readonly workerId: string;
  readonly #store: WebhookStore;
  readonly #subscribers: () => readonly Subscriber[];
  readonly #payments: PaymentSyncPort | undefined;
  readonly #livemode: boolean;
  readonly #tuning: DispatcherTuning;
  readonly #metrics: WebhookMetrics;
  readonly #logger: DispatcherLogger;
  readonly #clock: () => number;
  readonly #onDispatched: ((event: DispatchedEvent) => void) | undefined;
  readonly #inFlightDeliveries = new Set<Promise<void>>();
  readonly #inFlightEvents = new Set<Promise<void>>();
  readonly #notifications: WorkNotifications | undefined;
  /** Kinds of work there is reason to claim (announced, polled, or a full last claim). */
  readonly #wanted: Record<WorkKind, boolean> = { events: true, deliveries: true };
  /** When retries this process scheduled come due, ascending. */
  readonly #retryTimes: number[] = [];
  readonly #notifiedTimers: Record<WorkKind, NodeJS.Timeout | undefined> = {
    events: undefined,
    deliveries: undefined,
  };
  #lastPollAt = -Infinity;
  /** Delivery slots held for deliveries being created leased to this process. */
  #reservedDeliveries = 0;
  #running = false;
  #loop: Promise<void> | undefined;
  #wakeUp: (() => void) | undefined;

  constructor(options: DispatcherOptions) {
    this.#store = options.store;
    this.#subscribers = options.subscribers;
    this.#payments = options.payments;
    this.#livemode = !options.sandbox;
    this.#tuning = options.tuning;
    this.#metrics = options.metrics ?? noWebhookMetrics;
    this.#logger = options.logger;
    this.#clock = options.clock ?? Date.now;
    this.#onDispatched = options.onDispatched;
    this.workerId = options.workerId ?? `worker-${randomUUID()}`;
    this.#notifications = options.notifications;
    if (this.#tuning.deliveryTimeoutMs >= this.#tuning.leaseMs) {
      // Otherwise a slow attempt could still be running when its lease expires and another
      // worker starts the next attempt to the same subscriber.
      throw new Error(
        `The webhook lease (${this.#tuning.leaseMs} ms) must be longer than the delivery timeout (${this.#tuning.deliveryTimeoutMs} ms).`,
      );
    }
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#notifications?.start((kind) => this.#notified(kind));
    this.#loop = this.#run();
  }

  /** Stops claiming new work and waits for the attempts in flight to finish. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#wakeUp?.();
    clearTimeout(this.#notifiedTimers.events);
    clearTimeout(this.#notifiedTimers.deliveries);
    await this.#notifications?.stop();
    await this.#loop;
    await Promise.allSettled([...this.#inFlightDeliveries, ...this.#inFlightEvents]);
  }

  /** New work was stored: look now rather than at the next poll. */
  wake(kind: WorkKind | "all" = "all"): void {
    if (kind !== "deliveries") this.#wanted.events = true;
    if (kind !== "events") this.#wanted.deliveries = true;
    this.#wakeUp?.();
  }

  /**
   * Stores a new event: what the ingest route and the outbox's late announcements write
   * through. With a free event slot the event is stored leased to this process (its first
   * attempt, in the same commit) and dispatched from memory once committed: no claim, and no
   * other replica is notified. Without one it is stored for whoever claims it first: this
   * process once a slot frees up, or another replica on its notification. Crash safety is the
   * claim's: a leased event whose holder dies is claimed again once the lease runs out.
   * Resolves (false for a duplicate) once the event is committed.
   */
  storeEvent(event: InboundEvent, receivedAt: number): Promise<boolean> {
    const dispatch = this.reserveEventDispatch();
    if (!dispatch) return this.#storeUnleased(event, receivedAt);
    const stored = this.#store.insertLeasedEvent(event, receivedAt, dispatch.lease);
    // A failed insert is the caller's error (it answers the sender), not the dispatcher's.
    stored.then(dispatch.settle, () => dispatch.settle(null));
    return stored.then((claimed) => claimed !== null);
  }

  /**
   * An event slot for an event about to be stored leased to this process, by `storeEvent` or
   * by a writer with a transaction of its own (the payment records store writing a change's
   * event with the change): the row is inserted with `lease`, and once its transaction has
   * ended the writer settles the reservation with the event as stored (dispatched from memory
   * at once, no claim) or null (nothing was stored: the slot is freed). The slot is taken from
   * now on, so concurrent writers never overbook it. Null when no slot is free (or the
   * dispatcher is not running): the caller stores the event unleased and wakes a claimer.
   */
  reserveEventDispatch(): EventDispatchReservation | null {
    if (!this.#running || this.#freeSlots("events") <= 0) return null;
    let settle: (event: ClaimedEvent | null) => void = () => {};
    const stored = new Promise<ClaimedEvent | null>((resolve) => {
      settle = resolve;
    });
    this.#track(
      this.#inFlightEvents,
      stored.then((event) => (event ? this.#dispatchEvent(event) : undefined)),
    );
    return { lease: { owner: this.workerId, leaseMs: this.#tuning.leaseMs }, settle };
  }

  /**
   * Whether a new event that needs no payment sync (an internal status change) has to go
   * through dispatch: true unless this dispatcher runs and no subscriber wants its type. An
   * event nobody wants would only be claimed (or leased) to be completed with no deliveries;
   * its writer stores it already dispatched instead and, once that commits, hands it to
   * `announceDispatched` for the watchers. Subscribers are this process's (configured ones
   * and handlers), as a completion would see them.
   */
  needsDispatch(type: string): boolean {
    return !this.#running || this.#subscribers().some((subscriber) => subscriber.wants(type));
  }

  /** What `#dispatchEvent` tells the watchers, for an event stored already dispatched. */
  announceDispatched(event: InboundEvent): void {
    this.#onDispatched?.({ ...event, payment: null, livemode: this.#livemode });
  }

  async #storeUnleased(event: InboundEvent, receivedAt: number): Promise<boolean> {
    const inserted = await this.#store.insertEvent(event, receivedAt);
    if (inserted) this.wake("events");
    return inserted;
  }

  /**
   * Work stored by any process, this one included. The process that stored it has already
   * been woken directly and usually claims it at once, so the others wait a moment: the
   * notifications of that moment cost them one claim, not one each, and an empty claim (the
   * usual case while every replica keeps up) stays rare however busy the database is. Work a
   * busy or crashed replica leaves behind is claimed by the others a moment later. After a
   * gap ("all"), claim at once.
   */
  #notified(kind: WorkKind | "all"): void {
    if (kind === "all") {
      this.wake("all");
      return;
    }
    if (this.#notifiedTimers[kind]) return;
    const timer = setTimeout(() => {
      this.#notifiedTimers[kind] = undefined;
      this.wake(kind);
    }, NOTIFICATION_COALESCE_MS);
    timer.unref?.();
    this.#notifiedTimers[kind] = timer;
  }

  /**
   * Claims and finishes everything due now, waiting for it: for tests and for the CLI, which
   * do not run the loop.
   */
  async drain(): Promise<void> {
    for (;;) {
      const events = await this.#claimEvents(this.#tuning.maxConcurrentEvents);
      await Promise.all(events.map((event) => this.#dispatchEvent(event)));
      // Fan-out may have started deliveries leased to this process: they are part of "now".
      await Promise.allSettled([...this.#inFlightDeliveries]);
      const deliveries = await this.#claimDeliveries(this.#tuning.maxConcurrentDeliveries);
      await Promise.all(deliveries.map((delivery) => this.#deliver(delivery)));
      if (events.length === 0 && deliveries.length === 0) return;
    }
  }

  /**
   * Claims a kind of work when there is reason to think some is waiting (a notification, a
   * local write, a poll, a full previous claim) and at least half its slots are free: claims
   * are fewer and larger than one per finished item, and each claim is a round trip and a
   * commit.
   */
  async #run(): Promise<void> {
    while (this.#running) {
      this.#pollIfDue();
      try {
        await this.#claimIfWanted("events");
        await this.#claimIfWanted("deliveries");
      } catch (error) {
        this.#logger.error({ err: error }, "webhook dispatcher could not claim work; will retry");
        // Look again after one (short) poll interval, whether or not notifications arrive.
        this.#lastPollAt = this.#clock() - this.#pollDelayMs() + this.#tuning.pollIntervalMs;
      }
      if (this.#running && !this.#canClaim("events") && !this.#canClaim("deliveries")) {
        await this.#idle();
      }
    }
  }

  /** Work nobody announces: retries coming due, and leases that ran out (a crashed worker). */
  #pollIfDue(): void {
    const now = this.#clock();
    const pollDue = now >= this.#lastPollAt + this.#pollDelayMs();
    if (!pollDue && (this.#retryTimes[0] ?? Infinity) > now) return;
    while ((this.#retryTimes[0] ?? Infinity) <= now) this.#retryTimes.shift();
    if (pollDue) this.#lastPollAt = now;
    this.#wanted.events = true;
    this.#wanted.deliveries = true;
  }

  /**
   * While notifications arrive, polling only has to find expired leases (at most one lease late)
   * and retries other processes scheduled; otherwise it is how new work is found at all.
   */
  #pollDelayMs(): number {
    const { pollIntervalMs, leaseMs } = this.#tuning;
    if (!this.#notifications?.live) return pollIntervalMs;
    return Math.max(pollIntervalMs, Math.min(leaseMs, MAX_SAFETY_POLL_MS));
  }

  /** Remembers when a retry this process scheduled comes due, to claim it on time. */
  #noteRetryAt(time: number): void {
    if (this.#retryTimes.length >= MAX_RETRY_TIMERS) return; // the poll finds the rest
    let index = this.#retryTimes.length;
    while (index > 0 && (this.#retryTimes[index - 1] ?? 0) > time) index--;
    this.#retryTimes.splice(index, 0, time);
  }

  #slots(kind: WorkKind): { inFlight: Set<Promise<void>>; limit: number } {
    return kind === "events"
      ? { inFlight: this.#inFlightEvents, limit: this.#tuning.maxConcurrentEvents }
      : { inFlight: this.#inFlightDeliveries, limit: this.#tuning.maxConcurrentDeliveries };
  }

  #freeSlots(kind: WorkKind): number {
    const { inFlight, limit } = this.#slots(kind);
    return limit - inFlight.size - (kind === "deliveries" ? this.#reservedDeliveries : 0);
  }

  #canClaim(kind: WorkKind): boolean {
    const { limit } = this.#slots(kind);
    return this.#wanted[kind] && this.#freeSlots(kind) >= Math.ceil(limit / 2);
  }

  async #claimIfWanted(kind: WorkKind): Promise<void> {
    if (!this.#running || !this.#canClaim(kind)) return;
    const free = this.#freeSlots(kind);
    this.#wanted[kind] = false;
    const claimed =
      kind === "events"
        ? this.#startEvents(await this.#claimEvents(free))
        : this.#startDeliveries(await this.#claimDeliveries(free));
    // A full claim suggests more is waiting: claim again once there is room.
    if (claimed === free) this.#wanted[kind] = true;
  }

  /**
   * Waits for a wake-up, the next poll or the next retry due, but never longer than one poll
   * interval: the safety-net poll gets short again as soon as notifications stop.
   */
  #idle(): Promise<void> {
    const now = this.#clock();
    const until = Math.min(this.#lastPollAt + this.#pollDelayMs(), this.#retryTimes[0] ?? Infinity);
    const ms = Math.min(this.#tuning.pollIntervalMs, Math.max(0, until - now));
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref?.();
      this.#wakeUp = done;
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#wakeUp = undefined;
        resolve();
      }
    });
  }

  async #claimEvents(limit: number): Promise<ClaimedEvent[]> {
    if (limit <= 0) return [];
    return this.#store.claimEvents({
      owner: this.workerId,
      now: this.#clock(),
      leaseMs: this.#tuning.leaseMs,
      limit,
    });
  }

  async #claimDeliveries(limit: number): Promise<ClaimedDelivery[]> {
    const subscriberIds = this.#subscribers().map((subscriber) => subscriber.id);
    if (limit <= 0 || subscriberIds.length === 0) return [];
    return this.#store.claimDeliveries({
      owner: this.workerId,
      now: this.#clock(),
      leaseMs: this.#tuning.leaseMs,
      limit,
      subscriberIds,
    });
  }

  #startEvents(events: ClaimedEvent[]): number {
    for (const event of events) this.#track(this.#inFlightEvents, this.#dispatchEvent(event));
    return events.length;
  }

  #startDeliveries(deliveries: ClaimedDelivery[]): number {
    for (const delivery of deliveries)
      this.#track(this.#inFlightDeliveries, this.#deliver(delivery));
    return deliveries.length;
  }

  #track(set: Set<Promise<void>>, work: Promise<void>): void {
    const tracked = work.finally(() => {
      set.delete(tracked);
      // A slot came free: work already wanted may now fit.
      this.#wakeUp?.();
    });
    set.add(tracked);
  }

  async #dispatchEvent(event: ClaimedEvent): Promise<void> {
    try {
      const synced = await this.#syncPayment(event);
      if (synced === "postponed") return;
      const dispatched: DispatchedEvent = {
        id: event.id,
        source: event.source,
        format: event.format,
        type: event.type,
        occurredAt: event.occurredAt,
        data: event.data,
        payment: synced.payment,
        livemode: this.#livemode,
        ...(synced.error ? { paymentSyncError: synced.error } : {}),
      };
      const subscriberIds = this.#subscribers()
        .filter((subscriber) => subscriber.wants(event.type))
        .map((subscriber) => subscriber.id);
      const fanOut = {
        body: subscriberIds.length > 0 ? serialiseDispatchedEvent(dispatched) : null,
        subscriberIds,
        now: this.#clock(),
      };
      const completed = await this.#complete(event, fanOut);
      if (!completed) {
        this.#logger.warn(
          { webhookId: event.id },
          "webhook event was taken over by another worker",
        );
        return;
      }
      this.#onDispatched?.(dispatched);
    } catch (error) {
      // The store failed; the lease runs out and the event is claimed again.
      this.#logger.error({ err: error, webhookId: event.id }, "webhook event dispatch failed");
    }
  }

  /**
   * Completes the event. When this process has room for all its deliveries they are created
   * leased to it and started at once (no claim, no other replica woken); otherwise they are
   * left for whoever claims them. False when the lease was lost.
   */
  async #complete(event: ClaimedEvent, fanOut: FanOut): Promise<boolean> {
    const count = fanOut.subscriberIds.length;
    if (count === 0 || count > this.#freeSlots("deliveries")) {
      const completed = await this.#store.completeEvent(event, fanOut);
      if (completed && count > 0) this.wake("deliveries");
      return completed;
    }
    this.#reservedDeliveries += count;
    try {
      const leased = await this.#store.completeEventLeasingDeliveries(
        event,
        fanOut,
        this.#tuning.leaseMs,
      );
      if (leased === null) return false;
      this.#startDeliveries(leased);
      return true;
    } finally {
      this.#reservedDeliveries -= count;
    }
  }

  async #syncPayment(
    event: ClaimedEvent,
  ): Promise<"postponed" | { payment: PaymentView | null; error?: string }> {
    const paymentId = event.data.paymentId;
    if (!this.#payments || !isTransactionEvent(event.type) || typeof paymentId !== "string") {
      return { payment: null };
    }
    if (!isCleanId(paymentId)) return { payment: null, error: "paymentId is not a valid id" };
    try {
      return { payment: await this.#payments.sync(paymentId) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (!this.#payments.isPermanent(error) && event.attempt < this.#tuning.sync.maxAttempts) {
        const delay = retryDelayMs(this.#tuning.sync, event.attempt);
        this.#logger.warn(
          { webhookId: event.id, paymentId, attempt: event.attempt, retryInMs: delay, reason },
          "payment sync for webhook failed; will retry",
        );
        const nextAttemptAt = this.#clock() + delay;
        await this.#store.postponeEvent(event, { nextAttemptAt, error: reason });
        this.#noteRetryAt(nextAttemptAt);
        return "postponed";
      }
      this.#logger.warn(
        { webhookId: event.id, paymentId, attempt: event.attempt, reason },
        "payment sync for webhook failed for good; fanning out without the payment",
      );
      return { payment: null, error: reason };
    }
  }

  /** One attempt at one delivery, in four phases: claimed (by the caller) -> send -> decide -> record. */
  async #deliver(delivery: ClaimedDelivery): Promise<void> {
    try {
      const result = await this.#send(delivery);
      const outcome = decideOutcome(delivery, result, this.#tuning.delivery, this.#clock());
      await this.#record(delivery, outcome);
    } catch (error) {
      this.#logger.error(
        { err: error, webhookId: delivery.eventId, subscriber: delivery.subscriberId },
        "webhook delivery could not be recorded",
      );
    }
  }

  async #send(delivery: ClaimedDelivery): Promise<DeliveryResult> {
    const subscriber = this.#subscribers().find(
      (candidate) => candidate.id === delivery.subscriberId,
    );
    if (!subscriber) {
      return { ok: false, statusCode: null, error: "subscriber is no longer registered" };
    }
    return subscriber.deliver({
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      body: delivery.body,
      attempt: delivery.attempt,
    });
  }

  /** Writes the outcome (fenced by the claim), then counts and logs it if it was ours to write. */
  async #record(delivery: ClaimedDelivery, outcome: DeliveryOutcome): Promise<void> {
    const recorded = await this.#store.finishDelivery(delivery, outcome);
    if (!recorded) return;
    if (outcome.kind === "retry") this.#noteRetryAt(outcome.nextAttemptAt);
    this.#metrics.delivery(delivery.subscriberId, outcome.kind as DeliveryMetricOutcome);
    const context = { webhookId: delivery.eventId, subscriber: delivery.subscriberId };
    if (outcome.kind === "dead") {
      this.#logger.error(
        { ...context, attempts: delivery.attempt, reason: outcome.error },
        "webhook delivery gave up: dead letter (replay it once the subscriber is fixed)",
      );
    } else if (outcome.kind === "retry") {
      this.#logger.warn(
        { ...context, attempt: delivery.attempt, reason: outcome.error },
        "webhook delivery failed; will retry",
      );
    }
  }
}

/**
 * What one attempt means for a delivery: delivered, try again after a backoff, or a dead letter
 * once the attempts since the last replay reach the policy's budget. Pure, so the rule is
 * tested on its own.
 */
export function decideOutcome(
  delivery: Pick<ClaimedDelivery, "attemptSinceReplay">,
  result: DeliveryResult,
  policy: RetryPolicy,
  now: number,
  random: () => number = Math.random,
): DeliveryOutcome {
  if (result.ok) return { kind: "delivered", now, statusCode: result.statusCode };
  const { error, statusCode } = result;
  if (delivery.attemptSinceReplay >= policy.maxAttempts) {
    return { kind: "dead", now, error, statusCode };
  }
  const nextAttemptAt = now + retryDelayMs(policy, delivery.attemptSinceReplay, random);
  return { kind: "retry", now, nextAttemptAt, error, statusCode };
}
