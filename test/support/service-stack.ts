import { afterAll, beforeAll } from "vitest";
import type { Order } from "../../src/payments/ports.js";
import type { SandboxOptions } from "../../src/sandbox/index.js";
import {
  type CheckoutRequest,
  checkout,
  configFromEnv,
  newOrder,
  type RunningService,
  type ShopBackend,
  serviceEnv,
  signToken,
  startService,
  startShopBackend,
  trpcClient,
} from "../service/support/harness.js";
import type { DatabaseKind, TestDatabase } from "../webhooks/support/test-databases.js";
import { lazyHandle } from "./lazy-handle.js";
import { type RunningSandbox, startSandbox } from "./sandbox.js";

export type ServiceClient = ReturnType<typeof trpcClient>;
type ServiceStartDeps = NonNullable<Parameters<typeof startService>[1]>;

/** Webhook tuning for suites that watch deliveries happen: quick retries, no sweeps. */
export const QUICK_WEBHOOKS_ENV: Readonly<Record<string, string>> = {
  LOG_LEVEL: "warn",
  WEBHOOK_RETRY_BASE_MS: "50",
  WEBHOOK_RETRY_MAX_MS: "500",
  WEBHOOK_POLL_INTERVAL_MS: "50",
  RECONCILE_INTERVAL_MS: "0",
};

export interface ServiceStackOptions {
  /** Set on top of `serviceEnv`'s operator defaults. */
  env?: Record<string, string>;
  /** What the service is built with: its database, its modules, a replaced PortOne port. */
  deps?: ServiceStartDeps;
  /** How the sandbox (standing in for PortOne) is created. */
  sandbox?: SandboxOptions;
  /**
   * Whether a shop backend serves orders to the service (default true). Without one the
   * order source points at a port nothing listens on.
   */
  shop?: boolean;
  /** Point the sandbox's webhooks at the service's /webhooks/portone (default false). */
  webhooksToService?: boolean;
  /**
   * A database of this kind for the service, opened (a fresh SQLite directory or PostgreSQL
   * schema) before it starts and closed after it stopped; by default the service opens its own.
   */
  database?: DatabaseKind;
  /** Runs once everything listens (the database is migrated by then); a failure stops the stack. */
  afterStart?: (stack: ServiceStack) => unknown;
}

/**
 * The whole set-up a service suite faces: the sandbox as PortOne, the shop backend as the
 * HTTP order source, and the service configured the way an operator would, all on real
 * sockets. It owns start and stop: `close()` stops the service first, then what it talks to.
 */
export interface ServiceStack {
  readonly sandbox: RunningSandbox;
  /** The shop backend; with `shop: false` using it throws. */
  readonly shop: ShopBackend;
  readonly running: RunningService;
  /** The database given with `database`; without that option using it throws. */
  readonly database: TestDatabase;
  /** The env the service was configured from, to start another service like it. */
  readonly env: Record<string, string>;
  /** A tRPC client of the service, as `customerId` (a fresh JWT) or anonymous. */
  client(customerId?: string): Promise<ServiceClient>;
  /** A new order of `customerId` that the shop backend now serves. */
  placeOrder(customerId: string | null, overrides?: Partial<Order>): Order;
  /** Runs a checkout in the sandbox for what `payment.prepare` returned. */
  checkout(
    prepared: { storeId: string; channelKey: string },
    request: CheckoutRequest,
  ): ReturnType<typeof checkout>;
  /**
   * Places a new order of `customerId`, prepares it through `customer` (that customer's
   * client) and pays it in the sandbox; what the browser's checkout would leave behind.
   */
  payNewOrder(customer: ServiceClient, customerId: string): Promise<PaidOrder>;
  close(): Promise<void>;
}

export interface PaidOrder {
  readonly order: Order;
  readonly prepared: Prepared;
  readonly result: Awaited<ReturnType<typeof checkout>>;
}
type Prepared = Awaited<ReturnType<ServiceClient["payment"]["prepare"]["mutate"]>>;

