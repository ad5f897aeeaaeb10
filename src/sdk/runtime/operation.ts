import type { ResponseDetails, RestError } from "./rest-error.js";

/** The operation has a JSON body: every option that is not a path or query parameter. */
export const HAS_BODY = 1;
/** The body's `storeId` falls back to the client's `storeId`. */
export const DEFAULT_STORE_ID = 2;
/** The success body is plain text (CSV downloads), returned as a string. */
export const TEXT_RESPONSE = 4;
/** The success response has no body; the call resolves to undefined. */
export const NO_RESPONSE = 8;

type OperationErrorConstructor = new (data: never, response?: ResponseDetails) => RestError;

/**
 * One row of a generated operation table, kept terse because every row ships in every bundle
 * that uses its category:
 * - the route, `"GET /payments/{paymentId}?storeId"`: method, path with `{name}` parameters,
 *   and the query parameter names in order after `?`, joined by `&` (a `requestBody` query
 *   parameter carries the JSON body of a GET/DELETE);
 * - the error class thrown for a PortOne error body;
 * - flags: `HAS_BODY | DEFAULT_STORE_ID | TEXT_RESPONSE | NO_RESPONSE`, 0 when omitted.
 */
export type Operation = readonly [route: string, error: OperationErrorConstructor, flags?: number];

export type OperationTable = Readonly<Record<string, Operation>>;

/** A row parsed once, on the operation's first call, into what each call needs. */
export interface CompiledOperation {
  readonly name: string;
  readonly method: string;
  readonly flags: number;
  readonly error: OperationErrorConstructor;
  /** Literal path pieces around the parameters: `pieces[0] + param 0 + pieces[1] + ...` */
  readonly pathPieces: readonly string[];
  readonly pathParams: readonly string[];
  readonly queryNames: readonly string[];
  /** GET/DELETE with a body: the JSON goes in the `requestBody` query parameter instead. */
  readonly bodyInQuery: boolean;
}

export function compileOperation(
  name: string,
  [route, error, flags = 0]: Operation,
): CompiledOperation {
  const [method = "", path = "", query] = route.split(/[ ?]/);
  // "/a/{x}/b".split(/[{}]/) -> ["/a/", "x", "/b"]: even indexes literal, odd indexes names.
  const parts = path.split(/[{}]/);
  const queryNames = query ? query.split("&") : [];
  return {
    name,
    method,
    flags,
    error,
    pathPieces: parts.filter((_, i) => i % 2 === 0),
    pathParams: parts.filter((_, i) => i % 2 === 1),
    queryNames,
    // The generator only lists `requestBody` for operations with a body.
    bodyInQuery: queryNames.includes("requestBody"),
  };
}
