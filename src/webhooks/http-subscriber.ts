import { sign } from "../sdk/webhook/index.js";
import { matchesPattern } from "./event.js";
import type { DeliveryRequest, DeliveryResult, Subscriber } from "./subscriber.js";

export interface HttpSubscriberConfig {
  readonly url: string;
  /** Patterns ("Transaction.Paid", "Transaction.*", "*"); every event when absent or empty. */
  readonly events?: readonly string[];
  /** Standard Webhooks secret (base64, optionally `whsec_`-prefixed) the receiver verifies with. */
  readonly secret: string;
}

export interface HttpDeliveryOptions {
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

/** Sent with each delivery so a receiver can see retries; the attempt number is never reused. */
export const ATTEMPT_HEADER = "x-delivery-attempt";

/**
 * Stable ids for HTTP subscribers: the URL without query string or credentials (which may hold
 * tokens and must not reach metrics or logs); a suffix tells apart URLs that differ only there.
 */
export function httpSubscriberIds(configs: readonly HttpSubscriberConfig[]): string[] {
  const seen = new Map<string, number>();
  return configs.map((config) => {
    const url = new URL(config.url);
    const base = `${url.origin}${url.pathname}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}#${count}`;
  });
}

/**
 * An internal service that receives events as Standard Webhooks: a POST of the event JSON,
 * signed with its own secret, with the inbound `webhook-id`, so it can check it with
 * `Webhook.verify` and drop duplicates. Any 2xx is success; anything else, a timeout or a
 * network error is a failure to be retried.
 */
export async function createHttpSubscriber(
  id: string,
  config: HttpSubscriberConfig,
  options: HttpDeliveryOptions,
): Promise<Subscriber> {
  const doFetch = options.fetch ?? fetch;
  const patterns = config.events && config.events.length > 0 ? config.events : ["*"];
  // Sign once now so a malformed secret stops start-up with a clear message instead of
  // failing every delivery later.
  try {
    await sign(config.secret, "{}", { id: "startup-check" });
  } catch {
    throw new Error(
      `WEBHOOK_SUBSCRIBERS: the secret of subscriber ${id} is not a valid Standard Webhooks secret (base64, optionally prefixed with "whsec_").`,
    );
  }
  return {
    id,
    wants: (type) => patterns.some((pattern) => matchesPattern(pattern, type)),
    async deliver(delivery: DeliveryRequest): Promise<DeliveryResult> {
      const headers = await sign(config.secret, delivery.body, {
        id: delivery.eventId,
        timestamp: new Date(),
      });
      try {
        const response = await doFetch(config.url, {
          method: "POST",
          headers: {
            ...headers,
            "content-type": "application/json",
            "user-agent": "portone-bff-webhooks",
            [ATTEMPT_HEADER]: String(delivery.attempt),
          },
          body: delivery.body,
          redirect: "manual",
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        // Drain the body so the connection can be reused; its content is not needed.
        await response.arrayBuffer().catch(() => undefined);
        if (response.status >= 200 && response.status < 300) {
          return { ok: true, statusCode: response.status };
        }
        return { ok: false, statusCode: response.status, error: `HTTP ${response.status}` };
      } catch (error) {
        return { ok: false, statusCode: null, error: describeNetworkError(error) };
      }
    },
  };
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return "timed out";
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code) return `network error ${cause.code}`;
    return `network error: ${error.message}`;
  }
  return "network error";
}
