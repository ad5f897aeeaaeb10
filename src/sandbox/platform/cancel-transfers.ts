import type {
  PlatformOrderCancelTransfer,
  PlatformOrderTransfer,
  PlatformOrderTransferDiscount,
  PlatformOrderTransferOrderLine,
} from "../../sdk/generated/platform/transfer/types.js";
import type { DomainContext } from "../domain/context.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import { Input } from "../http/input.js";
import type { CancellationRecord } from "../state/records.js";
import { graphqlId, paymentOf } from "./common.js";
import { type LineTerms, type OrderTerms, settleOrder } from "./order-input.js";
import { type DiscountUse, negated, negatedSettlement } from "./settlement-math.js";
import {
  findTransfer,
  newTransferHead,
  paidTransaction,
  saveTransfer,
  settlementDates,
  userDefinedProperties,
} from "./transfers.js";

/** The order transfer a cancellation refers to: by transferId, or the only one of (partner, payment). */
function originalTransfer(ctx: DomainContext, body: Input): PlatformOrderTransfer {
  const transferId = body.optionalString("transferId");
  if (transferId !== undefined) {
    const { transfer } = findTransfer(ctx, transferId);
    if (transfer.type !== "ORDER") {
      throw new PortOneApiError(
        "PLATFORM_TRANSFER_NOT_FOUND",
        `Transfer ${transferId} is not an order transfer.`,
      );
    }
    return transfer;
  }
  const partnerId = body.optionalString("partnerId");
  const paymentId = body.optionalString("paymentId");
  if (partnerId === undefined || paymentId === undefined) {
    throw invalidRequest("Name the order transfer: transferId, or partnerId and paymentId.");
  }
  const candidates = [...ctx.state.platform.transfers.values()]
    .map((r) => r.transfer)
    .filter(
      (t): t is PlatformOrderTransfer =>
        t.type === "ORDER" && t.partner.id === partnerId && paymentOf(t.payment).id === paymentId,
    );
  if (candidates.length === 0) {
    throw new PortOneApiError(
      "PLATFORM_TRANSFER_NOT_FOUND",
      `No order transfer of payment ${paymentId} for partner ${partnerId}.`,
    );
  }
  if (candidates.length > 1) {
    throw new PortOneApiError(
      "PLATFORM_CANNOT_SPECIFY_TRANSFER",
      "That payment has several order transfers for the partner; pass transferId.",
    );
  }
  return candidates[0] as PlatformOrderTransfer;
}

function cancelsOf(ctx: DomainContext, originalId: string): PlatformOrderCancelTransfer[] {
  return [...ctx.state.platform.transfers.values()]
    .filter((r) => r.originalId === originalId)
    .map((r) => r.transfer as PlatformOrderCancelTransfer);
}

/** What of the order is still there to cancel: amounts, discounts by policy, quantities. */
class Remaining {
  order: number;
  orderTaxFree: number;
  private readonly discounts = new Map<string, { amount: number; taxFree: number }>();
  private readonly quantities = new Map<string, number>();

  constructor(original: PlatformOrderTransfer, cancels: PlatformOrderCancelTransfer[]) {
    this.order = original.amount.order + cancels.reduce((s, c) => s + c.amount.order, 0);
    this.orderTaxFree =
      original.amount.orderTaxFree + cancels.reduce((s, c) => s + c.amount.orderTaxFree, 0);
    const add = (scope: string, discounts: PlatformOrderTransferDiscount[]) => {
      for (const d of discounts) {
        const key = `${scope}/${d.sharePolicy.id}`;
        const entry = this.discounts.get(key) ?? { amount: 0, taxFree: 0 };
        this.discounts.set(key, {
          amount: entry.amount + d.amount,
          taxFree: entry.taxFree + d.taxFreeAmount,
        });
      }
    };
    const addLines = (lines: PlatformOrderTransferOrderLine[], sign: number) => {
      for (const line of lines) {
        this.quantities.set(
          line.product.id,
          (this.quantities.get(line.product.id) ?? 0) + sign * line.quantity,
        );
        add(line.product.id, line.discounts);
      }
    };
    add("", original.discounts);
    addLines(original.orderLines, 1);
    for (const cancel of cancels) {
      add("", cancel.discounts);
      addLines(cancel.orderLines, -1);
    }
  }

  discount(scope: string, policyId: string) {
    return this.discounts.get(`${scope}/${policyId}`);
  }

