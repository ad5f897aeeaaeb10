import { randomBytes } from "node:crypto";
import type {
  PlatformExternalPayment,
  PlatformPayment,
  PlatformPortOnePayment,
} from "../../sdk/generated/platform/transfer/types.js";
import type { DomainContext } from "../domain/context.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import type { Input } from "../http/input.js";
import type { ApiCall } from "../http/portone-api.js";

/** PortOne's GraphQL node ids are base64 of `<Type>:<id>`; the sandbox forms them the same way. */
export function graphqlId(kind: string, id: string): string {
  return Buffer.from(`${kind}:${id}`).toString("base64");
}

/** The `ids` and `graphqlIds` members of an error about several entities of one type. */
export function idsAndGraphqlIds(kind: string, ids: string[]) {
  return { ids, graphqlIds: ids.map((id) => graphqlId(kind, id)) };
}

/** A 26-character id like PortOne's (ULID alphabet: time first, so ids sort by creation). */
export function newPlatformId(now: number): string {
  const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  let time = "";
  let rest = now;
  for (let i = 0; i < 10; i++) {
    time = alphabet[rest % 32] + time;
    rest = Math.floor(rest / 32);
  }
  const random = [...randomBytes(16)].map((byte) => alphabet[byte % 32]).join("");
  return time + random;
}

/**
 * Test or live data: the `test` query parameter wins over the body's `isForTest`, as the
 * schema says; neither means live.
 */
export function isForTest(call: Pick<ApiCall, "query" | "body">): boolean {
  const test = call.query.test;
  if (test === "true") return true;
  if (test === "false") return false;
  if (test !== undefined) throw invalidRequest(`test must be true or false, not ${test}.`);
  return call.body.optionalBoolean("isForTest") ?? false;
}

const KST_OFFSET_MS = 9 * 60 * 60 * 1000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The calendar date (yyyy-MM-dd) in Korea at an instant: settlement dates are Korean dates. */
export function koreanDate(ms: number): string {
  return new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a Korean calendar date begins. */
export function startOfKoreanDate(date: string): number {
  return Date.parse(`${date}T00:00:00.000Z`) - KST_OFFSET_MS;
}

export function optionalDate(input: Input, field: string): string | undefined {
  const value = input.optionalString(field);
  if (value === undefined) return undefined;
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw invalidRequest(`${field} must be a date in yyyy-MM-dd form, got ${value}.`);
  }
  return value;
}

export function requiredDate(input: Input, field: string): string {
  const value = optionalDate(input, field);
  if (value === undefined) throw invalidRequest(`${field} is required.`);
  return value;
}

/** An integer amount that may be negative (manual transfers can take money back). */
export function signedInteger(input: Input, field: string): number | undefined {
  const value = input.raw(field);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw invalidRequest(`${field} must be an integer.`);
  }
  return value;
}

export function stringList(input: Input | undefined, field: string): string[] | undefined {
  const values = input?.optionalArray(field);
  if (values === undefined) return undefined;
  return values.map((value, index) => {
    if (typeof value !== "string") throw invalidRequest(`${field}[${index}] must be a string.`);
    return value;
  });
}

/** Currencies the sandbox settles in; PortOne's platform settles KRW (and USD for some). */
const SETTLEMENT_CURRENCIES = new Set(["KRW", "USD"]);

export function assertSettlementCurrency(currency: string): void {
  if (!SETTLEMENT_CURRENCIES.has(currency)) {
    throw new PortOneApiError(
      "PLATFORM_CURRENCY_NOT_SUPPORTED",
      `The platform does not settle in ${currency}; use KRW or USD.`,
    );
  }
}

/** `keyword` filters match when the field contains the keyword (case-insensitive). */
export function contains(value: string | undefined, keyword: string | undefined): boolean {
  if (keyword === undefined || keyword === "") return true;
  return (value ?? "").toLowerCase().includes(keyword.toLowerCase());
}

/** A list filter over a set of allowed values: absent or empty means "any". */
export function within<T>(value: T, allowed: readonly T[] | undefined): boolean {
  return allowed === undefined || allowed.length === 0 || allowed.includes(value);
}

/** A list filter over an entity's several values (tags, policy ids): one in common suffices. */
export function overlaps(
  values: readonly string[],
  allowed: readonly string[] | undefined,
): boolean {
  return allowed === undefined || allowed.length === 0 || allowed.some((v) => values.includes(v));
}

/** An exact-value criterion of `input`: absent matches every value. */
export function equalsIfGiven(
  input: Input | undefined,
  field: string,
  value: string | undefined,
): boolean {
  const given = input?.optionalString(field);
  return given === undefined || given === value;
}

export function nowIso(ctx: DomainContext): string {
  return new Date(ctx.clock.now()).toISOString();
}

/** A `DateTimeRange` filter: from inclusive, until exclusive. */
export function inTimeRange(at: string | undefined, range: Input | undefined): boolean {
  if (!range) return true;
  if (at === undefined) return false;
  const time = Date.parse(at);
  const from = range.optionalDate("from");
  const until = range.optionalDate("until");
  return (from === undefined || time >= from) && (until === undefined || time < until);
}

/** A `DateRange` filter over yyyy-MM-dd dates, both ends inclusive. */
export function inDateRange(date: string, range: Input | undefined): boolean {
  if (!range) return true;
  const from = optionalDate(range, "from");
  const until = optionalDate(range, "until");
  return (from === undefined || date >= from) && (until === undefined || date <= until);
}

/** The payment of a transfer: the sandbox only ever stores the two known kinds. */
export function paymentOf(
  payment: PlatformPayment,
): PlatformPortOnePayment | PlatformExternalPayment {
  return payment as PlatformPortOnePayment | PlatformExternalPayment;
}
