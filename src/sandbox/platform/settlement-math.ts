import type {
  PlatformOrderTransferAdditionalFee,
  PlatformOrderTransferDiscount,
} from "../../sdk/generated/platform/transfer/types.js";
import type {
  PlatformAdditionalFeePolicy,
  PlatformContract,
  PlatformDiscountSharePolicy,
  PlatformFee,
  PlatformOrderSettlementAmount,
} from "../../sdk/generated/platform/types.js";
import { RATE_SCALE } from "./policies.js";

/**
 * The settlement rules of the sandbox (README "Platform (marketplace)"), as plain functions.
 * All amounts are integers in the currency's minor unit; every rounding is half-up to an
 * integer (Math.round), done once per figure.
 */

export interface DiscountUse {
  policy: PlatformDiscountSharePolicy;
  amount: number;
  taxFreeAmount: number;
}

export interface SettlementInput {
  order: number;
  orderTaxFree: number;
  discounts: DiscountUse[];
  additionalFees: PlatformAdditionalFeePolicy[];
  contract: PlatformContract;
  /** Fixed-amount fees are charged by order transfers and never given back by cancellations. */
  chargeFixedAmounts: boolean;
  /** The contract's own fee, or none (order lines show only their share of rate fees). */
  chargePlatformFee?: boolean;
}

export interface Settlement {
  amount: PlatformOrderSettlementAmount;
  discounts: PlatformOrderTransferDiscount[];
  additionalFees: PlatformOrderTransferAdditionalFee[];
}

const share = (amount: number, rate: number) => Math.round((amount * rate) / RATE_SCALE);

/** A fee on `base`: a rate of it, or a fixed amount (if fixed amounts are charged here). */
export function feeOn(fee: PlatformFee, base: number, chargeFixedAmounts: boolean): number {
  if (fee.type === "FIXED_RATE") return share(base, (fee as { rate: number }).rate);
  if (fee.type === "FIXED_AMOUNT")
    return chargeFixedAmounts ? (fee as { amount: number }).amount : 0;
  return 0;
}

/** Korean VAT on a fee: 10 % on top of it. */
export const vatOnTop = (supply: number) => Math.round(supply / 10);
/** The VAT inside a VAT-inclusive amount: 1/11 of it. */
export const vatInside = (total: number) => Math.round(total / 11);

/**
 * One order (or one order line, or one cancellation) settled by a contract:
 *
 * - payment = order − discount; its VAT is 1/11 of its taxable part (payment − tax-free).
 * - discount share = discount × partnerShareRate / 10^5, per discount (also for tax-free parts).
 * - fees are charged on the partner's sale, order − discount share: the contract's platform fee
 *   and each additional fee, a rate (10^-5) of it or a fixed amount; each fee's VAT is 10 % on top.
 * - settlement = order − discount share − platform fee − additional fees
 *   − the fees' VAT where the contract/policy says the PARTNER pays it
 *   − the payment's VAT when the contract subtracts it (paymentVatBurden).
 * - settlement tax-free = order tax-free − discount share tax-free.
 */
export function settle(input: SettlementInput): Settlement {
  const { order, orderTaxFree, contract } = input;
  const discounts = input.discounts.map((use) => ({
    sharePolicy: use.policy,
    amount: use.amount,
    taxFreeAmount: use.taxFreeAmount,
    shareAmount: share(use.amount, use.policy.partnerShareRate),
    shareTaxFreeAmount: share(use.taxFreeAmount, use.policy.partnerShareRate),
  }));
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const discount = sum(discounts.map((d) => d.amount));
  const discountTaxFree = sum(discounts.map((d) => d.taxFreeAmount));
  const discountShare = sum(discounts.map((d) => d.shareAmount));
  const discountShareTaxFree = sum(discounts.map((d) => d.shareTaxFreeAmount));
  const payment = order - discount;
  const paymentTaxFree = orderTaxFree - discountTaxFree;
  const paymentVat = vatInside(payment - paymentTaxFree);
  const base = order - discountShare;
  const platformFee =
    input.chargePlatformFee === false
      ? 0
      : feeOn(contract.platformFee, base, input.chargeFixedAmounts);
  const platformFeeVat = vatOnTop(platformFee);
  const additionalFees = input.additionalFees.map((policy) => {
    const amount = feeOn(policy.fee, base, input.chargeFixedAmounts);
    return { policy, amount, vat: vatOnTop(amount) };
  });
  const additionalFee = sum(additionalFees.map((fee) => fee.amount));
  const additionalFeeVat = sum(additionalFees.map((fee) => fee.vat));
  const additionalFeeVatBurden = sum(
    additionalFees.filter((fee) => fee.policy.vatPayer === "PARTNER").map((fee) => fee.vat),
  );
  const paymentVatBurden = contract.subtractPaymentVatAmount ? paymentVat : 0;
  const settlement =
    base -
    platformFee -
    (contract.platformFeeVatPayer === "PARTNER" ? platformFeeVat : 0) -
    additionalFee -
    additionalFeeVatBurden -
    paymentVatBurden;
  return {
    amount: {
      settlement,
      settlementTaxFree: Math.max(0, Math.min(orderTaxFree - discountShareTaxFree, settlement)),
      payment,
      paymentVat,
      paymentVatBurden,
      paymentTaxFree,
      paymentSupply: payment - paymentTaxFree - paymentVat,
      order,
      orderTaxFree,
      platformFee,
      platformFeeVat,
      additionalFee,
      additionalFeeVat,
      discount,
      discountTaxFree,
      discountShare,
      discountShareTaxFree,
      userDefinedFormulas: {},
    },
    discounts,
    additionalFees,
  };
}

