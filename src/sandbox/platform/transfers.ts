import type {
  PlatformManualTransfer,
  PlatformOrderTransfer,
  PlatformPayment,
  PlatformPaymentMethod,
  PlatformUserDefinedPropertyKeyValue,
} from "../../sdk/generated/platform/transfer/types.js";
import type {
  PlatformAdditionalFeePolicy,
  PlatformContract,
  PlatformOrderSettlementAmount,
  PlatformPartner,
} from "../../sdk/generated/platform/types.js";
import { recordedChannel } from "../domain/channels.js";
import type { DomainContext } from "../domain/context.js";
import { currentTransaction, isSettled, methodTypeOf } from "../domain/transactions.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import { Input } from "../http/input.js";
import type { TransactionRecord } from "../state/records.js";
import {
  assertSettlementCurrency,
  graphqlId,
  koreanDate,
  newPlatformId,
  optionalDate,
  paymentOf,
  requiredDate,
  signedInteger,
} from "./common.js";
import { parseOrderTerms, settleOrder } from "./order-input.js";
import { partners } from "./partners.js";
import type { PlatformTransferView, TransferRecord } from "./platform-state.js";
import { contracts } from "./policies.js";
import { settlementDateFor } from "./settlement-dates.js";
import { findEntity } from "./versioned.js";

/** The method types of PortOne's platform, by their `externalPaymentDetail.method` member. */
const PLATFORM_METHOD_TYPES: Record<string, string> = {
  card: "CARD",
  transfer: "TRANSFER",
  virtualAccount: "VIRTUAL_ACCOUNT",
  giftCertificate: "GIFT_CERTIFICATE",
  mobile: "MOBILE",
  easyPay: "EASY_PAY",
};
const platformMethodTypes = new Set(Object.values(PLATFORM_METHOD_TYPES));

/** The platform knows no convenience-store or crypto payments: theirs carry no method. */
function platformMethodType(tx: TransactionRecord): string | undefined {
  const type = methodTypeOf(tx);
  return type !== undefined && platformMethodTypes.has(type) ? type : undefined;
}

export function userDefinedProperties(input: Input): PlatformUserDefinedPropertyKeyValue[] {
  return (input.optionalArray("userDefinedProperties") ?? []).map((item, index) => {
    const entry = Input.of(item, `userDefinedProperties[${index}]`);
    return { key: entry.string("key"), value: { string: entry.object("value").string("string") } };
  });
}

export function findTransfer(ctx: DomainContext, id: string): TransferRecord {
  const record = ctx.state.platform.transfers.get(id);
  if (!record)
    throw new PortOneApiError("PLATFORM_TRANSFER_NOT_FOUND", `No transfer with id ${id}.`);
  return record;
}

function claimTransferId(ctx: DomainContext, body: Input): string {
  const id = body.optionalString("id") ?? newPlatformId(ctx.clock.now());
  if (ctx.state.platform.transfers.has(id)) {
    throw new PortOneApiError(
      "PLATFORM_TRANSFER_ID_ALREADY_USED",
      `Transfer id ${id} is already used.`,
    );
  }
  return id;
}

/** What every new transfer starts as: its id (asked for, or new), partner, memo, SCHEDULED. */
export function newTransferHead(ctx: DomainContext, body: Input, partner: PlatformPartner) {
  const id = claimTransferId(ctx, body);
  const memo = body.optionalString("memo");
  return {
    id,
    graphqlId: graphqlId("PlatformTransfer", id),
    partner,
    status: "SCHEDULED" as const,
    ...(memo !== undefined ? { memo } : {}),
  };
}

export function saveTransfer<T extends PlatformTransferView>(
  ctx: DomainContext,
  transfer: T,
  originalId?: string,
): T {
  ctx.state.platform.transfers.set(transfer.id, {
    transfer,
    ...(originalId !== undefined ? { originalId } : {}),
  });
  ctx.state.changed();
  return transfer;
}

/** A paid sandbox payment (PAID, PARTIAL_CANCELLED or CANCELLED: money moved). */
export function paidTransaction(ctx: DomainContext, paymentId: string): TransactionRecord {
  const payment = ctx.state.payments.get(paymentId);
  const tx = payment && currentTransaction(payment);
  if (!tx || !isSettled(tx.status)) {
    throw new PortOneApiError(
      "PLATFORM_PAYMENT_NOT_FOUND",
      `No paid payment ${paymentId} in the sandbox; transfers settle paid payments only.`,
    );
  }
  return tx;
}

