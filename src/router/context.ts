import type { FastifyBaseLogger } from "fastify";
import type { Caller } from "../payments/access.js";
import type { ConfirmPaymentInput } from "../payments/confirm-payment.js";
import type { PaymentView } from "../payments/payment-view.js";
import type { PreparedPayment } from "../payments/prepare-payment.js";

/** The payment operations behind the procedures, with their ports already bound. */
export interface PaymentProcedures {
  prepare(orderId: string, caller: Caller): Promise<PreparedPayment>;
  complete(paymentId: string, caller: Caller): Promise<PaymentView>;
  confirm(input: ConfirmPaymentInput, caller: Caller): Promise<PaymentView>;
  get(paymentId: string, caller: Caller): Promise<PaymentView>;
}

/** Per HTTP request (a batch of calls shares one). */
export interface RequestContext {
  readonly requestId: string;
  readonly log: FastifyBaseLogger;
  readonly payments: PaymentProcedures;
  /** The caller behind the request's Authorization header, resolved at most once. */
  readonly authenticate: () => Promise<Caller>;
}