const AMOUNT_FIELDS = [
  "settlement",
  "settlementTaxFree",
  "payment",
  "paymentVat",
  "paymentVatBurden",
  "paymentTaxFree",
  "paymentSupply",
  "order",
  "orderTaxFree",
  "platformFee",
  "platformFeeVat",
  "additionalFee",
  "additionalFeeVat",
  "discount",
  "discountTaxFree",
  "discountShare",
  "discountShareTaxFree",
] as const;

/** A cancellation takes money back: its transfer shows every figure negated. */
export function negated(amount: PlatformOrderSettlementAmount): PlatformOrderSettlementAmount {
  const result = { ...amount, userDefinedFormulas: {} };
  for (const field of AMOUNT_FIELDS) result[field] = amount[field] === 0 ? 0 : -amount[field];
  return result;
}

export function negatedSettlement(settlement: Settlement): Settlement {
  const flip = (value: number) => (value === 0 ? 0 : -value);
  return {
    amount: negated(settlement.amount),
    discounts: settlement.discounts.map((d) => ({
      ...d,
      amount: flip(d.amount),
      taxFreeAmount: flip(d.taxFreeAmount),
      shareAmount: flip(d.shareAmount),
      shareTaxFreeAmount: flip(d.shareTaxFreeAmount),
    })),
    additionalFees: settlement.additionalFees.map((f) => ({
      ...f,
      amount: flip(f.amount),
      vat: flip(f.vat),
    })),
  };
}

/** Field-by-field sum: a partner settlement's amount is the sum of its transfers'. */
export function sumAmounts(
  amounts: PlatformOrderSettlementAmount[],
): PlatformOrderSettlementAmount {
  const total = {
    ...settle({
      order: 0,
      orderTaxFree: 0,
      discounts: [],
      additionalFees: [],
      contract: zeroContract,
      chargeFixedAmounts: false,
    }).amount,
  };
  for (const amount of amounts) for (const field of AMOUNT_FIELDS) total[field] += amount[field];
  return total;
}

const zeroContract: PlatformContract = {
  id: "",
  graphqlId: "",
  name: "",
  platformFee: { type: "FIXED_AMOUNT", amount: 0 },
  settlementCycle: { lagDays: 0, datePolicy: "CALENDAR_DAY", method: { type: "DAILY" } },
  platformFeeVatPayer: "MERCHANT",
  subtractPaymentVatAmount: false,
  isArchived: false,
  appliedAt: "",
  isForTest: false,
};

export interface PayoutFigures {
  amount: number;
  supplyAmount: number;
  taxFreeAmount: number;
  vatAmount: number;
  incomeTaxAmount: number;
  localIncomeTaxAmount: number;
}

/**
 * What a partner is paid for settlements summing to `settlement` (of which `taxFree`):
 * VAT only for VAT-registered businesses (NORMAL, SIMPLE_TAX_INVOICE_ISSUER). GROSS settlements
 * already include it (1/11 of the taxable part), NET ones get 10 % added. With `deductWht`,
 * WHT_PAYER partners have 3 % income tax and 10 % of that as local income tax withheld, each
 * cut down to 10 won (Korean 3.3 % withholding).
 */
export function payoutFigures(
  settlement: number,
  taxFree: number,
  options: { vatRegistered: boolean; amountType: string; withholds: boolean },
): PayoutFigures {
  const taxable = settlement - taxFree;
  const net = options.amountType === "NET";
  let vatAmount = 0;
  if (options.vatRegistered) vatAmount = net ? vatOnTop(taxable) : vatInside(taxable);
  const supplyAmount = net ? taxable : taxable - vatAmount;
  const payable = net ? settlement + vatAmount : settlement;
  // 3 % and 10 % of it, in integers, cut down to 10 won.
  const incomeTaxAmount = options.withholds ? Math.floor((payable * 3) / 1000) * 10 : 0;
  const localIncomeTaxAmount = options.withholds ? Math.floor(incomeTaxAmount / 100) * 10 : 0;
  return {
    amount: payable - incomeTaxAmount - localIncomeTaxAmount,
    supplyAmount,
    taxFreeAmount: taxFree,
    vatAmount,
    incomeTaxAmount,
    localIncomeTaxAmount,
  };
}