  quantity(productId: string): number {
    return this.quantities.get(productId) ?? 0;
  }
}

/** The cancelled discounts of one scope (the order, or one product), checked against what is left. */
function cancelledDiscounts(
  items: unknown[],
  original: PlatformOrderTransferDiscount[],
  remaining: Remaining,
  scope: string,
): DiscountUse[] {
  const seen = new Set<string>();
  return items.map((item, index) => {
    const input = Input.of(item, `discounts[${index}]`);
    const id = input.string("sharePolicyId");
    const policy = original.find((d) => d.sharePolicy.id === id)?.sharePolicy;
    const productField = scope ? { productId: scope } : {};
    if (!policy) {
      throw new PortOneApiError(
        "PLATFORM_TRANSFER_DISCOUNT_SHARE_POLICY_NOT_FOUND",
        `The order transfer has no discount of policy ${id}.`,
        {
          discountSharePolicyId: id,
          discountSharePolicyGraphqlId: graphqlId("PlatformDiscountSharePolicy", id),
          ...productField,
        },
      );
    }
    if (seen.has(id)) {
      throw new PortOneApiError(
        "PLATFORM_DISCOUNT_SHARE_POLICY_ID_DUPLICATED",
        `Discount policy ${id} appears twice.`,
        { id, graphqlId: policy.graphqlId },
      );
    }
    seen.add(id);
    const left = remaining.discount(scope, id) ?? { amount: 0, taxFree: 0 };
    const amount = input.integer("amount");
    const taxFreeAmount = input.optionalInteger("taxFreeAmount") ?? 0;
    const exceeded = (type: string, cancellable: number, requested: number) =>
      new PortOneApiError(
        type,
        `Discount ${id}: ${requested} requested, ${cancellable} left to cancel.`,
        {
          discountSharePolicyId: id,
          discountSharePolicyGraphqlId: policy.graphqlId,
          cancellableAmount: cancellable,
          requestAmount: requested,
          ...productField,
        },
      );
    if (amount > left.amount)
      throw exceeded("PLATFORM_CANCELLABLE_DISCOUNT_AMOUNT_EXCEEDED", left.amount, amount);
    if (taxFreeAmount > left.taxFree)
      throw exceeded(
        "PLATFORM_CANCELLABLE_DISCOUNT_TAX_FREE_AMOUNT_EXCEEDED",
        left.taxFree,
        taxFreeAmount,
      );
    return { policy, amount, taxFreeAmount };
  });
}

function everythingLeft(original: PlatformOrderTransfer, remaining: Remaining): OrderTerms {
  const left = (scope: string, discounts: PlatformOrderTransferDiscount[]): DiscountUse[] =>
    discounts.flatMap((d) => {
      const rest = remaining.discount(scope, d.sharePolicy.id);
      return rest && rest.amount > 0
        ? [{ policy: d.sharePolicy, amount: rest.amount, taxFreeAmount: rest.taxFree }]
        : [];
    });
  const lines = original.orderLines
    .filter((line) => remaining.quantity(line.product.id) > 0)
    .map((line) => ({
      product: line.product,
      quantity: remaining.quantity(line.product.id),
      discounts: left(line.product.id, line.discounts),
      additionalFees: line.additionalFees.map((fee) => fee.policy),
    }));
  return {
    order: remaining.order,
    orderTaxFree: remaining.orderTaxFree,
    discounts: left("", original.discounts),
    additionalFees: original.additionalFees.map((fee) => fee.policy),
    ...(original.orderLines.length > 0 ? { lines } : {}),
  };
}

function cancelledLines(
  original: PlatformOrderTransfer,
  remaining: Remaining,
  items: unknown[],
): LineTerms[] {
  const seen = new Set<string>();
  return items.map((item, index) => {
    const input = Input.of(item, `orderDetail.orderLines[${index}]`);
    const productId = input.string("productId");
    const line = original.orderLines.find((l) => l.product.id === productId);
    if (!line)
      throw new PortOneApiError(
        "PLATFORM_PRODUCT_ID_NOT_FOUND",
        `The order transfer has no product ${productId}.`,
        { id: productId },
      );
    if (seen.has(productId))
      throw new PortOneApiError(
        "PLATFORM_PRODUCT_ID_DUPLICATED",
        `Product ${productId} appears twice.`,
        {
          id: productId,
        },
      );
    seen.add(productId);
    const quantity = input.integer("quantity");
    const cancellableQuantity = remaining.quantity(productId);
    if (quantity < 1 || quantity > cancellableQuantity) {
      throw new PortOneApiError(
        "PLATFORM_CANCELLABLE_PRODUCT_QUANTITY_EXCEEDED",
        `Product ${productId}: ${cancellableQuantity} left to cancel.`,
        {
          productId,
          cancellableQuantity,
        },
      );
    }
    return {
      product: line.product,
      quantity,
      discounts: cancelledDiscounts(
        input.optionalArray("discounts") ?? [],
        line.discounts,
        remaining,
        productId,
      ),
      additionalFees: line.additionalFees.map((fee) => fee.policy),
    };
  });
}

