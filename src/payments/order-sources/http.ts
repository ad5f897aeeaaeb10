import { OrderSourceUnavailableError } from "../errors.js";
import type { OrderSource } from "../ports.js";
import { InvalidOrderError } from "./invalid-order-error.js";
import { describeInvalidOrder, orderSchema } from "./order-schema.js";

export interface HttpOrderSourceOptions {
  /**
   * The shop backend's order endpoint. `{orderId}` is replaced by the percent-encoded order
   * id; without it, `/{orderId}` is appended (e.g. `https://shop.internal/api/orders`).
   */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

/**
 * Asks the shop backend what an order costs: `GET <url>` answering 200 with an order as JSON,
 * or 404 for an unknown order. Anything else is the shop's outage, reported as such.
 */
export function createHttpOrderSource(options: HttpOrderSourceOptions): OrderSource {
  const doFetch = options.fetch ?? fetch;
  const urlFor = (orderId: string) => {
    const encoded = encodeURIComponent(orderId);
    return options.url.includes("{orderId}")
      ? options.url.replaceAll("{orderId}", encoded)
      : `${options.url.replace(/\/+$/, "")}/${encoded}`;
  };
  return {
    async getOrder(orderId) {
      let response: Response;
      try {
        response = await doFetch(urlFor(orderId), {
          headers: {
            accept: "application/json",
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        const timedOut = error instanceof Error && error.name === "TimeoutError";
        throw new OrderSourceUnavailableError(timedOut ? "timeout" : "unreachable", undefined, {
          cause: error,
        });
      }
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (response.status === 401 || response.status === 403) {
        await response.body?.cancel();
        throw new OrderSourceUnavailableError("rejected", response.status);
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new OrderSourceUnavailableError("bad-response", response.status);
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch (error) {
        throw new OrderSourceUnavailableError("bad-response", response.status, { cause: error });
      }
      const parsed = orderSchema.safeParse(body);
      if (!parsed.success) throw new InvalidOrderError(orderId, describeInvalidOrder(parsed.error));
      return parsed.data;
    },
  };
}
