import { guestTokenMatches } from "./guest-token.js";
import type { PaymentRecord } from "./ports.js";

/**
 * Who is asking. `customerId` is null for an anonymous caller (sandbox mode only);
 * `guestToken` is what a guest got from its first `payment.prepare` of a guest order.
 */
export interface Caller {
  readonly customerId: string | null;
  readonly guestToken?: string;
}

/**
 * Whether the caller may start paying an order: a customer's order is its customer's alone;
 * a guest order (customerId null) is open until its first `prepare`, which makes the caller
 * its owner by handing it the guest token.
 */
export function callerMayAccess(owner: string | null, caller: Caller): boolean {
  return owner === null || owner === caller.customerId;
}

/**
 * Whether the caller owns a payment: its customer, or for a guest order whoever presents the
 * guest token. A guest record without a token hash (prepared before guest tokens existed) is
 * nobody's: it fails closed, and its webhooks still keep it in sync.
 */
export function callerOwnsPayment(
  record: Pick<PaymentRecord, "customerId" | "guestTokenHash">,
  caller: Caller,
): boolean {
  if (record.customerId !== null) return record.customerId === caller.customerId;
  return guestTokenMatches(caller.guestToken, record.guestTokenHash);
}