/** The cancelled part of the order, as positive amounts, from the body's orderDetail. */
function cancelTerms(
  body: Input,
  original: PlatformOrderTransfer,
  remaining: Remaining,
  cancellation: CancellationRecord | undefined,
): OrderTerms {
  const detail = body.optionalObject("orderDetail");
  if (detail?.has("all")) return everythingLeft(original, remaining);
  const discounts = cancelledDiscounts(
    body.optionalArray("discounts") ?? [],
    original.discounts,
    remaining,
    "",
  );
  const fees = original.additionalFees.map((fee) => fee.policy);
  const lineItems = detail?.optionalArray("orderLines");
  const byLines = original.orderLines.length > 0;
  if (lineItems !== undefined) {
    if (!byLines)
      throw new PortOneApiError(
        "PLATFORM_ORDER_DETAIL_MISMATCHED",
        "The order transfer has no order lines; cancel by orderAmount.",
      );
    const lines = cancelledLines(original, remaining, lineItems);
    const order = lines.reduce((s, l) => s + l.product.amount * l.quantity, 0);
    const taxFree =
      body.optionalInteger("taxFreeAmount") ??
      lines.reduce((s, l) => s + l.product.taxFreeAmount * l.quantity, 0);
    return { order, orderTaxFree: taxFree, discounts, additionalFees: fees, lines };
  }
  const orderAmount = detail?.optionalInteger("orderAmount");
  if (orderAmount !== undefined && byLines) {
    throw new PortOneApiError(
      "PLATFORM_ORDER_DETAIL_MISMATCHED",
      "The order transfer has order lines; cancel by orderLines.",
    );
  }
  const discount = discounts.reduce((s, d) => s + d.amount, 0);
  const discountTaxFree = discounts.reduce((s, d) => s + d.taxFreeAmount, 0);
  // Without orderDetail, the order part cancelled is what the PortOne cancellation refunded.
  const order = orderAmount ?? (cancellation?.totalAmount ?? 0) + discount;
  const orderTaxFree =
    body.optionalInteger("taxFreeAmount") ??
    (orderAmount === undefined ? (cancellation?.taxFreeAmount ?? 0) + discountTaxFree : 0);
  return { order, orderTaxFree, discounts, additionalFees: fees };
}

function assertCancellable(terms: OrderTerms, remaining: Remaining): void {
  const exceeded = (cancellable: number, requested: number, amountType: string) =>
    new PortOneApiError(
      "PLATFORM_CANCELLABLE_AMOUNT_EXCEEDED",
      `${requested} requested, ${cancellable} left to cancel (${amountType}).`,
      {
        cancellableAmount: cancellable,
        requestAmount: requested,
        amountType,
      },
    );
  const taxable = terms.order - terms.orderTaxFree;
  const taxableLeft = remaining.order - remaining.orderTaxFree;
  if (taxable > taxableLeft) throw exceeded(taxableLeft, taxable, "SUPPLY_WITH_VAT");
  if (terms.orderTaxFree > remaining.orderTaxFree)
    throw exceeded(remaining.orderTaxFree, terms.orderTaxFree, "TAX_FREE");
}

