import Fastify, { type FastifyInstance } from "fastify";
import { browserCheckout } from "./browser/routes.js";
import { systemClock } from "./clock.js";
import { generateCredentials } from "./credentials.js";
import { readChannels } from "./domain/channels.js";
import { readCheckoutProfile } from "./domain/checkout-profiles.js";
import type { DomainContext } from "./domain/context.js";
import { readPromotion } from "./domain/promotions.js";
import { runDueSchedules } from "./domain/schedules.js";
import { PortOneApiError } from "./http/api-error.js";
import { Authenticator } from "./http/auth.js";
import { acceptJsonBodies, answerErrorsLikePortOne } from "./http/body-and-errors.js";
import { FaultInjector, type FaultRule } from "./http/faults.js";
import { IdempotencyKeys } from "./http/idempotency.js";
import { operationCatalogue } from "./http/operation-catalogue.js";
import { type ApiHandlers, portOneApi } from "./http/portone-api.js";
import {
  type Clock,
  DEFAULT_LISTEN_HOST,
  type SandboxOptions,
  type WebhookEndpoint,
} from "./options.js";
import { platformHandlers } from "./platform/platform-handlers.js";
import { afterPaymentHandlers } from "./routes/after-payment-handlers.js";
import { authHandlers } from "./routes/auth-handlers.js";
import { billingHandlers } from "./routes/billing-handlers.js";
import { checkoutSessionHandlers } from "./routes/checkout-session-handlers.js";
import { identityHandlers } from "./routes/identity-handlers.js";
import { paymentControls } from "./routes/payment-controls.js";
import { paymentHandlers } from "./routes/payment-handlers.js";
import { sandboxRoutes } from "./routes/sandbox-routes.js";
import type { ChannelRecord } from "./state/records.js";
import { SandboxState } from "./state/sandbox-state.js";
import { openSnapshotStorage } from "./state/snapshot-storage.js";
import { SandboxWebhookSender } from "./webhooks/webhook-sender.js";

export interface Sandbox {
  /** Routes registered, not listening; `app.inject` works without a socket. */
  app: FastifyInstance;
  /** Starts listening (port 0 and 127.0.0.1 by default) and resolves the base URL. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /** Stops the server, schedule timer and pending webhook retries, and closes the state file. */
  close(): Promise<void>;
  readonly apiSecret: string;
  readonly storeId: string;
  readonly webhookSecret: string;
  /** The default channel's key. */
  readonly channelKey: string;
  /** Every channel of the store, the default first (POST /sandbox/channels adds more). */
  readonly channels: readonly ChannelRecord[];
  setWebhookEndpoints(endpoints: WebhookEndpoint[] | undefined): void;
  setFaults(rules: FaultRule[]): void;
  /** Moves the sandbox clock forward and runs the payment schedules that fell due. */
  advanceClock(ms: number): Promise<void>;
  /** Runs scheduled webhook retries now and waits for every delivery in flight. */
  flushWebhooks(): Promise<void>;
  /** Links /sandbox/checkout to the shop, once the service that serves it knows its URL. */
  setShopUrl(url: string | undefined): void;
}

/** How often due payment schedules are looked for when nobody advances the clock. */
const SCHEDULE_POLL_MS = 1000;

/** Only an http(s) URL may become a link on the developer form (never `javascript:`). */
function checkedShopUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed?.protocol !== "http:" && parsed?.protocol !== "https:") {
    throw new TypeError(`shopUrl must be an absolute http(s) URL, not ${JSON.stringify(url)}`);
  }
  return parsed.href;
}

/** Reads a createSandbox option with the admin routes' validation; a bad one is a TypeError. */
function startOption<T>(name: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof PortOneApiError) throw new TypeError(`${name}: ${error.message}`);
    throw error;
  }
}

/**
 * The state a sandbox starts from: its persisted snapshot if any, with the credentials and
 * channels the options fix taking precedence over the stored ones.
 */
async function openState(options: SandboxOptions): Promise<SandboxState> {
  const storage = options.persistPath ? await openSnapshotStorage(options.persistPath) : undefined;
  let snapshot: ReturnType<NonNullable<typeof storage>["load"]>;
  try {
    snapshot = storage?.load();
  } catch (error) {
    storage?.close();
    throw error;
  }
  const credentials = { ...generateCredentials(), ...snapshot?.credentials };
  if (options.apiSecret) credentials.apiSecret = options.apiSecret;
  if (options.storeId) credentials.storeId = options.storeId;
  if (options.webhookSecret) credentials.webhookSecret = options.webhookSecret;
  if (options.channelKey) credentials.channelKey = options.channelKey;
  const channels = options.channels
    ? startOption("channels", () => readChannels(options.channels ?? []))
    : undefined;
  if (channels?.[0]) credentials.channelKey = channels[0].key;
  const state = new SandboxState(credentials, storage, snapshot);
  if (channels) state.channels = channels;
  return state;
}

