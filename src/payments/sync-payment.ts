import { ConcurrentPaymentUpdateError, UnknownPaymentError } from "./errors.js";
import { judgePayment, type PaymentVerdict } from "./judge-payment.js";
import { describePayment, type PaymentDetails, sameDetails } from "./payment-details.js";
import { callPortOne, PortOneRejection } from "./portone-failure.js";
import type {
  ChannelType,
  PaymentEventOutbox,
  PaymentEventSink,
  PaymentRecord,
  PaymentRecordStore,
  PaymentRecordUpdate,
  PaymentStatusChanged,
  PortOnePayment,
  PortOnePaymentApi,
} from "./ports.js";

export interface SyncPaymentDeps {
  readonly portone: PortOnePaymentApi;
  readonly records: PaymentRecordStore;
  /**
   * The transactional outbox (the webhook inbox, in the records' database): each change's
   * event is written in the change's own transaction, so it is durable exactly when the change is.
   */
  readonly outbox?: PaymentEventOutbox;
  /**
   * Sinks published to after a change commits that must still get every change at least once
   * (an embedder's own): the change stays marked unpublished until they all have it. Omit when
   * there are none, and a change costs no mark at all.
   */
  readonly events?: PaymentEventSink;
  /** Told of each change once it committed (the log line and its metric); must not throw. */
  readonly onStatusChange?: (event: PaymentStatusChanged) => void;
  /** The channel type a paid payment must have (TEST against sandboxes and test channels). */
  readonly channelType: ChannelType;
  /** Told how each sync ended (metrics); "mismatch" is a change to MISMATCH. */
  readonly onSyncResult?: (result: SyncOutcome | "mismatch" | "error") => void;
  /**
   * How long a recorded change may stay unannounced before a later sync announces it itself
   * (default 30 s: the writer normally publishes within milliseconds).
   */
  readonly lostEventGraceMs?: number;
}

export type SyncOutcome =
  /** The record now holds a different status than before this call. */
  | "changed"
  /** PortOne agrees with what was recorded (or another writer already recorded it). */
  | "unchanged"
  /** PortOne does not know the payment yet: the checkout has not started. */
  | "not-started"
  /** PortOne reported a status this code does not know; the record was left as it was. */
  | "unknown-status";

export interface SyncResult {
  readonly outcome: SyncOutcome;
  readonly record: PaymentRecord;
  /** PortOne's payment as just fetched; null when PortOne does not know it yet. */
  readonly payment: PortOnePayment | null;
}

/** Compare-and-set retries before giving up; each lost race re-reads the record. */
const MAX_ATTEMPTS = 5;

/**
 * Brings the stored verdict on one payment up to date with PortOne, the single place where a
 * payment becomes PAID. Both the browser's `payment.complete` and the webhook dispatcher call
 * it, in any order and concurrently: the record is updated by compare-and-set on its version,
 * so each status change is written, and published, exactly once; its event is written into
 * the outbox in the change's own transaction. A payment whose amount, currency or channel
 * differ from the order becomes MISMATCH, never PAID.
 *
 * Throws `UnknownPaymentError` for a paymentId this service never prepared, and the
 * classified PortOne failures of `callPortOne`.
 */
export async function syncPayment(
  paymentId: string,
  deps: SyncPaymentDeps,
  /** The record, when the caller just read it (saves a second read). */
  knownRecord?: PaymentRecord,
): Promise<SyncResult> {
  try {
    const result = await syncOnce(paymentId, deps, knownRecord);
    deps.onSyncResult?.(
      result.outcome === "changed" && result.record.status === "MISMATCH"
        ? "mismatch"
        : result.outcome,
    );
    return result;
  } catch (error) {
    deps.onSyncResult?.("error");
    throw error;
  }
}

async function syncOnce(
  paymentId: string,
  deps: SyncPaymentDeps,
  knownRecord: PaymentRecord | undefined,
): Promise<SyncResult> {
  let record = knownRecord ?? (await deps.records.getPaymentRecord(paymentId));
  if (!record) throw new UnknownPaymentError(paymentId);
  for (let attempt = 1; ; attempt++) {
    const payment = await fetchPayment(paymentId, deps);
    if (!payment)
      return { outcome: "not-started", record: await confirmNotStarted(record, deps), payment };
    const judged = judgePayment(payment, { ...record, channelType: deps.channelType });
    if (!judged) return { outcome: "unknown-status", record, payment };
    const verdict: RecordedVerdict = { ...judged, details: describePayment(payment) };
    const syncedAt = new Date().toISOString();
    // A lost announcement goes out before the record moves on: as it is, or (a new status)
    // folded into the next change's event.
    if (record.status === verdict.status) await announceLostChange(record, deps);
    if (sameVerdict(record, verdict)) {
      const confirmed = await deps.records.markPaymentSynced(paymentId, record.version, syncedAt);
      if (confirmed) return { outcome: "unchanged", record: confirmed, payment };
    } else {
      const updated = await writeVerdict(record, { ...verdict, syncedAt }, deps);
      if (updated) return { outcome: "changed", record: updated, payment };
    }
    // Another sync won the race. If it wrote what we saw, we are done; otherwise PortOne may
    // have moved on since our fetch, so look again rather than overwrite a newer verdict.
    const current = await deps.records.getPaymentRecord(paymentId);
    if (!current) throw new UnknownPaymentError(paymentId);
    record = current;
    if (sameVerdict(record, verdict)) return { outcome: "unchanged", record, payment };
    if (attempt >= MAX_ATTEMPTS) throw new ConcurrentPaymentUpdateError(paymentId, attempt);
  }
}