function portOnePayment(ctx: DomainContext, tx: TransactionRecord): PlatformPayment {
  const methodType = platformMethodType(tx);
  return {
    type: "PORT_ONE",
    id: tx.paymentId,
    storeId: tx.storeId,
    channelKey: recordedChannel(ctx.state, tx.channelKey).key,
    orderName: tx.orderName,
    ...(methodType ? { method: { type: methodType } as PlatformPaymentMethod } : {}),
    currency: tx.currency,
    paidAt: tx.paidAt ?? tx.updatedAt,
  };
}

function externalPayment(paymentId: string, detail: Input): PlatformPayment {
  const currency = detail.string("currency");
  const orderName = detail.optionalString("orderName");
  const paidAt = detail.optionalString("paidAt");
  const method = detail.optionalObject("method");
  const methodKey = method ? Object.keys(method.toJSON())[0] : undefined;
  // Own keys only: a caller's `constructor` or `__proto__` is not a payment method.
  const methodType =
    methodKey && Object.hasOwn(PLATFORM_METHOD_TYPES, methodKey)
      ? PLATFORM_METHOD_TYPES[methodKey]
      : undefined;
  if (methodKey && !methodType)
    throw invalidRequest(`externalPaymentDetail.method.${methodKey} is not a payment method.`);
  return {
    type: "EXTERNAL",
    id: paymentId,
    ...(orderName !== undefined ? { orderName } : {}),
    currency,
    ...(methodType ? { method: { type: methodType } as PlatformPaymentMethod } : {}),
    ...(paidAt !== undefined ? { paidAt } : {}),
  };
}

/** Orders of a payment already registered, for the "more than the payment" checks. */
function orderTransfersOf(ctx: DomainContext, paymentId: string): PlatformOrderTransfer[] {
  return [...ctx.state.platform.transfers.values()]
    .map((record) => record.transfer)
    .filter(
      (t): t is PlatformOrderTransfer =>
        t.type === "ORDER" &&
        paymentOf(t.payment).id === paymentId &&
        t.payment.type === "PORT_ONE",
    );
}

/** The transfers of a payment may not settle more than it charged, in total and by part. */
function assertWithinPayment(
  ctx: DomainContext,
  tx: TransactionRecord,
  amount: PlatformOrderSettlementAmount,
) {
  const registered = orderTransfersOf(ctx, tx.paymentId).map((t) => t.amount);
  const sum = (pick: (a: PlatformOrderSettlementAmount) => number) =>
    registered.reduce((s, a) => s + pick(a), 0);
  const paid = sum((a) => a.payment);
  if (paid + amount.payment > tx.amount.total) {
    throw new PortOneApiError(
      "PLATFORM_SETTLEMENT_PAYMENT_AMOUNT_EXCEEDED_PORT_ONE_PAYMENT",
      `Transfers of payment ${tx.paymentId} would settle ${paid + amount.payment}, more than its ${tx.amount.total}.`,
      {
        registeredSettlementPaymentAmount: paid,
        requestSettlementPaymentAmount: amount.payment,
        portOnePaymentAmount: tx.amount.total,
      },
    );
  }
  const taxFree = sum((a) => a.paymentTaxFree);
  if (taxFree + amount.paymentTaxFree > tx.amount.taxFree) {
    throw new PortOneApiError(
      "PLATFORM_SETTLEMENT_TAX_FREE_AMOUNT_EXCEEDED_PORT_ONE_PAYMENT",
      `Transfers of payment ${tx.paymentId} would settle more tax-free amount than it had.`,
      {
        registeredSettlementTaxFreeAmount: taxFree,
        requestSettlementTaxFreeAmount: amount.paymentTaxFree,
        portOneTaxFreeAmount: tx.amount.taxFree,
      },
    );
  }
  const taxable = paid - taxFree;
  const requested = amount.payment - amount.paymentTaxFree;
  const portOneTaxable = tx.amount.total - tx.amount.taxFree;
  if (taxable + requested > portOneTaxable) {
    throw new PortOneApiError(
      "PLATFORM_SETTLEMENT_SUPPLY_WITH_VAT_AMOUNT_EXCEEDED_PORT_ONE_PAYMENT",
      `Transfers of payment ${tx.paymentId} would settle more taxable amount than it had.`,
      {
        registeredSettlementSupplyWithVatAmount: taxable,
        requestSettlementSupplyWithVatAmount: requested,
        portOneSupplyWithVatAmount: portOneTaxable,
      },
    );
  }
}

