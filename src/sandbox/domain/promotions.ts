import { randomUUID } from "node:crypto";
import type { GetBankInfosResponse } from "../../sdk/generated/common/types.js";
import type { GetPgCardPromotionsResponse } from "../../sdk/generated/payment/additionalFeature/types.js";
import type { Promotion } from "../../sdk/generated/payment/promotion/types.js";
import { isoAt } from "../clock.js";
import { bankNames } from "../generated/operations.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import { Input } from "../http/input.js";
import type { PromotionRecord } from "../state/records.js";
import { channelFor } from "./channels.js";
import type { DomainContext } from "./context.js";

const CARD_COMPANIES = [
  "WOORI_CARD",
  "BC_CARD",
  "SAMSUNG_CARD",
  "SHINHAN_CARD",
  "HYUNDAI_CARD",
  "LOTTE_CARD",
  "NH_CARD",
  "HANA_CARD",
  "KOOKMIN_CARD",
] as const;

/** What a caller says about a card promotion (createSandbox `promotions`, POST /sandbox/promotions). */
export interface PromotionOptions {
  id?: string;
  name: string;
  cardCompany: (typeof CARD_COMPANIES)[number];
  /** A fixed amount off, or a percentage (capped by maxDiscountAmount). */
  discount: { type: "AMOUNT"; amount: number } | { type: "PERCENT"; percent: number };
  /** The smallest payment the discount applies to; 0 by default. */
  minimumPaymentAmount?: number;
  totalBudget: number;
  maxDiscountAmount?: number;
  spentAmount?: number;
  currency?: string;
  startAt?: string;
  endAt?: string;
}

function readDiscount(input: Input) {
  const type = input.oneOf("type", ["AMOUNT", "PERCENT"] as const);
  if (type === "AMOUNT") return { type, amount: input.integer("amount") };
  if (type === "PERCENT") {
    const percent = input.integer("percent");
    if (percent < 1 || percent > 100) throw invalidRequest("discount.percent must be 1 to 100.");
    return { type, percent };
  }
  throw invalidRequest("discount.type must be AMOUNT or PERCENT.");
}

/** A PortOne `CardPromotion` from caller input; its status follows the clock and the budget. */
export function readPromotion(ctx: DomainContext, value: unknown): PromotionRecord {
  const input = Input.of(value, "promotion");
  const now = ctx.clock.now();
  const startAt = input.optionalDate("startAt") ?? now;
  const endAt = input.optionalDate("endAt") ?? now + 30 * 24 * 60 * 60 * 1000;
  if (endAt <= startAt) throw invalidRequest("promotion.endAt must be after startAt.");
  const cardCompany = input.oneOf("cardCompany", CARD_COMPANIES);
  if (!cardCompany)
    throw invalidRequest(`promotion.cardCompany is one of ${CARD_COMPANIES.join(", ")}.`);
  const maxDiscountAmount = input.optionalInteger("maxDiscountAmount");
  return {
    type: "CARD",
    id: input.optionalString("id") ?? `promotion-${randomUUID()}`,
    storeId: ctx.state.credentials.storeId,
    name: input.string("name"),
    discountPolicy: {
      partitions: [
        {
          amountFrom: input.optionalInteger("minimumPaymentAmount") ?? 0,
          scheme: readDiscount(input.object("discount")),
        },
      ],
    },
    totalBudget: input.integer("totalBudget"),
    ...(maxDiscountAmount !== undefined ? { maxDiscountAmount } : {}),
    spentAmount: input.optionalInteger("spentAmount") ?? 0,
    currency: input.optionalString("currency") ?? "KRW",
    startAt: new Date(startAt).toISOString(),
    endAt: new Date(endAt).toISOString(),
    cardCompany,
    createdAt: isoAt(ctx.clock),
    recoverOption: { type: "RECOVER" },
  };
}

function statusOf(promotion: PromotionRecord, now: number): string {
  if (now < Date.parse(promotion.startAt as string)) return "SCHEDULED";
  if (now >= Date.parse(promotion.endAt as string)) return "COMPLETED";
  if ((promotion.spentAmount as number) >= (promotion.totalBudget as number)) {
    return "BUDGET_EXHAUSTED";
  }
  return "IN_PROGRESS";
}

