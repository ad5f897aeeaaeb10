import { moneyMoved } from "../payments/payment-statuses.js";
import type { PaymentRecord, PaymentRecordStore, PortOnePaymentApi } from "../payments/ports.js";
import type { DispatcherLogger } from "./dispatcher.js";
import type { WebhookStore } from "./store/webhook-store.js";

/** The slice of PortOne's payment API reconciliation reads; `PortOneClient(...).payment` has it. */
export type PaymentListApi = Pick<PortOnePaymentApi, "getPayments">;

export interface ReconcileDeps {
  readonly portone: PaymentListApi;
  readonly records: Pick<PaymentRecordStore, "getPaymentRecord">;
  /** `syncPayment` for one payment. */
  readonly sync: (paymentId: string) => Promise<unknown>;
  readonly storeId?: string;
  /** Told about each payment whose sync failed (the sweep goes on; the next one retries). */
  readonly onSyncFailed?: (paymentId: string, error: unknown) => void;
}

export interface ReconcileOptions {
  /** How far back to look: payments whose status changed in this window. */
  readonly windowMs: number;
  readonly now: number;
  readonly pageSize?: number;
  /** Bound on pages per sweep, so one sweep cannot run away. */
  readonly maxPages?: number;
}

export interface ReconcileReport {
  readonly examined: number;
  readonly synced: number;
  readonly failed: number;
}

/**
 * True when PortOne's status says something our record does not know yet, or when the record
 * holds a change whose PaymentStatusChanged event was never published (its writer crashed or
 * the sink failed): syncing it again is what publishes that change.
 */
export function recordLagsBehind(record: PaymentRecord, portoneStatus: string): boolean {
  if (record.unpublishedPreviousStatus) return true;
  // A MISMATCH verdict is still current while the wrongly sized payment holds money.
  if (record.status === "MISMATCH") return !moneyMoved(portoneStatus);
  return record.status !== portoneStatus;
}

/**
 * One sweep over the payments PortOne changed recently: any of ours whose recorded status
 * differs is synced, which covers webhooks PortOne gave up on (it stops after ~6 hours) and
 * changes that happened while this service was down. Payments this service never prepared are
 * not its business and are skipped.
 */
export async function reconcileRecentPayments(
  deps: ReconcileDeps,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const size = options.pageSize ?? 100;
  const maxPages = options.maxPages ?? 50;
  const filter = {
    ...(deps.storeId ? { storeId: deps.storeId } : {}),
    timestampType: "STATUS_CHANGED_AT" as const,
    from: new Date(options.now - options.windowMs).toISOString(),
    until: new Date(options.now).toISOString(),
  };
  let examined = 0;
  let synced = 0;
  let failed = 0;
  for (let number = 0; number < maxPages; number++) {
    const { items, page } = await deps.portone.getPayments({ page: { number, size }, filter });
    for (const payment of items) {
      if (!payment.id) continue;
      examined++;
      const record = await deps.records.getPaymentRecord(payment.id);
      if (!record || !recordLagsBehind(record, String(payment.status))) continue;
      try {
        await deps.sync(payment.id);
        synced++;
      } catch (error) {
        failed++;
        deps.onSyncFailed?.(payment.id, error);
      }
    }
    if (items.length < size || (number + 1) * size >= page.totalCount) break;
  }
  return { examined, synced, failed };
}

export interface ReconcilerOptions {
  readonly deps: ReconcileDeps;
  readonly store: WebhookStore;
  readonly intervalMs: number;
  readonly windowMs: number;
  readonly workerId: string;
  readonly logger: DispatcherLogger;
  readonly clock?: () => number;
}

const LEASE_NAME = "reconcile";

/**
 * Runs `reconcileRecentPayments` every `intervalMs`. With several replicas only the one holding
 * the "reconcile" lease sweeps, so PortOne is not asked the same thing N times.
 */
export class PeriodicReconciler {
  readonly #options: ReconcilerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(options: ReconcilerOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#timer || this.#options.intervalMs <= 0) return;
    this.#timer = setInterval(() => {
      if (this.#running) return;
      this.#running = this.runOnce().finally(() => {
        this.#running = undefined;
      });
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One sweep if this replica gets the lease; null when another replica holds it. */
  async runOnce(): Promise<ReconcileReport | null> {
    const { store, workerId, intervalMs, logger, deps, windowMs } = this.#options;
    const now = (this.#options.clock ?? Date.now)();
    try {
      // Held a little shorter than the interval so the next sweep (on any replica) can take it.
      const leased = await store.tryAcquireLease(
        LEASE_NAME,
        workerId,
        now,
        Math.max(1_000, intervalMs - 500),
      );
      if (!leased) return null;
      const report = await reconcileRecentPayments(
        {
          onSyncFailed: (paymentId, error) =>
            logger.warn({ err: error, paymentId }, "reconciliation could not sync a payment"),
          ...deps,
        },
        { now, windowMs },
      );
      if (report.synced > 0 || report.failed > 0) {
        logger.info({ ...report }, "reconciliation synced payments that webhooks had not");
      }
      return report;
    } catch (error) {
      logger.warn({ err: error }, "reconciliation sweep failed; the next one will try again");
      return null;
    }
  }
}