/** Fixed-amount fees are in won: a transfer in another currency cannot charge them. */
function assertFixedFeesInCurrency(
  contract: PlatformContract,
  fees: PlatformAdditionalFeePolicy[],
  currency: string,
) {
  if (currency === "KRW") return;
  if (contract.platformFee.type === "FIXED_AMOUNT") {
    throw new PortOneApiError(
      "PLATFORM_CONTRACT_PLATFORM_FIXED_AMOUNT_FEE_CURRENCY_AND_SETTLEMENT_CURRENCY_MISMATCHED",
      `Contract ${contract.id} charges a fixed KRW fee; the payment is in ${currency}.`,
      {
        id: contract.id,
        graphqlId: contract.graphqlId,
        feeCurrency: "KRW",
        settlementCurrency: currency,
      },
    );
  }
  const fixed = fees.find((policy) => policy.fee.type === "FIXED_AMOUNT");
  if (fixed) {
    throw new PortOneApiError(
      "PLATFORM_ADDITIONAL_FIXED_AMOUNT_FEE_CURRENCY_AND_SETTLEMENT_CURRENCY_MISMATCHED",
      `Additional fee policy ${fixed.id} charges a fixed KRW fee; the payment is in ${currency}.`,
      {
        id: fixed.id,
        graphqlId: fixed.graphqlId,
        feeCurrency: "KRW",
        settlementCurrency: currency,
      },
    );
  }
}

/** The settlement dates of a new transfer: given, or from the contract's cycle. */
export function settlementDates(
  ctx: DomainContext,
  body: Input,
  contract: PlatformContract,
  startedAt: string,
) {
  const settlementStartDate =
    optionalDate(body, "settlementStartDate") ?? koreanDate(Date.parse(startedAt));
  const settlementDate =
    optionalDate(body, "settlementDate") ??
    settlementDateFor(
      contract.settlementCycle,
      settlementStartDate,
      ctx.state.platform.setting.adjustSettlementDateAfterHolidayIfEarlier,
    );
  if (settlementDate < settlementStartDate) {
    throw new PortOneApiError(
      "PLATFORM_SETTLEMENT_DATE_EARLIER_THAN_SETTLEMENT_START_DATE",
      `settlementDate ${settlementDate} is before settlementStartDate ${settlementStartDate}.`,
      { settlementStartDate, settlementDate },
    );
  }
  return { settlementStartDate, settlementDate };
}

/** The sandbox defines no settlement parameters (PortOne's console would). */
export function assertNoParameters(body: Input): void {
  const parameters = body.optionalObject("parameters");
  const names = parameters ? Object.keys(parameters.toJSON()) : [];
  if (names.length > 0) {
    throw new PortOneApiError(
      "PLATFORM_SETTLEMENT_PARAMETER_NOT_FOUND",
      `No settlement parameter ${names[0]} is defined in the sandbox.`,
    );
  }
}

function assertOnePerPartner(ctx: DomainContext, paymentId: string, partnerId: string): void {
  if (ctx.state.platform.setting.supportsMultipleOrderTransfersPerPartner) return;
  const existing = [...ctx.state.platform.transfers.values()].find(
    ({ transfer }) =>
      transfer.type === "ORDER" &&
      paymentOf(transfer.payment).id === paymentId &&
      transfer.partner.id === partnerId,
  );
  if (existing) {
    throw new PortOneApiError(
      "PLATFORM_TRANSFER_ALREADY_EXISTS",
      `Payment ${paymentId} already has an order transfer for partner ${partnerId}.`,
      { transferId: existing.transfer.id, transferGraphqlId: existing.transfer.graphqlId },
    );
  }
}