/** The promotions and checkout profiles given at start, validated like the admin routes'. */
function seedCatalogue(ctx: DomainContext, options: SandboxOptions): void {
  for (const promotion of options.promotions ?? []) {
    const record = startOption("promotions", () => readPromotion(ctx, promotion));
    ctx.state.promotions.set(record.id, record);
  }
  for (const profile of options.checkoutProfiles ?? []) {
    const record = startOption("checkoutProfiles", () =>
      readCheckoutProfile(profile, ctx.state.channels),
    );
    ctx.state.checkoutProfiles.set(record.key, record);
  }
}

/** The registry of stateful operations; every other operation answers a typed error. */
function statefulHandlers(
  ctx: DomainContext,
  webhooks: SandboxWebhookSender,
  auth: Authenticator,
): ApiHandlers {
  return {
    ...authHandlers(auth),
    ...paymentHandlers(ctx, webhooks),
    ...billingHandlers(ctx),
    ...identityHandlers(ctx),
    ...afterPaymentHandlers(ctx),
    ...checkoutSessionHandlers(ctx),
    ...platformHandlers(ctx),
  };
}

/** Scheduled payments and billing run when due, even while no request arrives. */
function startSchedules(app: FastifyInstance, ctx: DomainContext): NodeJS.Timeout {
  const timer = setInterval(() => {
    try {
      runDueSchedules(ctx);
    } catch (error) {
      app.log.error({ err: error }, "running due payment schedules failed");
    }
  }, SCHEDULE_POLL_MS);
  timer.unref();
  return timer;
}

/** A local, stateful PortOne V2 emulator. */
export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const state = await openState(options);
  const { credentials } = state;
  const baseClock = options.clock ?? systemClock;
  let clockOffset = 0;
  const clock: Clock = { now: () => baseClock.now() + clockOffset };
  const faults = new FaultInjector(options.faults);
  let endpoints: WebhookEndpoint[] = [...(options.webhookEndpoints ?? [])];
  let shopUrl = checkedShopUrl(options.shopUrl);

  const app = Fastify({ logger: options.logger ?? false, forceCloseConnections: true });
  const webhooks = new SandboxWebhookSender({
    state,
    clock,
    faults,
    secret: credentials.webhookSecret,
    endpoints: () => endpoints,
    retryScale: options.webhookRetryScale ?? 1,
    timeoutMs: options.webhookTimeoutMs ?? 30_000,
    onError: (error) => app.log.error({ err: error }, "webhook delivery failed"),
  });
  webhooks.resumeRetries();
  const ctx: DomainContext = { state, clock, events: webhooks };
  seedCatalogue(ctx, options);
  const auth = new Authenticator(credentials.apiSecret, clock);
  const hangs = new Set<() => void>();

  const handlers = statefulHandlers(ctx, webhooks, auth);

  acceptJsonBodies(app);
  answerErrorsLikePortOne(app);
  await app.register(portOneApi, {
    handlers,
    auth,
    idempotency: new IdempotencyKeys(state, clock),
    faults,
    hangs,
  });
  const advanceClock = async (ms: number) => {
    clockOffset += ms;
    runDueSchedules(ctx);
    await webhooks.idle();
  };
  await app.register(sandboxRoutes, {
    ctx,
    webhooks,
    faults,
    getEndpoints: () => endpoints,
    setEndpoints: (next) => {
      endpoints = next;
    },
    advanceClock,
    shopUrl: () => shopUrl,
    operations: () => operationCatalogue(handlers),
  });
  await app.register(browserCheckout, { ctx });
  await app.register(paymentControls, { ctx });
  state.changed();

  const scheduleTimer = startSchedules(app, ctx);

  let closed = false;
  return {
    app,
    async listen(listenOptions = {}) {
      return app.listen({
        port: listenOptions.port ?? 0,
        host: listenOptions.host ?? DEFAULT_LISTEN_HOST,
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(scheduleTimer);
      await webhooks.close();
      for (const release of hangs) release();
      hangs.clear();
      await app.close();
      state.closeStorage();
    },
    apiSecret: credentials.apiSecret,
    storeId: credentials.storeId,
    webhookSecret: credentials.webhookSecret,
    channelKey: credentials.channelKey,
    get channels() {
      return [...state.channels];
    },
    setWebhookEndpoints(next) {
      endpoints = [...(next ?? [])];
    },
    setFaults(rules) {
      faults.set(rules);
    },
    advanceClock,
    flushWebhooks: () => webhooks.flush(),
    setShopUrl(url) {
      shopUrl = checkedShopUrl(url);
    },
  };
}
