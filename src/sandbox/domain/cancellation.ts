import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import type { AmountRecord } from "../state/records.js";
import { defaultVat } from "./amounts.js";

/** What is still refundable of a payment. */
export interface Cancellable {
  total: number;
  taxFree: number;
  vat: number;
}

/** The optional amounts of a cancelPayment request, as the merchant sent them. */
export interface CancellationRequest {
  amount?: number;
  taxFreeAmount?: number;
  vatAmount?: number;
  currentCancellableAmount?: number;
}

/** The parts one cancellation refunds. */
export interface CancellationParts {
  totalAmount: number;
  taxFreeAmount: number;
  vatAmount: number;
}

/** What is left to refund after the cancellations so far (`cancelledVat`: their VAT summed). */
export function cancellableOf(amount: AmountRecord, cancelledVat: number): Cancellable {
  return {
    total: amount.total - amount.cancelled,
    taxFree: amount.taxFree - amount.cancelledTaxFree,
    vat: amount.vat - cancelledVat,
  };
}

/**
 * PortOne's amount rules for one cancellation, as a pure calculation: the parts to refund, or
 * the PortOne error the request earns.
 */
export function planCancellation(
  left: Cancellable,
  request: CancellationRequest,
): CancellationParts {
  const expected = request.currentCancellableAmount;
  if (expected !== undefined && expected !== left.total) {
    throw new PortOneApiError(
      "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN",
      `currentCancellableAmount is ${expected} but ${left.total} is cancellable.`,
    );
  }
  const totalAmount = request.amount ?? left.total;
  if (totalAmount === 0) throw invalidRequest("amount must be greater than 0.");
  if (totalAmount > left.total) {
    throw new PortOneApiError(
      "CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT",
      `amount ${totalAmount} exceeds the cancellable amount ${left.total}.`,
    );
  }
  const taxFreeAmount = taxFreePart(left, request, totalAmount);
  const vatAmount = vatPart(left, request, totalAmount, taxFreeAmount);
  return { totalAmount, taxFreeAmount, vatAmount };
}

function taxFreePart(left: Cancellable, request: CancellationRequest, total: number): number {
  // PortOne: without taxFreeAmount a partial cancellation is all taxable; cancelling the
  // whole rest (no amount) takes the remaining tax-free part with it.
  const taxFree = request.taxFreeAmount ?? (request.amount !== undefined ? 0 : left.taxFree);
  if (taxFree > total) {
    throw new PortOneApiError(
      "SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT",
      `taxFreeAmount ${taxFree} exceeds amount ${total}.`,
    );
  }
  if (taxFree > left.taxFree) {
    throw new PortOneApiError(
      "CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT",
      `taxFreeAmount ${taxFree} exceeds the cancellable tax-free amount ${left.taxFree}.`,
    );
  }
  const taxable = total - taxFree;
  const cancellableTaxable = left.total - left.taxFree;
  if (taxable > cancellableTaxable) {
    throw new PortOneApiError(
      "CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT",
      `The taxable part ${taxable} exceeds the cancellable taxable amount ${cancellableTaxable}; give taxFreeAmount.`,
    );
  }
  return taxFree;
}

function vatPart(
  left: Cancellable,
  request: CancellationRequest,
  total: number,
  taxFree: number,
): number {
  // The last cancellation takes whatever VAT is left, so the parts add up to the payment's.
  const isRest = total === left.total;
  const vat = request.vatAmount ?? (isRest ? left.vat : defaultVat(total, taxFree));
  if (taxFree + vat > total) {
    throw new PortOneApiError(
      "SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT",
      `taxFreeAmount ${taxFree} plus vatAmount ${vat} exceed amount ${total}.`,
    );
  }
  if (vat > left.vat) {
    throw invalidRequest(`vatAmount ${vat} exceeds the VAT left to cancel, ${left.vat}.`);
  }
  return vat;
}

/** Cancellations still pending at the PG are as good as done until they fail or are stopped. */
export function lessPending(left: Cancellable, pending: readonly CancellationParts[]): Cancellable {
  return pending.reduce(
    (rest, parts) => ({
      total: rest.total - parts.totalAmount,
      taxFree: rest.taxFree - parts.taxFreeAmount,
      vat: rest.vat - parts.vatAmount,
    }),
    left,
  );
}