function missing<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get() {
      throw new Error(`this stack was started without ${what}`);
    },
  });
}

/**
 * What the service talks to, without the service: the sandbox as PortOne and the shop
 * backend, for suites that run the service as child processes from `env(...)`.
 */
export interface ServiceDependencies {
  readonly sandbox: RunningSandbox;
  readonly shop: ShopBackend;
  /** The env an operator would set to point a service at these two, with `overrides` on top. */
  env(overrides?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export async function startServiceDependencies(): Promise<ServiceDependencies> {
  const sandbox = await startSandbox();
  const shop = await startShopBackend().catch(async (error: unknown) => {
    await sandbox.sandbox.close();
    throw error;
  });
  return {
    sandbox,
    shop,
    env: (overrides) => serviceEnv(sandbox, shop, overrides),
    async close() {
      await shop.app.close();
      await sandbox.sandbox.close();
    },
  };
}

export async function startServiceStack(options: ServiceStackOptions = {}): Promise<ServiceStack> {
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    const sandbox = await startSandbox(options.sandbox);
    closers.push(() => sandbox.sandbox.close());
    const shop = options.shop === false ? undefined : await startShopBackend();
    if (shop) closers.push(() => shop.app.close());
    // Imported here: the module warns about a missing TEST_DATABASE_URL when loaded.
    const database = options.database
      ? await (await import("../webhooks/support/test-databases.js")).openTestDatabase(
          options.database,
        )
      : undefined;
    if (database) closers.unshift(() => database.close());
    const env = serviceEnv(sandbox, shop, options.env);
    const deps = database ? { ...options.deps, database: database.db } : options.deps;
    const running = await startService(configFromEnv(env), deps);
    closers.push(() => running.service.close());
    if (options.webhooksToService)
      sandbox.sandbox.setWebhookEndpoints([{ url: `${running.url}/webhooks/portone` }]);
    const orders = shop ?? missing<ShopBackend>("a shop backend (shop: false)");
    const stack: ServiceStack = {
      sandbox,
      shop: orders,
      running,
      database: database ?? missing<TestDatabase>("a database option"),
      env,
      client: async (customerId) =>
        trpcClient(running.url, customerId === undefined ? undefined : await signToken(customerId)),
      placeOrder(customerId, overrides = {}) {
        const order = newOrder(customerId, overrides);
        orders.orders.set(order.orderId, order);
        return order;
      },
      checkout: (prepared, request) => checkout(sandbox, prepared, request),
      async payNewOrder(customer, customerId) {
        const order = newOrder(customerId);
        orders.orders.set(order.orderId, order);
        const prepared = await customer.payment.prepare.mutate({ orderId: order.orderId });
        const result = await checkout(sandbox, prepared, { ...prepared, outcome: "paid" });
        return { order, prepared, result };
      },
      close: closeAll,
    };
    await options.afterStart?.(stack);
    return stack;
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * A stack for the enclosing describe block (or file): started in `beforeAll`, closed in
 * `afterAll`. `options` may be a function, called in `beforeAll`, for settings that depend
 * on something the suite starts first (a database, a subscriber). The returned handle reads
 * the started stack, so use it inside hooks and tests only.
 */
export function useServiceStack(
  options: ServiceStackOptions | (() => Promise<ServiceStackOptions | undefined>) = {},
): ServiceStack {
  let started: ServiceStack | undefined;
  beforeAll(async () => {
    // A function may answer undefined: the suite's tests are skipped here, start nothing.
    const settings = typeof options === "function" ? await options() : options;
    if (settings) started = await startServiceStack(settings);
  });
  afterAll(async () => {
    await started?.close();
  });
  const current = (): ServiceStack => {
    if (!started) throw new Error("the service stack is used outside its suite's hooks and tests");
    return started;
  };
  return lazyHandle(current);
}
