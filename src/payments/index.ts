export { type Caller, callerMayAccess } from "./access.js";
export { type ConfirmPaymentInput, confirmPayment } from "./confirm-payment.js";
export * from "./errors.js";
export { findCallersPayment } from "./find-callers-payment.js";
export { type ExpectedPayment, judgePayment, type PaymentVerdict } from "./judge-payment.js";
export * from "./order-sources/index.js";
export { describePayment, type PaymentDetails } from "./payment-details.js";
export * from "./payment-statuses.js";
export { type PaymentMethodKind, type PaymentView, toPaymentView } from "./payment-view.js";
export { callPortOne, classifyPortOneError, PortOneRejection } from "./portone-failure.js";
export type * from "./ports.js";
export {
  type PreparedPayment,
  type PreparePaymentDeps,
  preparePayment,
} from "./prepare-payment.js";
export {
  createPaymentReads,
  type PaymentReads,
  type PaymentReadsDeps,
  type ReadProcedure,
  recordAnswers,
} from "./read-payment.js";
export {
  type SyncOutcome,
  type SyncPaymentDeps,
  type SyncResult,
  syncPayment,
} from "./sync-payment.js";