export function getPromotion(ctx: DomainContext, promotionId: string): Promotion {
  const promotion = ctx.state.promotions.get(promotionId);
  if (!promotion) {
    throw new PortOneApiError("PROMOTION_NOT_FOUND", `No promotion ${promotionId}.`);
  }
  return { ...promotion, status: statusOf(promotion, ctx.clock.now()) } as unknown as Promotion;
}

type Partition = {
  amountFrom: number;
  scheme: { type: string; amount?: number; percent?: number };
};

/** The discount a promotion gives a payment of `amount`: PortOne's partition rules. */
export function discountFor(promotion: PromotionRecord, amount: number): number {
  const partitions = (promotion.discountPolicy as { partitions: Partition[] }).partitions;
  const partition = partitions
    .filter((candidate) => amount >= candidate.amountFrom)
    .sort((a, b) => b.amountFrom - a.amountFrom)[0];
  if (!partition) return 0;
  const { scheme } = partition;
  const raw =
    scheme.type === "AMOUNT"
      ? (scheme.amount ?? 0)
      : Math.floor((amount * (scheme.percent ?? 0)) / 100);
  const cap = (promotion.maxDiscountAmount as number | undefined) ?? Number.POSITIVE_INFINITY;
  const budgetLeft = (promotion.totalBudget as number) - (promotion.spentAmount as number);
  return Math.max(0, Math.min(raw, cap, budgetLeft, amount));
}

/** getPgCardPromotions: the card promotions running now that a payment of `amount` would get. */
export function getPgCardPromotions(
  ctx: DomainContext,
  query: Record<string, string | undefined>,
): GetPgCardPromotionsResponse {
  const input = Input.of(query);
  channelFor(ctx.state, input.string("channelKey"));
  const amount = Number(input.string("amount"));
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw invalidRequest("amount must be a whole number of at least 0.");
  }
  const cardCompany = input.optionalString("cardCompany");
  const now = ctx.clock.now();
  const promotions = [...ctx.state.promotions.values()]
    .filter((promotion) => statusOf(promotion, now) === "IN_PROGRESS")
    .filter((promotion) => cardCompany === undefined || promotion.cardCompany === cardCompany)
    .map((promotion) => {
      const partitions = (promotion.discountPolicy as { partitions: Partition[] }).partitions;
      return {
        promotionId: promotion.id,
        cardCompany: promotion.cardCompany,
        discountAmount: discountFor(promotion, amount),
        minimumPaymentAmount: Math.min(...partitions.map((p) => p.amountFrom)),
      };
    })
    .filter((offer) => offer.discountAmount > 0);
  return { promotions } as GetPgCardPromotionsResponse;
}

/** getBankInfos: every bank of PortOne's `Bank`, with its Korean name. */
export function getBankInfos(): GetBankInfosResponse {
  return {
    items: Object.entries(bankNames).map(([bank, ko]) => ({ bank, name: { ko } })),
  } as GetBankInfosResponse;
}

/**
 * requestPayment's `promotionId`: the card discount the payment gets, checked like PortOne's
 * checkout does (a running promotion, a card payment, an amount it applies to).
 */
export function promotionDiscount(
  ctx: DomainContext,
  promotionId: string,
  payment: { payMethod: string; totalAmount: number; currency: string },
): number {
  const promotion = ctx.state.promotions.get(promotionId);
  if (!promotion) throw invalidRequest(`No promotion ${promotionId}.`);
  const status = statusOf(promotion, ctx.clock.now());
  if (status !== "IN_PROGRESS") throw invalidRequest(`Promotion ${promotionId} is ${status}.`);
  if (payment.payMethod !== "CARD") {
    throw invalidRequest(`Promotion ${promotionId} is a card promotion; pay by CARD.`);
  }
  if (payment.currency !== promotion.currency) {
    throw invalidRequest(`Promotion ${promotionId} is in ${String(promotion.currency)}.`);
  }
  const discount = discountFor(promotion, payment.totalAmount);
  if (discount === 0) {
    throw invalidRequest(`Promotion ${promotionId} gives nothing on ${payment.totalAmount}.`);
  }
  return discount;
}

/** The budget a paid payment's discount spends (negative: a full refund gives it back). */
export function spendPromotionBudget(ctx: DomainContext, promotionId: string, amount: number) {
  const promotion = ctx.state.promotions.get(promotionId);
  if (!promotion) return;
  promotion.spentAmount = Math.max(0, (promotion.spentAmount as number) + amount);
}
