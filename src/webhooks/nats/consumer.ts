import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import { type NatsConnection, nanos } from "@nats-io/transport-node";
import { z } from "zod";
import {
  type DispatchedEvent,
  type EventFor,
  type EventPattern,
  matchesPattern,
  parseDispatchedEvent,
} from "../event.js";
import {
  DEFAULT_EVENT_STREAM,
  DEFAULT_SUBJECT_PREFIX,
  streamSubjects,
  subjectFilterForPattern,
} from "./subjects.js";

export interface EventMessageContext {
  readonly subject: string;
  /** The message's sequence in the stream. */
  readonly streamSequence: number;
  /** 1 on the first delivery to this consumer, more after a nak or an ack timeout. */
  readonly deliveryCount: number;
  readonly message: JsMsg;
}

export interface ConsumeEventsOptions<Pattern extends EventPattern> {
  /** The durable consumer's name: one per service; replicas sharing it share the work. */
  readonly durable: string;
  /** Which events ("Transaction.Paid", "Transaction.*", "*"); all when absent. */
  readonly events?: readonly Pattern[];
  /** Resolve to acknowledge; throw to have the event redelivered after `retryDelayMs`. */
  readonly handler: (event: EventFor<Pattern>, context: EventMessageContext) => Promise<void>;
  readonly stream?: string;
  readonly subjectPrefix?: string;
  /** Where a new consumer starts: every stored event (default), only new ones, or a time. */
  readonly startAt?: "all" | "new" | Date;
  /** How long the handler has before NATS redelivers the event elsewhere (default 30 s). */
  readonly ackWaitMs?: number;
  /** Deliveries of one event before NATS stops trying (default: unlimited). */
  readonly maxDeliver?: number;
  /** Delay before an event whose handler threw is redelivered (default 5 s). */
  readonly retryDelayMs?: number;
  /** Events handed to this process at once; 1 (the default) handles them in stream order. */
  readonly maxInFlight?: number;
  /** Time limit of each JetStream API call and acknowledgement (default 5 s). */
  readonly timeoutMs?: number;
  /** Messages that are not a valid event are terminated (never redelivered) and reported here. */
  readonly onInvalidMessage?: (reason: string, context: EventMessageContext) => void;
  /** A handler threw; the event will be redelivered. */
  readonly onHandlerError?: (error: unknown, context: EventMessageContext) => void;
}

export interface EventConsumption {
  /** Stops fetching, lets the event being handled finish, and resolves when the loop ended. */
  stop(): Promise<void>;
  /** Resolves when the loop ends (after `stop()`, or when the consumer is gone). */
  readonly done: Promise<void>;
}

/** Largest message accepted; the service's events are far smaller (bounded webhook bodies). */
const MAX_MESSAGE_BYTES = 1_048_576;

const eventMessageSchema = z.object({
  id: z.string().min(1).max(256),
  type: z.string().min(1).max(256),
  source: z.enum(["portone", "internal"]),
  format: z.enum(["2024-04-25", "2024-01-01", "internal"]),
  timestamp: z.string().max(64),
  data: z.record(z.string(), z.unknown()),
  payment: z.record(z.string(), z.unknown()).nullable(),
  paymentSyncError: z.string().optional(),
});

/**
 * Reads the service's events from its JetStream stream with a durable consumer and explicit
 * acks: creates the consumer (or updates its filters) and hands each event, parsed and checked,
 * to `handler`. Delivery is at least once; make the handler idempotent on `event.id`.
 */
export async function consumeEvents<Pattern extends EventPattern = "*">(
  connection: NatsConnection,
  options: ConsumeEventsOptions<Pattern>,
): Promise<EventConsumption> {
  const stream = options.stream ?? DEFAULT_EVENT_STREAM;
  const prefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const patterns: readonly string[] =
    options.events && options.events.length > 0 ? options.events : ["*"];
  const jsm = await jetstreamManager(connection, { timeout: timeoutMs });
  const filters = [...new Set(patterns.map((pattern) => subjectFilterForPattern(prefix, pattern)))];
  const settings: Partial<ConsumerConfig> = {
    // Several filters on one consumer need nats-server 2.10; one covering filter works on all,
    // and the events not asked for are acknowledged and skipped below.
    filter_subject: filters.length === 1 ? filters[0] : streamSubjects(prefix),
    ack_wait: nanos(options.ackWaitMs ?? 30_000),
    max_deliver: options.maxDeliver ?? -1,
    max_ack_pending: Math.max(1_000, options.maxInFlight ?? 1),
  };
  const existing = await jsm.consumers.info(stream, options.durable).catch(() => null);
  if (existing) {
    await jsm.consumers.update(stream, options.durable, settings);
  } else {
    await jsm.consumers.add(stream, {
      ...settings,
      durable_name: options.durable,
      ack_policy: AckPolicy.Explicit,
      ...startPolicy(options.startAt ?? "all"),
    });
  }
  const consumer = await jetstream(connection, { timeout: timeoutMs }).consumers.get(
    stream,
    options.durable,
  );
  const messages = await consumer.consume({ max_messages: options.maxInFlight ?? 1 });
  const done = (async () => {
    for await (const message of messages) {
      await handleMessage(message, patterns, options, timeoutMs);
    }
  })();
  return {
    done,
    async stop() {
      await messages.close();
      await done;
    },
  };
}

function startPolicy(startAt: "all" | "new" | Date): Partial<ConsumerConfig> {
  if (startAt === "all") return { deliver_policy: DeliverPolicy.All };
  if (startAt === "new") return { deliver_policy: DeliverPolicy.New };
  return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: startAt.toISOString() };
}

async function handleMessage<Pattern extends EventPattern>(
  message: JsMsg,
  patterns: readonly string[],
  options: ConsumeEventsOptions<Pattern>,
  timeoutMs: number,
): Promise<void> {
  const context: EventMessageContext = {
    subject: message.subject,
    streamSequence: message.seq,
    deliveryCount: message.info.deliveryCount,
    message,
  };
  const parsed = parseEventMessage(message.data);
  if (typeof parsed === "string") {
    message.term(parsed);
    options.onInvalidMessage?.(parsed, context);
    return;
  }
  if (!patterns.some((pattern) => matchesPattern(pattern, parsed.type))) {
    message.ack();
    return;
  }
  try {
    await options.handler(parsed as EventFor<Pattern>, context);
  } catch (error) {
    message.nak(options.retryDelayMs ?? 5_000);
    options.onHandlerError?.(error, context);
    return;
  }
  // Wait for the server to confirm the ack, so a lost ack is not mistaken for a handled event
  // by code that runs after the handler; a timeout means NATS will redeliver it.
  await message.ackAck({ timeout: timeoutMs }).catch(() => false);
}

/** The event, or why the message is not one. */
export function parseEventMessage(data: Uint8Array): DispatchedEvent | string {
  if (data.byteLength > MAX_MESSAGE_BYTES)
    return `message of ${data.byteLength} bytes is too large`;
  const text = new TextDecoder().decode(data);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return "message is not JSON";
  }
  const checked = eventMessageSchema.safeParse(json);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return `message is not an event (${issue?.path.join(".") || "body"}: ${issue?.message})`;
  }
  return parseDispatchedEvent(text);
}
