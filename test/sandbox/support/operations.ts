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

/** Every operation with a real implementation; the rest answer with a typed error. */
export const statefulOperations = [
  "loginViaApiSecret",
  "refreshToken",
  ...paymentOperations,
  "resendWebhook",
  ...billingOperations,
  // Its records come from the browser checkout window (test/browser/sandbox-browser-state).
  "getIdentityVerification",
] as const;