export function createOrderTransfer(
  ctx: DomainContext,
  body: Input,
  test: boolean,
): PlatformOrderTransfer {
  const partner = findEntity(ctx, partners, body.string("partnerId")).current;
  const contract = findEntity(
    ctx,
    contracts,
    body.optionalString("contractId") ?? partner.defaultContractId,
  ).current;
  const paymentId = body.string("paymentId");
  const external = body.optionalObject("externalPaymentDetail");
  const tx = external ? undefined : paidTransaction(ctx, paymentId);
  const payment = tx ? portOnePayment(ctx, tx) : externalPayment(paymentId, external as Input);
  assertSettlementCurrency(paymentOf(payment).currency);
  const terms = parseOrderTerms(ctx, body);
  assertFixedFeesInCurrency(
    contract,
    [...terms.additionalFees, ...(terms.lines ?? []).flatMap((l) => l.additionalFees)],
    paymentOf(payment).currency,
  );
  assertNoParameters(body);
  const { whole, lines } = settleOrder(terms, contract, true);
  if (tx) assertWithinPayment(ctx, tx, whole.amount);
  assertOnePerPartner(ctx, paymentId, partner.id);
  const paidAt = (payment as { paidAt?: string }).paidAt ?? new Date(ctx.clock.now()).toISOString();
  return saveTransfer<PlatformOrderTransfer>(ctx, {
    type: "ORDER",
    ...newTransferHead(ctx, body, partner),
    ...settlementDates(ctx, body, contract, paidAt),
    settlementCurrency: paymentOf(payment).currency,
    isForTest: test,
    userDefinedProperties: userDefinedProperties(body),
    amount: whole.amount,
    contract,
    payment,
    orderLines: lines,
    additionalFees: whole.additionalFees,
    discounts: whole.discounts,
    parameters: {},
  });
}

export function createManualTransfer(
  ctx: DomainContext,
  body: Input,
  test: boolean,
): PlatformManualTransfer {
  const partner = findEntity(ctx, partners, body.string("partnerId")).current;
  const settlementAmount = signedInteger(body, "settlementAmount");
  if (settlementAmount === undefined) throw invalidRequest("settlementAmount is required.");
  if (settlementAmount < 0 && ctx.state.platform.setting.manualSettlementPerTransfer) {
    throw new PortOneApiError(
      "PLATFORM_NEGATIVE_AMOUNT_NOT_ALLOWED",
      "With manualSettlementPerTransfer on, a manual transfer cannot take money back.",
    );
  }
  const settlementTaxFreeAmount = signedInteger(body, "settlementTaxFreeAmount") ?? 0;
  if (Math.abs(settlementTaxFreeAmount) > Math.abs(settlementAmount)) {
    throw invalidRequest("settlementTaxFreeAmount exceeds settlementAmount.");
  }
  const settlementCurrency = body.optionalString("settlementCurrency") ?? partner.account.currency;
  assertSettlementCurrency(settlementCurrency);
  return saveTransfer<PlatformManualTransfer>(ctx, {
    type: "MANUAL",
    ...newTransferHead(ctx, body, partner),
    settlementDate: requiredDate(body, "settlementDate"),
    settlementCurrency,
    isForTest: test,
    userDefinedProperties: userDefinedProperties(body),
    settlementAmount,
    settlementTaxFreeAmount,
  });
}

/** A transfer as the API shows it: with its partner as the partner is now. */
export function transferView(ctx: DomainContext, record: TransferRecord): PlatformTransferView {
  const partner: PlatformPartner | undefined = ctx.state.platform.partners.get(
    record.transfer.partner.id,
  )?.current;
  return partner ? { ...record.transfer, partner } : record.transfer;
}

export function deleteTransfer(ctx: DomainContext, id: string): Record<string, never> {
  const record = findTransfer(ctx, id);
  if (record.transfer.status !== "SCHEDULED") {
    throw new PortOneApiError(
      "PLATFORM_TRANSFER_NON_DELETABLE_STATUS",
      `Transfer ${id} is ${record.transfer.status}; only SCHEDULED transfers can be deleted.`,
    );
  }
  const cancels = [...ctx.state.platform.transfers.values()].some(
    (other) => other.originalId === id,
  );
  if (cancels) {
    throw new PortOneApiError(
      "PLATFORM_CANCEL_ORDER_TRANSFERS_EXISTS",
      `Transfer ${id} has order-cancel transfers; delete them first.`,
    );
  }
  ctx.state.platform.transfers.delete(id);
  ctx.state.changed();
  return {};
}