/** Cancel transfers of one PortOne cancellation may not take back more than it refunded. */
function assertWithinCancellation(
  ctx: DomainContext,
  cancellation: CancellationRecord,
  payment: number,
  taxFree: number,
): void {
  const registered = [...ctx.state.platform.transfers.values()]
    .map((r) => r.transfer)
    .filter(
      (t): t is PlatformOrderCancelTransfer =>
        t.type === "ORDER_CANCEL" && t.cancellation.id === cancellation.id,
    );
  const registeredPayment = -registered.reduce((s, t) => s + t.amount.payment, 0);
  const registeredTaxFree = -registered.reduce((s, t) => s + t.amount.paymentTaxFree, 0);
  const check = (
    registeredAmount: number,
    requested: number,
    portOne: number,
    amountType: string,
  ) => {
    if (registeredAmount + requested <= portOne) return;
    throw new PortOneApiError(
      "PLATFORM_SETTLEMENT_CANCEL_AMOUNT_EXCEEDED_PORT_ONE_CANCEL",
      `Cancel transfers of cancellation ${cancellation.id} would take back ${registeredAmount + requested}, more than its ${portOne} (${amountType}).`,
      {
        registeredSettlementCancelAmount: registeredAmount,
        requestSettlementCancelAmount: requested,
        portOneCancelAmount: portOne,
        amountType,
      },
    );
  };
  check(
    registeredPayment - registeredTaxFree,
    payment - taxFree,
    cancellation.totalAmount - cancellation.taxFreeAmount,
    "SUPPLY_WITH_VAT",
  );
  check(registeredTaxFree, taxFree, cancellation.taxFreeAmount, "TAX_FREE");
}

function findCancellation(ctx: DomainContext, original: PlatformOrderTransfer, body: Input) {
  const cancellationId = body.string("cancellationId");
  const external = body.optionalObject("externalCancellationDetail");
  if ((original.payment.type === "EXTERNAL") !== (external !== undefined)) {
    throw new PortOneApiError(
      "PLATFORM_CANCELLATION_AND_PAYMENT_TYPE_MISMATCHED",
      "externalCancellationDetail goes with external payments only, and external payments need it.",
    );
  }
  if (external) {
    return {
      id: cancellationId,
      cancelledAt:
        external.optionalString("cancelledAt") ?? new Date(ctx.clock.now()).toISOString(),
    };
  }
  const tx = paidTransaction(ctx, paymentOf(original.payment).id);
  const cancellation = tx.cancellations.find((c) => c.id === cancellationId);
  if (!cancellation) {
    throw new PortOneApiError(
      "PLATFORM_CANCELLATION_NOT_FOUND",
      `Payment ${tx.paymentId} has no cancellation ${cancellationId}.`,
    );
  }
  const cancelledAt = cancellation.cancelledAt ?? cancellation.requestedAt;
  return { id: cancellation.id, cancelledAt, record: cancellation };
}

export function createOrderCancelTransfer(
  ctx: DomainContext,
  body: Input,
  test: boolean,
): PlatformOrderCancelTransfer {
  const original = originalTransfer(ctx, body);
  const cancellation = findCancellation(ctx, original, body);
  const remaining = new Remaining(original, cancelsOf(ctx, original.id));
  if (remaining.order <= 0) {
    throw new PortOneApiError(
      "PLATFORM_ORDER_TRANSFER_ALREADY_CANCELLED",
      `Order transfer ${original.id} is cancelled in full already.`,
    );
  }
  const terms = cancelTerms(body, original, remaining, cancellation.record);
  assertCancellable(terms, remaining);
  const { whole, lines } = settleOrder(terms, original.contract, false);
  if (cancellation.record)
    assertWithinCancellation(
      ctx,
      cancellation.record,
      whole.amount.payment,
      whole.amount.paymentTaxFree,
    );
  const taken = negatedSettlement(whole);
  const transfer: PlatformOrderCancelTransfer = {
    type: "ORDER_CANCEL",
    ...newTransferHead(ctx, body, original.partner),
    ...settlementDates(ctx, body, original.contract, cancellation.cancelledAt),
    settlementCurrency: original.settlementCurrency,
    isForTest: test,
    userDefinedProperties: userDefinedProperties(body),
    amount: taken.amount,
    contract: original.contract,
    payment: original.payment,
    orderLines: lines.map((line) => {
      const flipped = negatedSettlement({
        amount: line.amount,
        discounts: line.discounts,
        additionalFees: line.additionalFees,
      });
      return {
        ...line,
        amount: negated(line.amount),
        discounts: flipped.discounts,
        additionalFees: flipped.additionalFees,
      };
    }),
    additionalFees: taken.additionalFees,
    discounts: taken.discounts,
    cancellation: { id: cancellation.id, cancelledAt: cancellation.cancelledAt },
    parameters: {},
  };
  return saveTransfer(ctx, transfer, original.id);
}
