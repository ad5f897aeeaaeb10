import type { ModuleContext } from "../../server/modules.js";
import { type DispatcherTuning, defaultDispatcherTuning } from "../dispatcher.js";
import type { Webhooks } from "../pipeline.js";
import { connectNatsJetStream, type NatsJetStreamFanOut } from "../subscribers/nats-jetstream.js";

export interface NatsFanOutHandle {
  readonly fanOut: NatsJetStreamFanOut;
  /** Once the pipeline exists: replay this subscriber's dead letters whenever NATS is back. */
  attach(webhooks: Webhooks): void;
  close(): Promise<void>;
}

/**
 * The NATS JetStream subscriber of the webhooks module, when NATS_URL is set: connected and its
 * stream checked before the service is ready, listed in /readyz and /metrics.
 */
export async function setUpNatsFanOut(
  context: Pick<ModuleContext, "config" | "logger" | "metricsRegistry" | "addReadinessCheck">,
  tuning: Partial<DispatcherTuning>,
): Promise<NatsFanOutHandle | undefined> {
  const config = context.config.webhooks.nats;
  if (!config) return undefined;
  const effective = { ...defaultDispatcherTuning, ...tuning };
  if (config.timeoutMs >= effective.leaseMs) {
    // As with HTTP: a publish still waiting when its lease ends could overlap the next attempt.
    throw new Error(
      `NATS_TIMEOUT_MS (${config.timeoutMs}) must be shorter than WEBHOOK_LEASE_MS (${effective.leaseMs}).`,
    );
  }
  const fanOut = await connectNatsJetStream(config, {
    retry: effective.delivery,
    leaseMs: effective.leaseMs,
    pollIntervalMs: effective.pollIntervalMs,
    logger: context.logger,
    registry: context.metricsRegistry,
  });
  context.addReadinessCheck(fanOut.readiness);
  return {
    fanOut,
    attach(webhooks) {
      // Attempts made while NATS was away count against the retry budget; once it is back,
      // the events that ran out of attempts meanwhile go out again on their own.
      fanOut.onReconnect(() => {
        webhooks
          .replayDeadLetters({ subscriberId: fanOut.subscriber.id })
          .then((replayed) => {
            if (replayed > 0)
              context.logger.info(
                { subscriber: fanOut.subscriber.id, replayed },
                "replayed NATS dead letters after reconnecting",
              );
          })
          .catch((error: unknown) =>
            context.logger.error({ err: error }, "could not replay NATS dead letters"),
          );
      });
    },
    close: () => fanOut.close(),
  };
}
