import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import Fastify, { type FastifyInstance } from "fastify";
import { SignJWT } from "jose";
import { loadConfig, type ServiceConfig, withPortOne } from "../../../src/config.js";
import type { Order, PaymentEventSink, PaymentStatusChanged } from "../../../src/payments/ports.js";
import type { AppRouter } from "../../../src/router/index.js";
import { buildServer, type Service, type ServiceDeps } from "../../../src/server.js";
import type { RunningSandbox } from "../../support/sandbox.js";

export { type RunningSandbox, startSandbox } from "../../support/sandbox.js";

export const JWT_SECRET = "test-only-hs256-secret-0123456789-abcdefghij";
export const JWT_ISSUER = "https://shop.test/auth";
export const JWT_AUDIENCE = "portone-bff";
export const SHOP_TOKEN = "shop-backend-token-for-tests";

/** A stand-in for the shop backend: the HTTP order source talks to it over a real socket. */
export interface ShopBackend {
  readonly url: string;
  readonly orders: Map<string, Order>;
  readonly app: FastifyInstance;
}

export async function startShopBackend(): Promise<ShopBackend> {
  const orders = new Map<string, Order>();
  const app = Fastify();
  app.get<{ Params: { orderId: string } }>("/orders/:orderId", async (request, reply) => {
    if (request.headers.authorization !== `Bearer ${SHOP_TOKEN}`)
      return reply.code(401).send({ error: "unauthorized" });
    const order = orders.get(request.params.orderId);
    return order ? order : reply.code(404).send({ error: "not found" });
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { url: `${url}/orders`, orders, app };
}

/** The env an operator would set to point the service at a PortOne (here: the sandbox). */
export function serviceEnv(
  running: RunningSandbox,
  shop: ShopBackend | undefined,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    HOST: "127.0.0.1",
    PORT: "0",
    INTERNAL_PORT: "0",
    LOG_LEVEL: "info",
    PORTONE_API_SECRET: running.sandbox.apiSecret,
    PORTONE_BASE_URL: running.url,
    PORTONE_STORE_ID: running.sandbox.storeId,
    PORTONE_CHANNEL_KEY: running.sandbox.channelKey,
    PORTONE_CHANNEL_TYPE: "TEST",
    PORTONE_WEBHOOK_SECRET: running.sandbox.webhookSecret,
    PORTONE_TIMEOUT_MS: "1500",
    PORTONE_MAX_RETRIES: "1",
    ORDER_SOURCE_URL: shop?.url ?? "http://127.0.0.1:9/orders",
    ORDER_SOURCE_TOKEN: SHOP_TOKEN,
    AUTH_JWT_SECRET: JWT_SECRET,
    AUTH_JWT_ISSUER: JWT_ISSUER,
    AUTH_JWT_AUDIENCE: JWT_AUDIENCE,
    RATE_LIMIT_MAX: "10000",
    DATA_DIR: "unused-with-injected-database",
    ...overrides,
  };
}

export function configFromEnv(env: Record<string, string>): ServiceConfig {
  const loaded = loadConfig(env);
  if (loaded.mode !== "live") throw new Error("test env must configure PortOne");
  return withPortOne(loaded, loaded.portone);
}

/** Every log line the service wrote, for leak checks. */
export class CapturedLogs {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  text(): string {
    return this.lines.join("");
  }
}

export class CapturedEvents implements PaymentEventSink {
  readonly events: PaymentStatusChanged[] = [];
  async publish(event: PaymentStatusChanged): Promise<void> {
    this.events.push(event);
  }
  for(paymentId: string): PaymentStatusChanged[] {
    return this.events.filter((event) => event.paymentId === paymentId);
  }
}

export interface RunningService {
  readonly service: Service;
  readonly url: string;
  /** The internal listener: /metrics and the webhook admin routes. */
  readonly internalUrl: string;
  readonly logs: CapturedLogs;
  readonly events: CapturedEvents;
}

export async function startService(
  config: ServiceConfig,
  deps: Omit<ServiceDeps, "logStream" | "eventSinks"> = {},
): Promise<RunningService> {
  const logs = new CapturedLogs();
  const events = new CapturedEvents();
  const dataDir = mkdtempSync(join(tmpdir(), "bff-service-"));
  const service = await buildServer(
    {
      ...config,
      // Tests use ephemeral ports, whatever the config says.
      internal: { host: "127.0.0.1", port: 0 },
      store: config.store.databaseUrl ? config.store : { ...config.store, dataDir },
    },
    { ...deps, logStream: logs, eventSinks: [events] },
  );
  const url = await service.listen();
  return { service, url, internalUrl: service.internalUrl as string, logs, events };
}

export async function signToken(
  customerId: string,
  options: {
    expiresIn?: string | number;
    secret?: string;
    issuer?: string;
    audience?: string;
  } = {},
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(customerId)
    .setIssuer(options.issuer ?? JWT_ISSUER)
    .setAudience(options.audience ?? JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "10m")
    .sign(new TextEncoder().encode(options.secret ?? JWT_SECRET));
}

export function trpcClient(serviceUrl: string, token?: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${serviceUrl}/trpc`,
        headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
      }),
    ],
  });
}

/** The tRPC error code a call failed with (e.g. "NOT_FOUND"), or throws if it did not fail. */
export async function trpcErrorOf(
  call: Promise<unknown>,
): Promise<{ code: string; message: string; httpStatus: number | undefined }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) {
      const data = error.data as { code?: string; httpStatus?: number } | undefined;
      return {
        code: data?.code ?? "UNKNOWN",
        message: error.message,
        httpStatus: data?.httpStatus,
      };
    }
    throw error;
  }
  throw new Error("expected the call to fail");
}

export interface CheckoutRequest {
  paymentId: string;
  orderName: string;
  totalAmount: number;
  currency: string;
  outcome: "paid" | "failed" | "virtual-account-issued" | "pay-pending" | "awaiting-confirm";
  paidAmount?: number;
  payMethod?: string;
}

/** What the browser SDK would do: run the checkout in the sandbox. */
export async function checkout(
  running: Pick<RunningSandbox, "url">,
  prepared: { storeId: string; channelKey: string },
  request: CheckoutRequest,
): Promise<{ paymentId: string; txId: string; paymentToken?: string; code?: string }> {
  const response = await fetch(`${running.url}/sandbox/checkout`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      storeId: prepared.storeId,
      channelKey: prepared.channelKey,
      ...request,
    }),
  });
  return (await response.json()) as { paymentId: string; txId: string; paymentToken?: string };
}

export async function setFaults(running: RunningSandbox, rules: unknown[]): Promise<void> {
  const response = await fetch(`${running.url}/sandbox/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rules }),
  });
  if (!response.ok)
    throw new Error(`setting faults failed: ${response.status} ${await response.text()}`);
}

let orderSequence = 0;
export function newOrder(customerId: string | null, overrides: Partial<Order> = {}): Order {
  orderSequence += 1;
  return {
    orderId: `order-${process.pid}-${Date.now()}-${orderSequence}`,
    customerId,
    orderName: "Organic cotton T-shirt",
    totalAmount: 25_000,
    currency: "KRW",
    ...overrides,
  };
}
