import type {
  PlatformOrderTransferOrderLine,
  PlatformOrderTransferProduct,
} from "../../sdk/generated/platform/transfer/types.js";
import type {
  PlatformAdditionalFeePolicy,
  PlatformContract,
} from "../../sdk/generated/platform/types.js";
import type { DomainContext } from "../domain/context.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import { Input } from "../http/input.js";
import { idsAndGraphqlIds } from "./common.js";
import { type DiscountUse, type Settlement, settle } from "./settlement-math.js";

/** An order line as the transfer computes it: the product, how many, and its own terms. */
export interface LineTerms {
  product: PlatformOrderTransferProduct;
  quantity: number;
  discounts: DiscountUse[];
  additionalFees: PlatformAdditionalFeePolicy[];
}

export interface OrderTerms {
  order: number;
  orderTaxFree: number;
  /** Order-level discounts and fees (lines carry their own). */
  discounts: DiscountUse[];
  additionalFees: PlatformAdditionalFeePolicy[];
  lines?: LineTerms[];
}

const items = (input: Input, field: string) =>
  (input.optionalArray(field) ?? []).map((item, index) => Input.of(item, `${field}[${index}]`));

/** Resolves policy ids, collecting every unknown one for the schema's plural not-found error. */
class PolicyLookup {
  readonly missingDiscounts = new Set<string>();
  readonly missingFees = new Set<string>();

  constructor(private readonly ctx: DomainContext) {}

  discounts(input: Input): DiscountUse[] {
    return items(input, "discounts").flatMap((item) => {
      const id = item.string("sharePolicyId");
      const policy = this.ctx.state.platform.discountSharePolicies.get(id)?.current;
      if (!policy) this.missingDiscounts.add(id);
      const amount = item.integer("amount");
      const taxFreeAmount = item.optionalInteger("taxFreeAmount") ?? 0;
      if (taxFreeAmount > amount) {
        throw invalidRequest(
          `A discount's taxFreeAmount (${taxFreeAmount}) exceeds its amount (${amount}).`,
        );
      }
      return policy ? [{ policy, amount, taxFreeAmount }] : [];
    });
  }

  fees(input: Input): PlatformAdditionalFeePolicy[] {
    return items(input, "additionalFees").flatMap((item) => {
      const id = item.string("policyId");
      const policy = this.ctx.state.platform.additionalFeePolicies.get(id)?.current;
      if (!policy) this.missingFees.add(id);
      return policy ? [policy] : [];
    });
  }

  assertAllFound(): void {
    const fail = (type: string, kind: string, ids: Set<string>) => {
      if (ids.size === 0) return;
      const list = [...ids];
      throw new PortOneApiError(
        type,
        `Unknown policies: ${list.join(", ")}.`,
        idsAndGraphqlIds(kind, list),
      );
    };
    fail(
      "PLATFORM_DISCOUNT_SHARE_POLICIES_NOT_FOUND",
      "PlatformDiscountSharePolicy",
      this.missingDiscounts,
    );
    fail(
      "PLATFORM_ADDITIONAL_FEE_POLICIES_NOT_FOUND",
      "PlatformAdditionalFeePolicy",
      this.missingFees,
    );
  }
}

function parseLine(lookup: PolicyLookup, line: Input): LineTerms {
  const product = line.object("product");
  const amount = product.integer("amount");
  const taxFreeAmount = product.optionalInteger("taxFreeAmount") ?? 0;
  if (taxFreeAmount > amount) throw invalidRequest("A product's taxFreeAmount exceeds its amount.");
  const quantity = line.integer("quantity");
  if (quantity < 1) throw invalidRequest("An order line's quantity must be at least 1.");
  const tag = product.optionalString("tag");
  return {
    product: {
      id: product.string("id"),
      name: product.string("name"),
      amount,
      taxFreeAmount,
      ...(tag !== undefined ? { tag } : {}),
    },
    quantity,
    discounts: lookup.discounts(line),
    additionalFees: lookup.fees(line),
  };
}

