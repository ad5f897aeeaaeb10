import {
  applyEscrowLogistics,
  capturePayment,
  confirmEscrow,
  modifyEscrowLogistics,
  registerStoreReceipt,
} from "../domain/after-payment.js";
import {
  cancelCashReceiptByPaymentId,
  getCashReceiptByPaymentId,
  getCashReceipts,
  issueCashReceipt,
} from "../domain/cash-receipts.js";
import type { DomainContext } from "../domain/context.js";
import { getAllPaymentEventsByCursor } from "../domain/payment-events.js";
import { stopPaymentCancellation } from "../domain/payments.js";
import { getPgCardPromotions, getPromotion } from "../domain/promotions.js";
import type { ApiHandlers } from "../http/portone-api.js";

/** What follows a payment: capture, escrow, receipts, pending cancellations, the event stream. */
export function afterPaymentHandlers(ctx: DomainContext): ApiHandlers {
  const id = (params: Record<string, string>) => params.paymentId as string;
  return {
    capturePayment: ({ params, body }) => capturePayment(ctx, id(params), body),
    applyEscrowLogistics: ({ params, body }) => applyEscrowLogistics(ctx, id(params), body),
    modifyEscrowLogistics: ({ params, body }) => modifyEscrowLogistics(ctx, id(params), body),
    confirmEscrow: ({ params, body }) => confirmEscrow(ctx, id(params), body),
    registerStoreReceipt: ({ params, body }) => registerStoreReceipt(ctx, id(params), body),
    stopPaymentCancellation: ({ params, body }) =>
      stopPaymentCancellation(ctx, id(params), params.cancellationId as string, body),
    getAllPaymentEventsByCursor: ({ body }) => getAllPaymentEventsByCursor(ctx, body),
    issueCashReceipt: ({ body }) => issueCashReceipt(ctx, body),
    getCashReceipts: ({ body }) => getCashReceipts(ctx, body),
    getCashReceiptByPaymentId: ({ params, query }) =>
      getCashReceiptByPaymentId(ctx, id(params), query.storeId),
    cancelCashReceiptByPaymentId: ({ params, query }) =>
      cancelCashReceiptByPaymentId(ctx, id(params), query.storeId),
    getPromotion: ({ params }) => getPromotion(ctx, params.promotionId as string),
    getPgCardPromotions: ({ query }) => getPgCardPromotions(ctx, query),
  };
}
