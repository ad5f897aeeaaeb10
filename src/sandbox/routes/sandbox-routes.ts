import type { FastifyInstance } from "fastify";
import { readChannel, selectedChannel, upsertChannel } from "../domain/channels.js";
import { depositVirtualAccount, settlePendingPayment, startCheckout } from "../domain/checkout.js";
import type { DomainContext } from "../domain/context.js";
import { PortOneApiError } from "../http/api-error.js";
import { type FaultInjector, parseFaultRules } from "../http/faults.js";
import { Input } from "../http/input.js";
import type { CatalogueEntry } from "../http/operation-catalogue.js";
import type { WebhookEndpoint } from "../options.js";
import type { SandboxWebhookSender } from "../webhooks/webhook-sender.js";
import { checkoutPage } from "./checkout-page.js";

export interface SandboxRoutesOptions {
  ctx: DomainContext;
  webhooks: SandboxWebhookSender;
  faults: FaultInjector;
  getEndpoints(): WebhookEndpoint[];
  setEndpoints(endpoints: WebhookEndpoint[]): void;
  advanceClock(ms: number): Promise<void>;
  /** Where the shop lives, when the sandbox runs inside the service. */
  shopUrl(): string | undefined;
  /** Every PortOne operation and whether the sandbox emulates it. */
  operations(): CatalogueEntry[];
}

/** Browser SDK failure codes for the errors a checkout can run into. */
const browserCodeByType: Record<string, string> = {
  FORBIDDEN: "StoreNotFound",
  CHANNEL_NOT_FOUND: "ChannelNotFound",
  ALREADY_PAID: "InvalidEntityState",
  INVALID_REQUEST: "BadRequest",
};

export function parseWebhookEndpoints(value: unknown): WebhookEndpoint[] {
  if (!Array.isArray(value)) {
    throw new PortOneApiError(
      "INVALID_REQUEST",
      "endpoints must be an array of { url, version? }.",
    );
  }
  return value.map((entry, index) => {
    const input = Input.of(entry, `endpoints[${index}]`);
    const url = input.string("url");
    try {
      new URL(url);
    } catch {
      throw new PortOneApiError(
        "INVALID_REQUEST",
        `endpoints[${index}].url is not an absolute URL.`,
      );
    }
    const version = input.oneOf("version", ["2024-04-25", "2024-01-01"] as const);
    return version ? { url, version } : { url };
  });
}

/** Sandbox-only routes under /sandbox: checkout simulation and test controls. No PortOne auth. */
export async function sandboxRoutes(app: FastifyInstance, options: SandboxRoutesOptions) {
  const { ctx, webhooks, faults } = options;

  // A shop's frontend on another origin plays the browser SDK against these routes.
  app.addHook("onRequest", async (request, reply) => {
    reply.header("access-control-allow-origin", request.headers.origin ?? "*");
    reply.header("vary", "origin");
  });
  app.options("/sandbox/*", async (_request, reply) =>
    reply
      .header("access-control-allow-methods", "GET, POST, OPTIONS")
      .header("access-control-allow-headers", "content-type")
      .header("access-control-max-age", "600")
      .code(204)
      .send(),
  );

  app.get("/sandbox/checkout", async (_request, reply) =>
    reply.type("text/html; charset=utf-8").send(
      checkoutPage({
        storeId: ctx.state.credentials.storeId,
        channelKey: ctx.state.credentials.channelKey,
        shopUrl: options.shopUrl(),
      }),
    ),
  );

  app.post("/sandbox/checkout", async (request, reply) => {
    const input = Input.of(request.body);
    try {
      return startCheckout(ctx, input);
    } catch (error) {
      if (!(error instanceof PortOneApiError)) throw error;
      return reply.code(error.status).send({
        transactionType: "PAYMENT",
        paymentId: input.raw("paymentId"),
        code: browserCodeByType[error.type] ?? error.type,
        message: error.message,
      });
    }
  });

  app.post<{ Params: { paymentId: string } }>(
    "/sandbox/payments/:paymentId/deposit",
    async (request) => {
      const amount = Input.of(request.body).optionalInteger("amount");
      const tx = depositVirtualAccount(ctx, request.params.paymentId, amount);
      return { paymentId: tx.paymentId, txId: tx.id, status: tx.status };
    },
  );

  app.post<{ Params: { paymentId: string } }>(
    "/sandbox/payments/:paymentId/settle",
    async (request) => {
      const outcome =
        Input.of(request.body).oneOf("outcome", ["paid", "failed"] as const) ?? "paid";
      const tx = settlePendingPayment(ctx, request.params.paymentId, outcome === "paid");
      return { paymentId: tx.paymentId, txId: tx.id, status: tx.status };
    },
  );

  // Channels as PortOne would show them, plus how each simulated PG behaves.
  app.get("/sandbox/channels", async () => ({ channels: ctx.state.channels }));
  app.post("/sandbox/channels", async (request) => {
    const channel = readChannel(request.body);
    upsertChannel(ctx.state, channel);
    return { channel, selectedChannel: selectedChannel(channel) };
  });

  app.get("/sandbox/operations", async () => ({ operations: options.operations() }));

  app.get("/sandbox/faults", async () => ({ rules: faults.list() }));
  app.post("/sandbox/faults", async (request) => {
    const rules = parseFaultRules(Input.of(request.body).raw("rules"));
    faults.set(rules);
    return { rules: faults.list() };
  });

  app.get("/sandbox/webhook-endpoints", async () => ({ endpoints: options.getEndpoints() }));
  app.post("/sandbox/webhook-endpoints", async (request) => {
    const endpoints = parseWebhookEndpoints(Input.of(request.body).raw("endpoints"));
    options.setEndpoints(endpoints);
    return { endpoints };
  });

  app.get("/sandbox/webhooks", async () => ({
    deliveries: webhooks.log,
    pendingRetries: webhooks.pendingRetries,
  }));
  app.post("/sandbox/webhooks/flush", async () => {
    await webhooks.flush();
    return { deliveries: webhooks.log.length, pendingRetries: webhooks.pendingRetries };
  });

  app.post("/sandbox/clock/advance", async (request) => {
    const ms = Input.of(request.body).integer("ms");
    await options.advanceClock(ms);
    return { now: new Date(ctx.clock.now()).toISOString() };
  });
}
