import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import { fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AuthenticateCaller } from "../auth/authenticate-caller.js";
import type { HttpConfig } from "../config.js";
import type { Caller } from "../payments/access.js";
import type { PaymentProcedures, RequestContext } from "./context.js";
import { isBatchRequest, sendTRPCShapedError } from "./http-error-response.js";
import { appRouter } from "./index.js";
import { trpcRoute } from "./trpc-route.js";

export interface TrpcPluginOptions {
  readonly http: HttpConfig;
  readonly authenticate: AuthenticateCaller;
  readonly procedures: PaymentProcedures;
  /**
   * How tRPC's protocol is served inside the guards: "lean" (default) is `trpcRoute`, "stock"
   * is @trpc/server's Fastify adapter, kept so that tests can hold the two answers side by side.
   */
  readonly transport?: "lean" | "stock";
}

const RATE_LIMITED = "Too many requests; slow down and retry shortly.";
/** What a client should wait before retrying a call that met a dependency outage. */
const RETRY_AFTER_UNAVAILABLE_SECONDS = "5";

/**
 * The tRPC scope at /trpc, in the order a request meets it: CORS, the batch size limit, the
 * rate limit (one unit per call, so a batch costs what its calls cost), then tRPC itself.
 * Errors raised before tRPC are shaped like tRPC's own, so the client surfaces them per call.
 */
export async function trpcPlugin(
  scope: FastifyInstance,
  options: TrpcPluginOptions,
): Promise<void> {
  const { http } = options;
  const callerOf = callerPerRequest(options.authenticate);
  await scope.register(cors, {
    origin: http.corsOrigins.length > 0 ? [...http.corsOrigins] : false,
    methods: ["GET", "POST"],
    allowedHeaders: ["authorization", "content-type", "trpc-accept", "x-request-id"],
    maxAge: 600,
  });
  scope.setErrorHandler(beforeTrpcErrorHandler);
  await scope.register(rateLimit, { global: false });
  const spendOneCall = scope.createRateLimit({
    max: http.rateLimitMax,
    timeWindow: http.rateLimitWindowMs,
    keyGenerator: async (request) => {
      try {
        const caller = await callerOf(request);
        if (caller.customerId !== null) return `customer:${caller.customerId}`;
      } catch {
        // Bad credentials are limited by address, so forged tokens cannot dodge the limit.
      }
      return `ip:${request.ip}`;
    },
  });

  scope.addHook("onRequest", async (request, reply) => {
    if (request.method === "OPTIONS") return;
    const calls = callsIn(request);
    if (calls > http.maxBatchSize)
      return sendTRPCShapedError(
        request,
        reply,
        400,
        "BAD_REQUEST",
        `A batch may hold at most ${http.maxBatchSize} calls; this one has ${calls}. Send fewer at once (httpBatchLink's maxItems).`,
      );
    let verdict = await spendOneCall(request);
    for (let spent = 1; spent < calls && !verdict.isAllowed && !verdict.isExceeded; spent++)
      verdict = await spendOneCall(request);
    if (verdict.isAllowed) return;
    reply.header("x-ratelimit-limit", verdict.max);
    reply.header("x-ratelimit-remaining", verdict.remaining);
    if (!verdict.isExceeded) return;
    reply.header("retry-after", verdict.ttlInSeconds);
    return sendTRPCShapedError(request, reply, 429, "TOO_MANY_REQUESTS", RATE_LIMITED);
  });

  await scope.register(options.transport === "stock" ? fastifyTRPCPlugin : trpcRoute, {
    prefix: "/trpc",
    trpcOptions: {
      router: appRouter,
      // Checked above with a clearer answer; tRPC's own check stays as a second line.
      maxBatchSize: http.maxBatchSize,
      createContext: ({ req }: { req: FastifyRequest }): RequestContext => ({
        requestId: req.id,
        log: req.log,
        payments: options.procedures,
        authenticate: () => callerOf(req),
      }),
      responseMeta: ({ errors }: { errors: readonly { code: string }[] }) =>
        errors.some((error) => error.code === "SERVICE_UNAVAILABLE")
          ? { headers: { "retry-after": RETRY_AFTER_UNAVAILABLE_SECONDS } }
          : {},
    },
  });
}

/** The calls a tRPC request carries: one, or one per procedure name of a batch. */
function callsIn(request: FastifyRequest): number {
  if (!isBatchRequest(request)) return 1;
  const path = (request.params as { path?: string } | undefined)?.path ?? "";
  return path.split(",").length;
}

/**
 * A batch of calls shares one HTTP request: its token is verified once, for the rate limiter
 * and for every procedure in the batch.
 */
function callerPerRequest(authenticate: AuthenticateCaller) {
  const callers = new WeakMap<FastifyRequest, Promise<Caller>>();
  return (request: FastifyRequest): Promise<Caller> => {
    let caller = callers.get(request);
    if (!caller) {
      caller = authenticate(request.headers.authorization);
      caller.catch(() => {});
      callers.set(request, caller);
    }
    return caller;
  };
}

/** Answers for what Fastify rejects before tRPC runs (oversized or malformed bodies). */
function beforeTrpcErrorHandler(
  error: { statusCode?: number },
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error.statusCode === 413)
    return sendTRPCShapedError(request, reply, 413, "PAYLOAD_TOO_LARGE", "Request body too large.");
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)
    return sendTRPCShapedError(
      request,
      reply,
      error.statusCode,
      "BAD_REQUEST",
      "Malformed request.",
    );
  request.log.error({ err: error }, "request failed before reaching tRPC");
  return sendTRPCShapedError(request, reply, 500, "INTERNAL_SERVER_ERROR", "Internal error.");
}
