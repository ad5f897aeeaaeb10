import { ConcurrentPaymentUpdateError, UnknownPaymentError } from "./errors.js";
import { judgePayment, type PaymentVerdict } from "./judge-payment.js";
import { describePayment, type PaymentDetails, sameDetails } from "./payment-details.js";
import { callPortOne, PortOneRejection } from "./portone-failure.js";
import type {
  ChannelType,
  PaymentEventSink,
  PaymentRecord,
  PaymentRecordStore,
  PortOnePayment,
  PortOnePaymentApi,
} from "./ports.js";

export interface SyncPaymentDeps {
  readonly portone: PortOnePaymentApi;
  readonly records: PaymentRecordStore;
  readonly events: PaymentEventSink;
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
 * so each status change is written, and published, exactly once. A payment whose amount,
 * currency or channel differ from the order becomes MISMATCH, never PAID.
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
    if (sameVerdict(record, verdict)) {
      await announceLostChange(record, deps);
      const confirmed = await deps.records.markPaymentSynced(paymentId, record.version, syncedAt);
      if (confirmed) return { outcome: "unchanged", record: confirmed, payment };
    } else {
      const updated = await deps.records.updatePaymentRecord(paymentId, record.version, {
        ...verdict,
        syncedAt,
      });
      if (updated) {
        if (updated.status !== record.status) await announce(updated, syncedAt, deps);
        return { outcome: "changed", record: updated, payment };
      }
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
 * Publishes the change recorded in `record` and then clears its "unpublished" mark. If the
 * sink fails, the mark stays and a later sync announces the change again (at least once).
 * `previousStatus` is the status last announced, so a lost event is folded into the next one.
 */
async function announce(record: PaymentRecord, occurredAt: string, deps: SyncPaymentDeps) {
  const previousStatus = record.unpublishedPreviousStatus;
  if (previousStatus === null) return;
  await deps.events.publish({
    type: "PaymentStatusChanged",
    paymentId: record.paymentId,
    version: record.version,
    orderId: record.orderId,
    customerId: record.customerId,
    previousStatus,
    status: record.status,
    mismatchReason: record.mismatchReason,
    occurredAt,
  });
  await deps.records.markPaymentEventPublished(record.paymentId, record.version);
}

/**
 * The writer of a change is given time to announce it before anyone else does, so that a
 * normal race between the browser and the webhook publishes one event, not two.
 */
const DEFAULT_LOST_EVENT_GRACE_MS = 30_000;

async function announceLostChange(record: PaymentRecord, deps: SyncPaymentDeps) {
  if (record.unpublishedPreviousStatus === null) return;
  const grace = deps.lostEventGraceMs ?? DEFAULT_LOST_EVENT_GRACE_MS;
  if (Date.now() - Date.parse(record.updatedAt) < grace) return;
  await announce(record, record.updatedAt, deps);
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
