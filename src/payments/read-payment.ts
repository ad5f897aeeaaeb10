import type { Caller } from "./access.js";
import { findCallersPayment } from "./find-callers-payment.js";
import { isSettled } from "./payment-statuses.js";
import { type PaymentView, toPaymentView } from "./payment-view.js";
import type { PaymentRecord, PaymentRecordStore } from "./ports.js";
import type { SyncResult } from "./sync-payment.js";

/** The procedure a read serves: each counts its own PortOne calls. */
export type ReadProcedure = "get" | "complete";

export interface PaymentReadsDeps {
  readonly records: Pick<PaymentRecordStore, "getPaymentRecord">;
  /** `syncPayment` bound to the ports of the procedure that asks (record just read). */
  readonly sync: (record: PaymentRecord, procedure: ReadProcedure) => Promise<SyncResult>;
  /** How long a confirmation of a payment that can still change stays good enough for `get`. */
  readonly syncIntervalMs: number;
  /** Wall-clock milliseconds (compared with the record's `syncedAt`). Default `Date.now`. */
  readonly now?: () => number;
}

/** `payment.get` and `payment.complete`: answered from the record whenever it can say as much. */
export interface PaymentReads {
  get(paymentId: string, caller: Caller): Promise<PaymentView>;
  complete(paymentId: string, caller: Caller): Promise<PaymentView>;
}

/**
 * Whether the record may answer without asking PortOne. A settled payment (PAID, cancelled,
 * MISMATCH) changes only when PortOne announces it, by webhook or in a reconciliation sweep,
 * and both sync the record: once a sync has stored its details, the record is the answer. A
 * payment that can still move by itself (a checkout not begun, pending, an issued virtual
 * account, failed and retried) is good for `syncIntervalMs` after its last confirmation; `get`
 * only: `complete` comes right after a checkout, which is exactly when such a payment moves.
 */
export function recordAnswers(
  record: PaymentRecord,
  procedure: ReadProcedure,
  now: number,
  syncIntervalMs: number,
): boolean {
  if (record.syncedAt === null) return false;
  if (isSettled(record.status)) return record.details !== null;
  if (procedure === "complete") return false;
  return now - Date.parse(record.syncedAt) < syncIntervalMs;
}

interface Flight {
  /** performance.now() when the PortOne call was started. */
  readonly startedAt: number;
  /**
   * The record the sync left: all a joiner reads. Kept on its own, so that the flight (held
   * for the sync interval) does not hold PortOne's whole payment object that long too.
   */
  readonly record: Promise<PaymentRecord>;
}

/**
 * Local-first reads with single-flight syncs: concurrent reads of one payment in this process
 * share one PortOne call. The ownership check comes first, so a stranger's paymentId costs
 * nothing upstream and never joins (or learns of) anyone's sync.
 */
export function createPaymentReads(deps: PaymentReadsDeps): PaymentReads {
  const now = deps.now ?? Date.now;
  const flights = new Map<string, Flight>();

  const forget = (paymentId: string, flight: Flight) => {
    if (flights.get(paymentId) === flight) flights.delete(paymentId);
  };
  /**
   * A successful sync stays joinable for the sync interval: a read that looked at the record
   * just before the sync wrote it (a database read in flight) then shares it too, instead of
   * asking PortOne a second time for what it answered a moment ago.
   */
  const start = (record: PaymentRecord, procedure: ReadProcedure): Flight => {
    const flight: Flight = {
      startedAt: performance.now(),
      record: deps.sync(record, procedure).then(
        (result) => {
          setTimeout(() => forget(record.paymentId, flight), deps.syncIntervalMs).unref();
          return result.record;
        },
        (error: unknown) => {
          forget(record.paymentId, flight);
          throw error;
        },
      ),
    };
    flights.set(record.paymentId, flight);
    return flight;
  };

  /**
   * `get` joins any sync in flight or just done; `complete` only one that started after it
   * arrived, since an older one may have asked PortOne before the checkout finished.
   */
  const syncShared = async (record: PaymentRecord, procedure: ReadProcedure, arrivedAt: number) => {
    const flight = flights.get(record.paymentId);
    if (flight && (procedure === "get" || flight.startedAt >= arrivedAt)) {
      const shared = await flight.record;
      // Someone else (a webhook, another replica) changed the record since: that is newer.
      if (shared.version >= record.version) return shared;
    }
    return start(record, procedure).record;
  };

  const read = async (paymentId: string, caller: Caller, procedure: ReadProcedure) => {
    const arrivedAt = performance.now();
    const record = await findCallersPayment(paymentId, caller, deps.records);
    if (recordAnswers(record, procedure, now(), deps.syncIntervalMs)) return toPaymentView(record);
    return toPaymentView(await syncShared(record, procedure, arrivedAt));
  };

  return {
    get: (paymentId, caller) => read(paymentId, caller, "get"),
    complete: (paymentId, caller) => read(paymentId, caller, "complete"),
  };
}
