import type { ResponseDetails, RestError } from "./rest-error.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One row of a generated operation table: where each argument goes on the wire. */
export interface Operation {
  method: HttpMethod;
  /** Path template; `{name}` segments are filled from the argument of that name. */
  path: string;
  /** Query parameter names in order; `requestBody` stands for the JSON body when `bodyInQuery`. */
  query?: readonly string[];
  /** Top-level body field names; absent when the operation has no body. */
  body?: readonly string[];
  /** GET/DELETE with a body: the JSON goes in the `requestBody` query parameter. */
  bodyInQuery?: true;
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
