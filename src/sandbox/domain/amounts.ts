import type { AmountRecord } from "../state/records.js";

/** Korean VAT is 1/11 of the taxable part of a total (10 % on top of the supply price). */
export function defaultVat(total: number, taxFree: number): number {
  return Math.round((total - taxFree) / 11);
}

export function paymentAmount(total: number, taxFree: number, vat?: number): AmountRecord {
  const vatAmount = vat ?? defaultVat(total, taxFree);
  return {
    total,
    taxFree,
    vat: vatAmount,
    supply: total - taxFree - vatAmount,
    discount: 0,
    paid: 0,
    cancelled: 0,
    cancelledTaxFree: 0,
  };
}
