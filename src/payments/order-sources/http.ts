import { InvalidIdError, OrderSourceUnavailableError } from "../errors.js";
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

/** With the `u` flag a valid surrogate pair is one code point; only a lone half is `Cs`. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Asks the shop backend what an order costs: `GET <url>` answering 200 with an order as JSON,
 * or 404 for an unknown order. Anything else is the shop's outage, reported as such.
 */
export function createHttpOrderSource(options: HttpOrderSourceOptions): OrderSource {
  const doFetch = options.fetch ?? fetch;
  const urlFor = (orderId: string) => {
    // Percent-encoding keeps the id one path segment, except the dot segments: a URL parser
    // resolves `/orders/..` to `/`, which would send the shop's token to another route.
    if (orderId === "." || orderId === "..")
      throw new InvalidIdError("orderId must not be `.` or `..`.");
    // A lone surrogate has no UTF-8 encoding (encodeURIComponent would throw a URIError).
    if (LONE_SURROGATE.test(orderId)) throw new InvalidIdError("orderId must be well-formed text.");
    const encoded = encodeURIComponent(orderId);
    return options.url.includes("{orderId}")
      ? options.url.replaceAll("{orderId}", encoded)
      : `${options.url.replace(/\/+$/, "")}/${encoded}`;
  };
  return {
    async getOrder(orderId) {
      const url = urlFor(orderId);
      const signal = AbortSignal.timeout(options.timeoutMs);
      let response: Response;
      try {
        response = await doFetch(url, {
          headers: {
            accept: "application/json",
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
          signal,
        });
      } catch (error) {
        throw new OrderSourceUnavailableError(
          signal.aborted ? "timeout" : "unreachable",
          undefined,
          {
            cause: error,
          },
        );
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
