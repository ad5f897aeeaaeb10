import { type EventFor, type EventPattern, matchesPattern, parseDispatchedEvent } from "./event.js";
import type { DeliveryRequest, DeliveryResult, Subscriber } from "./subscriber.js";

export type WebhookHandler<Pattern extends string> = (
  event: EventFor<Pattern>,
) => void | Promise<void>;

export interface HandlerOptions {
  /**
   * Names the handler's deliveries in the store. Defaults to the pattern and the order of
   * registration ("Transaction.Paid#1"), which is stable as long as the code registers its
   * handlers in the same order on every start; name it to make it independent of that.
   */
  readonly name?: string;
}

const HANDLER_PREFIX = "handler:";

/**
 * In-process subscribers for library users. Each handler gets every matching event at least
 * once, with retries and dead letters like an HTTP subscriber: it should be idempotent (the
 * event `id` is the key) and throw to ask for a retry.
 */
export class WebhookHandlers {
  readonly #handlers = new Map<string, Subscriber>();
  readonly #countByPattern = new Map<string, number>();
  #onChange: (() => void) | undefined;

  on<Pattern extends EventPattern>(
    pattern: Pattern,
    handler: WebhookHandler<Pattern>,
    options: HandlerOptions = {},
  ): () => void {
    const count = (this.#countByPattern.get(pattern) ?? 0) + 1;
    this.#countByPattern.set(pattern, count);
    const id = `${HANDLER_PREFIX}${options.name ?? `${pattern}#${count}`}`;
    if (this.#handlers.has(id)) {
      throw new Error(
        `A webhook handler named "${id.slice(HANDLER_PREFIX.length)}" is already registered; give each handler its own name.`,
      );
    }
    this.#handlers.set(id, {
      id,
      wants: (type) => matchesPattern(pattern, type),
      async deliver(delivery: DeliveryRequest): Promise<DeliveryResult> {
        try {
          await handler(parseDispatchedEvent(delivery.body) as EventFor<Pattern>);
          return { ok: true, statusCode: null };
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          return { ok: false, statusCode: null, error: `handler threw: ${message}` };
        }
      },
    });
    this.#onChange?.();
    return () => {
      this.#handlers.delete(id);
      this.#onChange?.();
    };
  }

  subscribers(): Subscriber[] {
    return [...this.#handlers.values()];
  }

  /** Lets the dispatcher refresh its subscriber list when handlers come and go. */
  onChange(listener: () => void): void {
    this.#onChange = listener;
  }
}