/** createPlatformOrderTransfer's orderDetail, discounts, additionalFees and taxFreeAmount. */
export function parseOrderTerms(ctx: DomainContext, body: Input): OrderTerms {
  const lookup = new PolicyLookup(ctx);
  const detail = body.object("orderDetail");
  const orderAmount = detail.optionalInteger("orderAmount");
  const lineInputs = detail.optionalArray("orderLines");
  if ((orderAmount === undefined) === (lineInputs === undefined)) {
    throw invalidRequest("orderDetail needs exactly one of orderAmount and orderLines.");
  }
  const lines = lineInputs?.map((line, index) =>
    parseLine(lookup, Input.of(line, `orderLines[${index}]`)),
  );
  const ids = lines?.map((line) => line.product.id) ?? [];
  const duplicated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicated !== undefined) {
    throw new PortOneApiError(
      "PLATFORM_PRODUCT_ID_DUPLICATED",
      `Product ${duplicated} appears twice.`,
      {
        id: duplicated,
      },
    );
  }
  const discounts = lookup.discounts(body);
  const additionalFees = lookup.fees(body);
  lookup.assertAllFound();
  const order = lines
    ? lines.reduce((sum, l) => sum + l.product.amount * l.quantity, 0)
    : (orderAmount as number);
  const linesTaxFree =
    lines?.reduce((sum, l) => sum + l.product.taxFreeAmount * l.quantity, 0) ?? 0;
  const orderTaxFree = body.optionalInteger("taxFreeAmount") ?? linesTaxFree;
  if (orderTaxFree > order)
    throw invalidRequest(`taxFreeAmount (${orderTaxFree}) exceeds the order amount (${order}).`);
  return { order, orderTaxFree, discounts, additionalFees, ...(lines ? { lines } : {}) };
}

/** Every discount of the order, its lines' included. */
export function allDiscounts(terms: OrderTerms): DiscountUse[] {
  return [...terms.discounts, ...(terms.lines ?? []).flatMap((line) => line.discounts)];
}

function assertDiscountWithinOrder(
  discounts: DiscountUse[],
  order: number,
  productId?: string,
): void {
  const discount = discounts.reduce((sum, d) => sum + d.amount, 0);
  if (discount > order) {
    throw new PortOneApiError(
      "PLATFORM_SETTLEMENT_AMOUNT_EXCEEDED",
      `Discounts (${discount}) exceed the order amount (${order}).`,
      { requestedAmount: discount, allowedAmount: order, ...(productId ? { productId } : {}) },
    );
  }
}

/** Settles the lines one by one (for display) and the order as a whole (what is paid). */
export function settleOrder(
  terms: OrderTerms,
  contract: PlatformContract,
  chargeFixedAmounts: boolean,
): { whole: Settlement; lines: PlatformOrderTransferOrderLine[] } {
  const lines = (terms.lines ?? []).map((line) => {
    const order = line.product.amount * line.quantity;
    assertDiscountWithinOrder(line.discounts, order, line.product.id);
    const settled = settle({
      order,
      orderTaxFree: line.product.taxFreeAmount * line.quantity,
      discounts: line.discounts,
      additionalFees: line.additionalFees,
      contract,
      chargeFixedAmounts,
      chargePlatformFee: contract.platformFee.type === "FIXED_RATE",
    });
    return {
      product: line.product,
      quantity: line.quantity,
      discounts: settled.discounts,
      additionalFees: settled.additionalFees,
      amount: settled.amount,
    };
  });
  const discounts = allDiscounts(terms);
  assertDiscountWithinOrder(discounts, terms.order);
  const whole = settle({
    order: terms.order,
    orderTaxFree: terms.orderTaxFree,
    discounts,
    additionalFees: terms.additionalFees,
    contract,
    chargeFixedAmounts,
  });
  // A line's additional fees are charged on that line's sale, and added to the order's.
  for (const fee of lines.flatMap((line) => line.additionalFees)) {
    whole.amount.additionalFee += fee.amount;
    whole.amount.additionalFeeVat += fee.vat;
    whole.amount.settlement -= fee.amount + (fee.policy.vatPayer === "PARTNER" ? fee.vat : 0);
  }
  whole.amount.settlementTaxFree = Math.max(
    0,
    Math.min(whole.amount.settlementTaxFree, whole.amount.settlement),
  );
  // The transfer lists the order-level discounts; each line shows its own.
  const orderLevelDiscounts = whole.discounts.slice(0, terms.discounts.length);
  return { whole: { ...whole, discounts: orderLevelDiscounts }, lines };
}
