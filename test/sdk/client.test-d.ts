import type {
  PaymentClient as OfficialPaymentClient,
  PortOneClient as OfficialPortOneClient,
} from "@portone/server-sdk";
import { describe, expectTypeOf, it } from "vitest";
import {
  GetPaymentError,
  isUnrecognizedPayment,
  type PaymentAmount,
  type PaymentError,
  type PaymentNotFoundError,
} from "../../src/sdk/generated/payment/index.js";
import {
  type CallOptions,
  Payment,
  type PaymentClient,
  type PortOneClient,
  paginate,
  type RestError,
  type Unrecognized,
} from "../../src/sdk/index.js";

declare const payment: Payment.Payment;
declare const client: PortOneClient;

describe("unions carry an Unrecognized member", () => {
  it("keeps member fields out of reach until narrowed by status", () => {
    // @ts-expect-error a payment of a status this SDK does not know has no amount
    payment.amount;
    if (payment.status === "PAID") {
      expectTypeOf(payment.amount).toEqualTypeOf<PaymentAmount>();
      expectTypeOf(payment.paidAt).toEqualTypeOf<string>();
    }
    if (!isUnrecognizedPayment(payment)) {
      expectTypeOf(payment.amount).toEqualTypeOf<PaymentAmount>();
    } else {
      expectTypeOf(payment.status).toEqualTypeOf<Unrecognized>();
    }
  });
});

describe("errors", () => {
  it("narrows data by type after instanceof", () => {
    const error: unknown = undefined;
    if (error instanceof GetPaymentError) {
      expectTypeOf(error).toExtend<PaymentError>();
      expectTypeOf(error).toExtend<RestError>();
      expectTypeOf(error.status).toEqualTypeOf<number>();
      expectTypeOf(error.headers).toEqualTypeOf<Headers>();
      // @ts-expect-error getPayment never fails with ALREADY_PAID
      if (error.data.type === "ALREADY_PAID") return;
      if (error.data.type === "PAYMENT_NOT_FOUND") {
        expectTypeOf(error.data).toEqualTypeOf<PaymentNotFoundError>();
      }
    }
    if (error instanceof Payment.CancelPaymentError && error.data.type === "PG_PROVIDER") {
      expectTypeOf(error.data.pgMessage).toEqualTypeOf<string>();
    }
  });
});

describe("operations", () => {
  it("take one options object, then per-call options", () => {
    expectTypeOf(client.payment.getPayment).parameter(0).toEqualTypeOf<{
      paymentId: string;
      storeId?: string;
    }>();
    expectTypeOf(client.payment.getPayment).parameter(1).toEqualTypeOf<CallOptions | undefined>();
    expectTypeOf(client.payment.getPayment).returns.resolves.toEqualTypeOf<Payment.Payment>();
    // Options are optional when every field is.
    expectTypeOf(client.payment.getPayments).toBeCallableWith();
    // @ts-expect-error paymentId is required
    client.payment.getPayment({});
    expectTypeOf(client.payment.billingKey.getBillingKeyInfo).toBeFunction();
  });

  it("paginate yields the list's items", () => {
    const payments = paginate(client.payment.getPayments, { filter: {} });
    expectTypeOf(payments).toEqualTypeOf<AsyncGenerator<Payment.Payment, void, undefined>>();
    const cursor = paginate(client.payment.getAllPaymentsByCursor, { size: 10 });
    expectTypeOf(cursor).toEqualTypeOf<
      AsyncGenerator<Payment.PaymentWithCursor, void, undefined>
    >();
  });
});

/** Operation paths of `Official` whose options `Ours` would not accept. */
type IncompatibleOptions<Official, Ours, Prefix extends string = ""> = {
  [K in keyof Official & keyof Ours & string]: Official[K] extends (...args: infer A) => unknown
    ? Ours[K] extends (options: infer B, callOptions?: CallOptions) => unknown
      ? A extends [] | [B] | [B?]
        ? never
        : `${Prefix}${K}`
      : `${Prefix}${K}`
    : IncompatibleOptions<Official[K], Ours[K], `${Prefix}${K}.`>;
}[keyof Official & keyof Ours & string];

describe("compatibility with @portone/server-sdk types", () => {
  it("the check itself notices an operation with stricter options", () => {
    type Stricter = { getPayment: (options: { paymentId: number }) => Promise<unknown> };
    expectTypeOf<
      IncompatibleOptions<OfficialPaymentClient, Stricter>
    >().toEqualTypeOf<"getPayment">();
  });

  it("accepts every options object the official client accepts", () => {
    expectTypeOf<
      IncompatibleOptions<OfficialPortOneClient, PortOneClient>
    >().toEqualTypeOf<never>();
    expectTypeOf<
      IncompatibleOptions<OfficialPaymentClient, PaymentClient>
    >().toEqualTypeOf<never>();
  });
});
