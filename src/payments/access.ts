/**
 * Who is asking. `customerId` is null for an anonymous caller (sandbox mode only).
 * Orders and payments with a customer are visible to that customer alone; guest orders
 * (customerId null) to whoever holds their unguessable paymentId.
 */
export interface Caller {
  readonly customerId: string | null;
}

export function callerMayAccess(owner: string | null, caller: Caller): boolean {
  return owner === null || owner === caller.customerId;
}
