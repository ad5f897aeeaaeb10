/**
 * Something events are delivered to: an HTTP endpoint or an in-process handler. Its `id` names
 * its delivery rows, so it must stay the same across restarts for pending work to be resumed.
 */
export interface Subscriber {
  readonly id: string;
  /** Whether this subscriber wants events of `type`. */
  wants(type: string): boolean;
  deliver(delivery: DeliveryRequest): Promise<DeliveryResult>;
}

export interface DeliveryRequest {
  /** The event id, sent as `webhook-id` so the receiver can drop duplicates. */
  readonly eventId: string;
  readonly eventType: string;
  /** The serialised event, the same bytes on every attempt. */
  readonly body: string;
  /** Attempt number, never reused for this event and subscriber. */
  readonly attempt: number;
}

export type DeliveryResult =
  | { readonly ok: true; readonly statusCode: number | null }
  | { readonly ok: false; readonly statusCode: number | null; readonly error: string };
