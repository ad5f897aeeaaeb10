import { type JwtAuthConfig, loadAuthConfig } from "./auth.js";
import {
  type HttpConfig,
  type InternalListenerConfig,
  type ListenerConfig,
  loadHttpConfig,
  loadInternalListenerConfig,
  loadListenerConfig,
} from "./http.js";
import { loadOrderSourceConfig, type OrderSourceConfig } from "./order-source.js";
import { loadPaymentsConfig, type PaymentsConfig } from "./payments.js";
import { loadModeConfig, type ModeConfig, type PortOneConfig } from "./portone.js";
import { loadStoreConfig, type StoreConfig } from "./store.js";
import { ConfigError, type Env, type Section } from "./variables.js";
import { loadWebhooksConfig, type WebhooksConfig } from "./webhooks.js";

/**
 * The service's configuration, read once from the environment at start-up, one loader per
 * section. `loadConfig` either returns a complete, typed config or throws a `ConfigError`
 * listing every problem of every section on its own line.
 */

export type { JwtAuthConfig } from "./auth.js";
export type { HttpConfig, InternalListenerConfig, ListenerConfig, LogLevel } from "./http.js";
export type { OrderSourceConfig } from "./order-source.js";
export type { PaymentsConfig } from "./payments.js";
export {
  type ChannelType,
  LIVE_VARIABLES,
  type ModeConfig,
  type PortOneConfig,
  type PortOneTuning,
  STANDALONE_SANDBOX_VARIABLES,
  type StandaloneSandbox,
  standaloneSandboxPortOne,
} from "./portone.js";
export { loadStoreConfig, type StoreConfig } from "./store.js";
export { ConfigError, type Env } from "./variables.js";
export type { WebhookSubscriberConfig, WebhooksConfig } from "./webhooks.js";

/** Everything but the PortOne side, which depends on the mode. */
export interface CommonConfig extends ListenerConfig {
  readonly internal: InternalListenerConfig;
  readonly orderSource?: OrderSourceConfig;
  /** Absent only in sandbox mode. */
  readonly auth?: JwtAuthConfig;
  readonly http: HttpConfig;
  readonly store: StoreConfig;
  readonly webhooks: WebhooksConfig;
  readonly payments: PaymentsConfig;
}

/** What the environment says, before the embedded sandbox (in sandbox mode) is started. */
export type EnvConfig = CommonConfig & ModeConfig;

/** Everything the service needs once the PortOne side is known (real API or embedded sandbox). */
export interface ServiceConfig extends CommonConfig {
  /**
   * True when the service runs against its own embedded sandbox: anonymous callers are
   * allowed, the demo order catalog is used and events are marked as test events. Never true
   * against the real API.
   */
  readonly sandboxMode: boolean;
  readonly portone: PortOneConfig;
}

/** Parses the environment. Throws `ConfigError` with one line per problem. */
export function loadConfig(env: Env = process.env): EnvConfig {
  const sections = {
    listener: loadListenerConfig(env),
    internal: loadInternalListenerConfig(env),
    mode: loadModeConfig(env),
    orderSource: loadOrderSourceConfig(env),
    auth: loadAuthConfig(env),
    http: loadHttpConfig(env),
    store: loadStoreConfig(env),
    webhooks: loadWebhooksConfig(env),
    payments: loadPaymentsConfig(env),
  };
  const problems = Object.values(sections).flatMap((section: Section<unknown>) => section.problems);
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  const value = <T>(section: Section<T>) => section.value as T;
  const orderSource = value(sections.orderSource);
  const auth = value(sections.auth);
  return {
    ...value(sections.listener),
    internal: value(sections.internal),
    ...value(sections.mode),
    ...(orderSource ? { orderSource } : {}),
    ...(auth ? { auth } : {}),
    http: value(sections.http),
    store: value(sections.store),
    webhooks: value(sections.webhooks),
    payments: value(sections.payments),
  };
}

/** The config of a service talking to a known PortOne endpoint (real API or a sandbox). */
export function withPortOne(config: EnvConfig, portone: PortOneConfig): ServiceConfig {
  const { mode, portone: _unresolved, ...rest } = config;
  const common: CommonConfig & { sandbox?: unknown } = rest;
  const { sandbox: _sandbox, ...withoutSandbox } = common;
  return { ...withoutSandbox, sandboxMode: mode === "sandbox", portone };
}
