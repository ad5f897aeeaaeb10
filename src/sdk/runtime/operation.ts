import type { ResponseDetails, RestError } from "./rest-error.js";

/**
 * One row of a generated operation table: where each option of a call goes on the wire.
 * Path parameters are the `{name}` segments of the route; query parameters are listed; every
 * other option is a top-level field of the JSON body.
 */
export interface Operation {
  /** `"GET /payments/{paymentId}"` */
  route: string;
  /** Query parameter names in order; `requestBody` marks where a GET/DELETE body goes. */
  query?: readonly string[];
  /** The operation has a JSON body. */
  body?: true;
  /** GET/DELETE with a body: the JSON goes in the `requestBody` query parameter instead. */
  bodyInQuery?: true;
  /** The body's `storeId` falls back to the client's `storeId`. */
  defaultStoreId?: true;
  /** Thrown for a PortOne error body. */
  error: new (
    data: never,
    response?: ResponseDetails,
  ) => RestError;
  /** Success body: JSON (default), plain text (CSV downloads) or none. */
  response?: "text" | "none";
  /** PortOne gives no compatibility promise for this operation. */
  unstable?: true;
}

export type OperationTable = Readonly<Record<string, Operation>>;
