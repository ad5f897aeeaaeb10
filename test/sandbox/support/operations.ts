/** The PortOne payment operations the sandbox emulates with state (test/sandbox/payments). */
export const paymentOperations = [
  "preRegisterPayment",
  "getPayment",
  "getPayments",
  "getAllPaymentsByCursor",
  "getPaymentTransactions",
  "confirmPayment",
  "cancelPayment",
  "closeVirtualAccount",
] as const;

/** Billing keys, server-initiated payments and schedules (test/sandbox/billing). */
export const billingOperations = [
  "issueBillingKey",
  "getBillingKeyInfo",
  "getBillingKeyInfos",
  "deleteBillingKey",
  "payWithBillingKey",
  "payInstantly",
  "createPaymentSchedule",
  "getPaymentSchedule",
  "getPaymentSchedules",
  "revokePaymentSchedules",
] as const;

/** Capture, escrow, receipts, pending cancellations, events, promotions (test/sandbox/after-payment). */
export const afterPaymentOperations = [
  "capturePayment",
  "applyEscrowLogistics",
  "modifyEscrowLogistics",
  "confirmEscrow",
  "registerStoreReceipt",
  "stopPaymentCancellation",
  "getAllPaymentEventsByCursor",
  "issueCashReceipt",
  "getCashReceipts",
  "getCashReceiptByPaymentId",
  "cancelCashReceiptByPaymentId",
  "getPromotion",
  "getPgCardPromotions",
] as const;

/** Identity verification by API, billing key confirmation, hosted checkout (test/sandbox/verification-and-sessions). */
export const verificationAndSessionOperations = [
  "sendIdentityVerification",
  "resendIdentityVerification",
  "confirmIdentityVerification",
  "getIdentityVerification",
  "getIdentityVerifications",
  "confirmBillingKey",
  "confirmBillingKeyIssueAndPay",
  "createPaymentSession",
  "getPaymentSession",
  "closePaymentSession",
  "evaluateCheckoutProfile",
  "getBankInfos",
] as const;

/** Every operation with a real implementation; the rest answer with a typed error. */
export const statefulOperations = [
  "loginViaApiSecret",
  "refreshToken",
  ...paymentOperations,
  "resendWebhook",
  ...billingOperations,
  ...afterPaymentOperations,
  ...verificationAndSessionOperations,
] as const;
