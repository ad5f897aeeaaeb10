import { randomUUID } from "node:crypto";
import { type Caller, callerMayAccess, callerOwnsPayment } from "./access.js";
import { OrderAlreadySettledError, OrderChangedError, OrderNotFoundError } from "./errors.js";
import { issueGuestToken } from "./guest-token.js";
import { isSettled } from "./payment-statuses.js";
import { callPortOne, PortOneRejection } from "./portone-failure.js";
import type { Order, OrderSource, PaymentRecord } from "./ports.js";
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
  /**
   * The signed-in customer's own contact details, which some PGs require. Always null for a
   * guest order: nothing tells its guest apart from whoever else knows the order id, so the
   * guest's page passes what the guest typed in itself.
   */
  readonly customer: {
    readonly fullName: string | null;
    readonly email: string | null;
    readonly phoneNumber: string | null;
  } | null;
  /**
   * For a guest order: the token to send as `guestToken` with every later call about this
   * payment (it is the only proof of who started the checkout). Null for a customer's order.
   */
  readonly guestToken: string | null;
}

/**
 * Looks the order up at the shop (never trusting the browser's amount), gives it its one
 * paymentId, and pre-registers the amount with PortOne so a checkout for any other amount fails.
 * A caller who does not own the order's payment learns nothing about it: it gets the answer of
 * an unknown order, before any state of the payment is looked at.
 */
export async function preparePayment(
  orderId: string,
  caller: Caller,
  deps: PreparePaymentDeps,
): Promise<PreparedPayment> {
  const order = await deps.orders.getOrder(orderId);
  if (!order || order.orderId !== orderId || !callerMayAccess(order.customerId, caller))
    throw new OrderNotFoundError(orderId);

  const { record, guestToken } = await claimPaymentRecord(order, caller, deps);
  if (isSettled(record.status)) throw new OrderAlreadySettledError(orderId, record.status);
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
    customer: order.customerId !== null && order.customer ? customerOf(order.customer) : null,
    guestToken,
  };
}

/**
 * The order's one payment record, created on the first `prepare` (which issues a guest
 * order's token) or found again, and only if the caller owns it. Racing first calls for a guest
 * order are settled by the store: the record that was written names its owner by its hash.
 */
async function claimPaymentRecord(
  order: Order,
  caller: Caller,
  deps: PreparePaymentDeps,
): Promise<{ record: PaymentRecord; guestToken: string | null }> {
  const issued = order.customerId === null ? issueGuestToken() : null;
  const record = await deps.records.insertPaymentRecord({
    paymentId: (deps.newPaymentId ?? defaultPaymentId)(),
    orderId: order.orderId,
    customerId: order.customerId,
    totalAmount: order.totalAmount,
    currency: order.currency,
    guestTokenHash: issued?.hash ?? null,
  });
  if (issued && record.customerId === null && record.guestTokenHash === issued.hash)
    return { record, guestToken: issued.token };
  if (!callerOwnsPayment(record, caller)) throw new OrderNotFoundError(order.orderId);
  return { record, guestToken: record.customerId === null ? (caller.guestToken ?? null) : null };
}

function customerOf(customer: NonNullable<Order["customer"]>): PreparedPayment["customer"] {
  return {
    fullName: customer.fullName ?? null,
    email: customer.email ?? null,
    phoneNumber: customer.phoneNumber ?? null,
  };
}

function defaultPaymentId(): string {
  return `payment-${randomUUID()}`;
}
