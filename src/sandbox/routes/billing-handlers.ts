import {
  confirmBillingKey,
  confirmBillingKeyIssueAndPay,
  deleteBillingKey,
  getBillingKeyInfo,
  getBillingKeyInfos,
  issueBillingKey,
} from "../domain/billing-keys.js";
import type { DomainContext } from "../domain/context.js";
import { payInstantly, payWithBillingKey } from "../domain/direct-payments.js";
import {
  createPaymentSchedule,
  getPaymentSchedule,
  getPaymentSchedules,
  revokePaymentSchedules,
} from "../domain/schedules.js";
import type { ApiHandlers } from "../http/portone-api.js";

/** Billing keys, server-initiated payments and payment schedules. */
export function billingHandlers(ctx: DomainContext): ApiHandlers {
  return {
    issueBillingKey: ({ body }) => issueBillingKey(ctx, body),
    confirmBillingKey: ({ body }) => confirmBillingKey(ctx, body),
    confirmBillingKeyIssueAndPay: ({ body }) =>
      confirmBillingKeyIssueAndPay(ctx, body, (paymentId, input) =>
        payWithBillingKey(ctx, paymentId, input),
      ),
    getBillingKeyInfo: ({ params, query }) =>
      getBillingKeyInfo(ctx, params.billingKey as string, query.storeId),
    getBillingKeyInfos: ({ body }) => getBillingKeyInfos(ctx, body),
    deleteBillingKey: ({ params, query }) =>
      deleteBillingKey(ctx, params.billingKey as string, query),
    payWithBillingKey: ({ params, body }) =>
      payWithBillingKey(ctx, params.paymentId as string, body),
    payInstantly: ({ params, body }) => payInstantly(ctx, params.paymentId as string, body),
    createPaymentSchedule: ({ params, body }) =>
      createPaymentSchedule(ctx, params.paymentId as string, body),
    getPaymentSchedule: ({ params, query }) =>
      getPaymentSchedule(ctx, params.paymentScheduleId as string, query.storeId),
    getPaymentSchedules: ({ body }) => getPaymentSchedules(ctx, body),
    revokePaymentSchedules: ({ body }) => revokePaymentSchedules(ctx, body),
  };
}
