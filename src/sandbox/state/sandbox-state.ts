import type { SandboxCredentials } from "../credentials.js";
import { defaultChannels } from "../domain/channels.js";
import { defaultCheckoutProfiles } from "../domain/checkout-profiles.js";
import { PlatformState } from "../platform/platform-state.js";
import type {
  BillingIssueRecord,
  BillingKeyRecord,
  CashReceiptRecord,
  ChannelRecord,
  CheckoutProfileRecord,
  IdempotencyRecord,
  IdentityVerificationRecord,
  PaymentEventRecord,
  PaymentSessionRecord,
  PromotionRecord,
  SandboxPaymentRecord,
  ScheduleRecord,
} from "./records.js";
import type { Snapshot, SnapshotStorage } from "./snapshot-storage.js";

/** All sandbox data, in memory; every mutation ends with `changed()` so storage stays current. */
export class SandboxState {
  readonly payments = new Map<string, SandboxPaymentRecord>();
  readonly billingKeys = new Map<string, BillingKeyRecord>();
  readonly schedules = new Map<string, ScheduleRecord>();
  readonly idempotency = new Map<string, IdempotencyRecord>();
  readonly identityVerifications = new Map<string, IdentityVerificationRecord>();
  /** Partners, contracts, policies, transfers, settlements and payouts (the platform API). */
  readonly platform: PlatformState;
  /** The store's channels; the first is used when a request names none. */
  channels: ChannelRecord[];
  /** Cash receipts by payment id. */
  readonly cashReceipts = new Map<string, CashReceiptRecord>();
  /** The payment event stream, oldest first; an event's cursor is its position. */
  readonly paymentEvents: PaymentEventRecord[] = [];
  readonly promotions = new Map<string, PromotionRecord>();
  readonly checkoutProfiles = new Map<string, CheckoutProfileRecord>();
  readonly paymentSessions = new Map<string, PaymentSessionRecord>();
  /** Billing keys waiting for confirmBillingKey, by billingIssueToken. */
  readonly billingIssues = new Map<string, BillingIssueRecord>();

  constructor(
    readonly credentials: SandboxCredentials,
    private storage?: SnapshotStorage,
    snapshot?: Snapshot,
  ) {
    for (const payment of snapshot?.payments ?? []) this.payments.set(payment.id, payment);
    for (const key of snapshot?.billingKeys ?? []) this.billingKeys.set(key.billingKey, key);
    for (const schedule of snapshot?.schedules ?? []) this.schedules.set(schedule.id, schedule);
    for (const [key, record] of snapshot?.idempotency ?? []) this.idempotency.set(key, record);
    for (const record of snapshot?.identityVerifications ?? []) {
      this.identityVerifications.set(record.id, record);
    }
    this.platform = new PlatformState(snapshot?.platform);
    this.channels = snapshot?.channels ?? defaultChannels(credentials.channelKey);
    for (const receipt of snapshot?.cashReceipts ?? []) {
      this.cashReceipts.set(receipt.paymentId, receipt);
    }
    this.paymentEvents.push(...(snapshot?.paymentEvents ?? []));
    for (const promotion of snapshot?.promotions ?? [])
      this.promotions.set(promotion.id, promotion);
    for (const profile of snapshot?.checkoutProfiles ?? defaultCheckoutProfiles(this.channels)) {
      this.checkoutProfiles.set(profile.key, profile);
    }
    for (const session of snapshot?.paymentSessions ?? []) {
      this.paymentSessions.set(session.id, session);
    }
    for (const issue of snapshot?.billingIssues ?? []) this.billingIssues.set(issue.token, issue);
  }

  changed(): void {
    this.storage?.save(this.snapshot());
  }

  /** Saves a last time and closes the storage; later changes (a request still finishing) stay in memory. */
  closeStorage(): void {
    const storage = this.storage;
    this.storage = undefined;
    if (!storage) return;
    storage.save(this.snapshot());
    storage.close();
  }

  snapshot(): Snapshot {
    return {
      version: 1,
      credentials: this.credentials,
      payments: [...this.payments.values()],
      billingKeys: [...this.billingKeys.values()],
      schedules: [...this.schedules.values()],
      idempotency: [...this.idempotency.entries()],
      identityVerifications: [...this.identityVerifications.values()],
      platform: this.platform.snapshot(),
      channels: this.channels,
      cashReceipts: [...this.cashReceipts.values()],
      paymentEvents: this.paymentEvents,
      promotions: [...this.promotions.values()],
      checkoutProfiles: [...this.checkoutProfiles.values()],
      paymentSessions: [...this.paymentSessions.values()],
      billingIssues: [...this.billingIssues.values()],
    };
  }
}