/** A verdict together with the details the view shows: both are what a sync records. */
interface RecordedVerdict extends PaymentVerdict {
  readonly details: PaymentDetails;
}

/**
 * PortOne does not know the payment yet, which is exactly what a PREPARED record says: that is
 * a confirmation too, so reads of a checkout not begun are paced like any other.
 */
async function confirmNotStarted(record: PaymentRecord, deps: SyncPaymentDeps) {
  if (record.status !== "PREPARED") return record;
  const syncedAt = new Date().toISOString();
  return (
    (await deps.records.markPaymentSynced(record.paymentId, record.version, syncedAt)) ?? record
  );
}

/**
 * Writes a new verdict by compare-and-set; null when another writer got there first. A new
 * status is written together with its PaymentStatusChanged event (into the outbox, in the same
 * transaction), and then told to the sinks that run after the commit.
 */
async function writeVerdict(
  record: PaymentRecord,
  update: PaymentRecordUpdate,
  deps: SyncPaymentDeps,
): Promise<PaymentRecord | null> {
  if (update.status === record.status)
    return deps.records.updatePaymentRecord(record.paymentId, record.version, update);
  // The status last announced: the one before, unless a change before it is still unannounced,
  // which this event then folds in. Both come from the record as read, which the
  // compare-and-set (version and mark) guarantees is still the stored one.
  const event = statusChange(record, {
    version: record.version + 1,
    previousStatus: record.unpublishedPreviousStatus ?? record.status,
    status: update.status,
    mismatchReason: update.mismatchReason,
    occurredAt: update.syncedAt,
  });
  const updated = await deps.records.recordStatusChange(record.paymentId, {
    expectedVersion: record.version,
    expectedUnpublished: record.unpublishedPreviousStatus,
    update,
    event,
    outbox: deps.outbox ?? null,
    markUnpublished: deps.events !== undefined,
  });
  if (!updated) return null;
  deps.onStatusChange?.(event);
  if (deps.events) await publishThenUnmark(updated, event, deps.events, deps.records);
  return updated;
}

/**
 * Publishes to the after-commit sinks, then clears the change's "unpublished" mark. If a sink
 * fails, the mark stays and a later sync announces the change again (at least once).
 */
async function publishThenUnmark(
  record: PaymentRecord,
  event: PaymentStatusChanged,
  sink: PaymentEventSink,
  records: PaymentRecordStore,
) {
  await sink.publish(event);
  await records.markPaymentEventPublished(record.paymentId, record.version);
}

/**
 * The writer of a change is given time to announce it before anyone else does, so that a
 * normal race between the browser and the webhook publishes one event, not two.
 */
const DEFAULT_LOST_EVENT_GRACE_MS = 30_000;

/**
 * A change still marked unpublished after the grace period lost its announcement (its
 * writer's sink failed or the process died; or an older version wrote it, before the outbox
 * was transactional): announced to every sink now, the outbox included (the event id is the
 * same as the writer's, so a copy the outbox already holds is not stored twice).
 */
async function announceLostChange(record: PaymentRecord, deps: SyncPaymentDeps) {
  const previousStatus = record.unpublishedPreviousStatus;
  if (previousStatus === null) return;
  const grace = deps.lostEventGraceMs ?? DEFAULT_LOST_EVENT_GRACE_MS;
  if (Date.now() - Date.parse(record.updatedAt) < grace) return;
  const event = statusChange(record, { ...record, previousStatus, occurredAt: record.updatedAt });
  const sinks = [deps.outbox, deps.events].filter((sink) => sink !== undefined);
  const results = await Promise.allSettled(sinks.map((sink) => sink.publish(event)));
  const failure = results.find((result) => result.status === "rejected");
  if (failure) throw failure.reason;
  deps.onStatusChange?.(event);
  await deps.records.markPaymentEventPublished(record.paymentId, record.version);
}

function statusChange(
  record: PaymentRecord,
  change: Pick<
    PaymentStatusChanged,
    "version" | "previousStatus" | "status" | "mismatchReason" | "occurredAt"
  >,
): PaymentStatusChanged {
  return {
    type: "PaymentStatusChanged",
    paymentId: record.paymentId,
    version: change.version,
    orderId: record.orderId,
    customerId: record.customerId,
    previousStatus: change.previousStatus,
    status: change.status,
    mismatchReason: change.mismatchReason,
    occurredAt: change.occurredAt,
  };
}

async function fetchPayment(
  paymentId: string,
  deps: SyncPaymentDeps,
): Promise<PortOnePayment | null> {
  try {
    return await callPortOne("getPayment", () => deps.portone.getPayment({ paymentId }));
  } catch (error) {
    if (error instanceof PortOneRejection && error.type === "PAYMENT_NOT_FOUND") return null;
    throw error;
  }
}

function sameVerdict(record: PaymentRecord, verdict: RecordedVerdict): boolean {
  return (
    record.status === verdict.status &&
    record.mismatchReason === verdict.mismatchReason &&
    sameDetails(record.details, verdict.details)
  );
}
