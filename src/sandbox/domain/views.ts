import type { BillingKeyInfo } from "../../sdk/generated/payment/billingKey/types.js";
import type { PaymentSchedule } from "../../sdk/generated/payment/paymentSchedule/types.js";
import type { Payment, PaymentTransaction } from "../../sdk/generated/payment/types.js";
import type {
  BillingKeyRecord,
  JsonObject,
  SandboxPaymentRecord,
  ScheduleRecord,
  TransactionRecord,
} from "../state/records.js";
import type { SandboxState } from "../state/sandbox-state.js";
import { paymentCashReceiptView } from "./cash-receipts.js";
import { recordedChannel, selectedChannel } from "./channels.js";
import { compact } from "./customers.js";

/**
 * Fields of a transaction the API shows, per status, exactly as the schema's Payment and
 * PaymentTransaction variants list them (a READY payment, e.g., has no paidAt).
 */
function commonFields(tx: TransactionRecord, payment: SandboxPaymentRecord, state: SandboxState) {
  return compact({
    status: tx.status,
    merchantId: state.credentials.merchantId,
    storeId: tx.storeId,
    method: tx.method,
    channel: selectedChannel(recordedChannel(state, tx.channelKey)),
    version: "V2",
    scheduleId: tx.scheduleId,
    billingKey: tx.billingKey,
    webhooks: payment.webhooks,
    requestedAt: tx.requestedAt,
    updatedAt: tx.updatedAt,
    statusChangedAt: tx.statusChangedAt,
    orderName: tx.orderName,
    amount: { ...tx.amount },
    currency: tx.currency,
    customer: tx.customer,
    promotionId: tx.promotionId,
    escrow: tx.escrow,
    isCulturalExpense: tx.isCulturalExpense,
    products: tx.products,
    productCount: tx.productCount,
    customData: tx.customData,
    country: tx.country,
  } as JsonObject);
}

/** What the simulated PG answered, as `pgResponse`: its capture state on a manual-capture channel. */
function pgResponse(tx: TransactionRecord): string | undefined {
  return tx.capture ? JSON.stringify({ capture: tx.capture }) : undefined;
}

function statusFields(tx: TransactionRecord, state: SandboxState): JsonObject {
  const cashReceipt = paymentCashReceiptView(state.cashReceipts.get(tx.paymentId));
  const receipts = compact({
    cashReceipt,
    cashReceiptIssuanceStatus: tx.cashReceiptRequest
      ? cashReceipt
        ? "ISSUED"
        : "NOT_ISSUED"
      : undefined,
  });
  const receiptUrl = `https://sandbox.portone.invalid/receipts/${encodeURIComponent(tx.id)}`;
  switch (tx.status) {
    case "READY":
      return {};
    case "PAY_PENDING":
    case "VIRTUAL_ACCOUNT_ISSUED":
      return compact({ pgTxId: tx.pgTxId });
    case "FAILED":
      return { failedAt: tx.failedAt, failure: tx.failure ?? {} };
    case "PAID":
      return compact({
        paidAt: tx.paidAt,
        pgTxId: tx.pgTxId,
        pgResponse: pgResponse(tx),
        ...receipts,
        receiptUrl,
        disputes: [],
        cancellations: tx.cancellations.map((c) => ({ ...c })),
      });
    case "PARTIAL_CANCELLED":
    case "CANCELLED":
      return compact({
        paidAt: tx.paidAt,
        pgTxId: tx.pgTxId,
        ...receipts,
        receiptUrl,
        cancellations: tx.cancellations.map((c) => ({ ...c })),
        cancelledAt: tx.cancelledAt,
      });
  }
}

/** A PortOne `Payment`. */
export function paymentView(
  payment: SandboxPaymentRecord,
  tx: TransactionRecord,
  state: SandboxState,
): Payment {
  // The records hold the schema's field names; test/sandbox checks the result against openapi.json.
  return {
    id: payment.id,
    transactionId: tx.id,
    ...commonFields(tx, payment, state),
    origin: tx.origin,
    ...statusFields(tx, state),
  } as Payment;
}

/** A PortOne `PaymentTransaction` (one attempt). */
export function transactionView(
  payment: SandboxPaymentRecord,
  tx: TransactionRecord,
  state: SandboxState,
): PaymentTransaction {
  return {
    id: tx.id,
    paymentId: payment.id,
    ...commonFields(tx, payment, state),
    ...statusFields(tx, state),
  } as PaymentTransaction;
}

/** A PortOne `BillingKeyInfo`. */
export function billingKeyView(record: BillingKeyRecord): BillingKeyInfo {
  return { ...record } as BillingKeyInfo;
}

/** A PortOne `PaymentSchedule`. */
export function scheduleView(record: ScheduleRecord): PaymentSchedule {
  const { paymentInput: _input, ...view } = record;
  return compact(view as unknown as JsonObject) as PaymentSchedule;
}
