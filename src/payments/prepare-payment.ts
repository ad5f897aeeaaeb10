import { randomUUID } from "node:crypto";
import { type Caller, callerMayAccess } from "./access.js";
import { OrderAlreadySettledError, OrderChangedError, OrderNotFoundError } from "./errors.js";
import { callPortOne, PortOneRejection } from "./portone-failure.js";
import type { OrderSource, PaymentRecordStatus } from "./ports.js";
import { type SyncPaymentDeps, syncPayment } from "./sync-payment.js";

export interface PreparePaymentDeps extends SyncPaymentDeps {
  readonly orders: OrderSource;
  readonly storeId: string;
  readonly channelKey: string;
  readonly newPaymentId?: () => string;
}

/** What the browser SDK's `requestPayment` needs, all of it decided by the server. */
export interface PreparedPayment {
  readonly paymentId: string;
  readonly storeId: string;
  readonly channelKey: string;
  readonly orderName: string;
  readonly totalAmount: number;
  readonly currency: string;
  readonly customer: {
    readonly fullName: string | null;
    readonly email: string | null;
    readonly phoneNumber: string | null;
  } | null;
}

/** A payment in these states cannot be attempted again under the same order. */
const SETTLED: ReadonlySet<PaymentRecordStatus> = new Set([
  "PAID",
  "PARTIAL_CANCELLED",
  "CANCELLED",
  "MISMATCH",
]);

/**
 * Looks the order up at the shop (never trusting the browser's amount), gives it its one
 * paymentId, and pre-registers the amount with PortOne so a checkout for any other amount fails.
 */
export async function preparePayment(
  orderId: string,
  caller: Caller,
  deps: PreparePaymentDeps,
): Promise<PreparedPayment> {
  const order = await deps.orders.getOrder(orderId);
  if (!order || order.orderId !== orderId || !callerMayAccess(order.customerId, caller))
    throw new OrderNotFoundError(orderId);

  const record = await deps.records.insertPaymentRecord({
    paymentId: (deps.newPaymentId ?? defaultPaymentId)(),
    orderId,
    customerId: order.customerId,
    totalAmount: order.totalAmount,
    currency: order.currency,
  });
  if (SETTLED.has(record.status)) throw new OrderAlreadySettledError(orderId, record.status);
  if (record.totalAmount !== order.totalAmount || record.currency !== order.currency)
    throw new OrderChangedError(orderId);

  try {
    await callPortOne("preRegisterPayment", () =>
      deps.portone.preRegisterPayment({
        paymentId: record.paymentId,
        totalAmount: order.totalAmount,
        ...(order.taxFreeAmount !== undefined ? { taxFreeAmount: order.taxFreeAmount } : {}),
        currency: order.currency,
      }),
    );
  } catch (error) {
    if (error instanceof PortOneRejection && error.type === "ALREADY_PAID") {
      // Paid through another tab or a webhook we have not seen yet: record it, then refuse.
      const synced = await syncPayment(record.paymentId, deps);
      throw new OrderAlreadySettledError(orderId, synced.record.status);
    }
    throw error;
  }

  return {
    paymentId: record.paymentId,
    storeId: deps.storeId,
    channelKey: deps.channelKey,
    orderName: order.orderName,
    totalAmount: order.totalAmount,
    currency: order.currency,
    customer: order.customer
      ? {
          fullName: order.customer.fullName ?? null,
          email: order.customer.email ?? null,
          phoneNumber: order.customer.phoneNumber ?? null,
        }
      : null,
  };
}

function defaultPaymentId(): string {
  return `payment-${randomUUID()}`;
}
