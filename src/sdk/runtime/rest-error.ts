import { PortOneError } from "./port-one-error.js";
import type { Unrecognized } from "./unrecognized.js";

/** An error body PortOne documents: `type` tells which failure, `message` explains it. */
export type RestErrorBody = { readonly type: string; readonly message?: string };

/** What is known about the HTTP response that carried an error body. */
export interface ResponseDetails {
  status: number;
  headers: Headers;
  /** operationId of the call, e.g. `getPayment` */
  operation?: string;
}

/**
 * PortOne answered with an error body. Each operation throws its own subclass
 * (`GetPaymentError`), which extends its category's base (`PaymentError`) and this class.
 */
export abstract class RestError extends PortOneError {
  declare readonly data: RestErrorBody | { readonly type: Unrecognized };
  /** HTTP status of the response; 0 only when the error was constructed by hand. */
  declare readonly status: number;
  /** Response headers (request id, Retry-After, ...); they never contain the API secret. */
  declare readonly headers: Headers;
  declare readonly operation: string | undefined;

  constructor(data: RestErrorBody | { readonly type: Unrecognized }, response?: ResponseDetails) {
    // PortOne's own message when it sent one; else the type, so a log line still says what failed.
    super(
      typeof (data as RestErrorBody).message === "string"
        ? (data as RestErrorBody).message
        : typeof data.type === "string"
          ? data.type
          : undefined,
    );
    this.data = data;
    this.status = response?.status ?? 0;
    this.headers = response?.headers ?? new Headers();
    this.operation = response?.operation;
  }
}
