import { errorStatusByType } from "../generated/operations.js";

/**
 * A PortOne error response. The status comes from the schema's `x-portone-status-code` of
 * the error `type`, so handlers only name the type.
 */
export class PortOneApiError extends Error {
  readonly status: number;

  constructor(
    readonly type: string,
    message: string,
    readonly fields: Record<string, unknown> = {},
    status?: number,
  ) {
    super(message);
    this.name = "PortOneApiError";
    this.status = status ?? errorStatusByType[type] ?? 400;
  }

  toBody(): Record<string, unknown> {
    return { type: this.type, message: this.message, ...this.fields };
  }
}

export function invalidRequest(message: string): PortOneApiError {
  return new PortOneApiError("INVALID_REQUEST", message);
}
