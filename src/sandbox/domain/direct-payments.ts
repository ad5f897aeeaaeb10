import type {
  PayInstantlyResponse,
  PayWithBillingKeyResponse,
} from "../../sdk/generated/payment/types.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import type { Input } from "../http/input.js";
import type { JsonObject } from "../state/records.js";
import { paymentAmount } from "./amounts.js";
import {
  cardNumberOf,
  DECLINED_CARD_NUMBER,
  findLiveBillingKey,
  pgDeclined,
} from "./billing-keys.js";
import { channelFor } from "./channels.js";
import type { DomainContext } from "./context.js";
import { customerFromApi } from "./customers.js";
import { cardMethod } from "./payment-methods.js";
import {
  assertNotPaid,
  assertStore,
  markFailed,
  markPaid,
  openTransaction,
  paymentRecordFor,
  publishTransaction,
} from "./transactions.js";

/** A server-initiated payment (billing key or card credentials): no browser, paid at once. */
function charge(
  ctx: DomainContext,
  paymentId: string,
  body: Input,
  method: JsonObject,
  extra: { billingKey?: string; scheduleId?: string; declined?: boolean; channelKey?: string },
): PayWithBillingKeyResponse & PayInstantlyResponse {
  assertStore(ctx, body.raw("storeId"));
  // A billing key pays through the channel that issued it unless the request names another.
  const channel = channelFor(ctx.state, body.optionalString("channelKey") ?? extra.channelKey);
  const orderName = body.string("orderName");
  const currency = body.string("currency");
  const amountInput = body.object("amount");
  const total = amountInput.integer("total");
  const taxFree = amountInput.optionalInteger("taxFree") ?? 0;
  if (taxFree > total) {
    throw new PortOneApiError(
      "SUM_OF_PARTS_EXCEEDS_TOTAL_AMOUNT",
      "amount.taxFree exceeds amount.total.",
    );
  }
  const payment = paymentRecordFor(ctx, paymentId);
  assertNotPaid(payment);
  const vat = amountInput.optionalInteger("vat");
  const customer = customerFromApi(body.optionalObject("customer")?.toJSON());
  const customData = body.optionalString("customData");
  const products = body.optionalArray("products");
  const tx = openTransaction(ctx, payment, {
    storeId: ctx.state.credentials.storeId,
    orderName,
    currency,
    amount: paymentAmount(total, taxFree, vat),
    customer,
    method,
    platformType: "API",
    channel,
    details: {
      customData,
      ...(products ? { products: products as JsonObject[] } : {}),
      productCount: body.optionalInteger("productCount"),
      country: body.optionalString("country") || undefined,
      billingKey: extra.billingKey || undefined,
      scheduleId: extra.scheduleId || undefined,
    },
  });

  const skipWebhook = body.optionalBoolean("skipWebhook") === true;
  if (extra.declined) {
    markFailed(ctx, tx, {
      reason: "The card issuer declined the card.",
      pgCode: "SANDBOX_DECLINED",
    });
    if (!skipWebhook) publishTransaction(ctx, tx);
    ctx.state.changed();
    throw pgDeclined();
  }
  markPaid(ctx, tx);
  if (!skipWebhook) publishTransaction(ctx, tx);
  ctx.state.changed();
  return { payment: { pgTxId: tx.pgTxId as string, paidAt: tx.paidAt as string } };
}

/** payWithBillingKey; also what a due payment schedule runs. */
export function payWithBillingKey(
  ctx: DomainContext,
  paymentId: string,
  body: Input,
  scheduleId?: string,
) {
  const billingKey = body.string("billingKey");
  const record = findLiveBillingKey(ctx, billingKey);
  const card = record.methods[0]?.card as JsonObject | undefined;
  const method: JsonObject = { ...cardMethod(), ...(card ? { card } : {}) };
  return charge(ctx, paymentId, body, method, {
    billingKey,
    ...(record.channels[0]?.key ? { channelKey: record.channels[0].key } : {}),
    ...(scheduleId ? { scheduleId } : {}),
  });
}

/** payInstantly with card credentials. */
export function payInstantly(ctx: DomainContext, paymentId: string, body: Input) {
  const methodInput = body.object("method");
  const card = methodInput.optionalObject("card");
  if (!card) {
    throw invalidRequest("method.card is required: the sandbox pays instantly by card only.");
  }
  const number = cardNumberOf(card);
  return charge(ctx, paymentId, body, cardMethod(number), {
    declined: number === DECLINED_CARD_NUMBER,
  });
}
