/**
 * portone-bff/sdk: the PortOne V2 server SDK, call-compatible with @portone/server-sdk 0.19.
 */
export * from "./generated/index.js";
export type {
  CategoryErrorClass,
  OperationErrorClass,
} from "./runtime/error-classes.js";
export type {
  CallOptions,
  ClientOptions,
  FetchFunction,
  FetchResponse,
  PortOneClientInit,
  RequestEvent,
  ResponseEvent,
} from "./runtime/options.js";
export { type PageItem, paginate } from "./runtime/paginate.js";
export { PortOneError } from "./runtime/port-one-error.js";
export { type ResponseDetails, RestError, type RestErrorBody } from "./runtime/rest-error.js";
export {
  NetworkError,
  RequestTimeoutError,
  UnexpectedResponseError,
} from "./runtime/transport-errors.js";
export type { Unrecognized } from "./runtime/unrecognized.js";
export { SDK_VERSION } from "./runtime/version.js";
export * as Webhook from "./webhook/index.js";
