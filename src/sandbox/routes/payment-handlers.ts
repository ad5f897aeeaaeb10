import type { DomainContext } from "../domain/context.js";
import {
  getAllPaymentsByCursor,
  getPayment,
  getPayments,
  getPaymentTransactions,
} from "../domain/payment-queries.js";
import {
  cancelPayment,
  closeVirtualAccount,
  confirmPayment,
  preRegisterPayment,
} from "../domain/payments.js";
import { assertStore, findPayment } from "../domain/transactions.js";
import { PortOneApiError } from "../http/api-error.js";
import type { ApiHandlers } from "../http/portone-api.js";
import type { SandboxWebhookSender } from "../webhooks/webhook-sender.js";

/** The payment operations the sandbox emulates statefully. */
export function paymentHandlers(ctx: DomainContext, webhooks: SandboxWebhookSender): ApiHandlers {
  return {
    getPayment: ({ params, query }) => getPayment(ctx, params.paymentId as string, query.storeId),
    getPayments: ({ body }) => getPayments(ctx, body),
    getAllPaymentsByCursor: ({ body }) => getAllPaymentsByCursor(ctx, body),
    getPaymentTransactions: ({ params, query }) =>
      getPaymentTransactions(ctx, params.paymentId as string, query.storeId),
    preRegisterPayment: ({ params, body }) => {
      preRegisterPayment(ctx, params.paymentId as string, body);
      return {};
    },
    confirmPayment: ({ params, body }) => confirmPayment(ctx, params.paymentId as string, body),
    cancelPayment: ({ params, body }) => ({
      cancellation: cancelPayment(ctx, params.paymentId as string, body),
    }),
    closeVirtualAccount: ({ params, query }) =>
      closeVirtualAccount(ctx, params.paymentId as string, query.storeId),
    resendWebhook: async ({ params, body }) => {
      assertStore(ctx, body.raw("storeId"));
      const paymentId = params.paymentId as string;
      const { payment } = findPayment(ctx, paymentId);
      const webhookId = body.optionalString("webhookId");
      const previous = webhookId
        ? payment.webhooks.find((webhook) => webhook.id === webhookId)
        : payment.webhooks.findLast((webhook) => webhook.request !== undefined);
      if (!previous?.request) {
        throw new PortOneApiError(
          "WEBHOOK_NOT_FOUND",
          webhookId
            ? `Payment ${paymentId} has no webhook ${webhookId}.`
            : `Payment ${paymentId} has no webhook to resend yet.`,
        );
      }
      const webhook = await webhooks.resend(previous, payment.webhooks);
      ctx.state.changed();
      return { webhook };
    },
  };
}
