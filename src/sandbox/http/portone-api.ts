import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type OperationRoute, operationRoutes } from "../generated/operations.js";
import { invalidRequest, PortOneApiError } from "./api-error.js";
import type { Authenticator } from "./auth.js";
import type { FaultInjector, RequestFault } from "./faults.js";
import type { IdempotencyKeys } from "./idempotency.js";
import { Input } from "./input.js";
import { retiredOperations } from "./retired-operations.js";

export interface ApiCall {
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** The JSON body, or for GET/DELETE the `requestBody` query parameter. */
  body: Input;
  request: FastifyRequest;
  /** For the rare answer that is not JSON (a CSV sheet sets its own content type). */
  reply: FastifyReply;
}

export type ApiHandler = (call: ApiCall) => unknown;

/** Stateful implementations by operationId; every other operation answers a typed error. */
export type ApiHandlers = Readonly<Record<string, ApiHandler>>;

export interface PortOneApiOptions {
  handlers: ApiHandlers;
  auth: Authenticator;
  idempotency: IdempotencyKeys;
  faults: FaultInjector;
  /** Pending "hang after" responses, released (into closed sockets) on shutdown. */
  hangs: Set<() => void>;
}

interface RequestState {
  operation: OperationRoute;
  faults: RequestFault[];
  body?: Input;
  idempotency?: { key: string; fingerprint: string };
}

const defaultErrorType: Record<number, string> = {
  400: "INVALID_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  429: "TOO_MANY_REQUESTS",
  500: "INTERNAL_SERVER_ERROR",
  502: "BAD_GATEWAY",
  503: "SERVICE_UNAVAILABLE",
  504: "GATEWAY_TIMEOUT",
};

function gatewayPage(status: number): string {
  const title =
    status === 504
      ? "504 Gateway Time-out"
      : status === 503
        ? "503 Service Temporarily Unavailable"
        : "502 Bad Gateway";
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

/** The error an operation the sandbox does not emulate answers: one of its own error types. */
function unsupportedError(operation: OperationRoute): PortOneApiError {
  const type =
    ["FORBIDDEN", "INVALID_REQUEST"].find((t) => operation.errorTypes.includes(t)) ??
    operation.errorTypes[0] ??
    "INVALID_REQUEST";
  return new PortOneApiError(
    type,
    `The PortOne sandbox does not emulate ${operation.operationId} (${operation.method} ${operation.path}); run it against PortOne's test mode instead.`,
  );
}

function parseBody(request: FastifyRequest): Input {
  const method = request.method;
  if (method === "GET" || method === "DELETE") {
    const text = (request.query as Record<string, unknown>).requestBody;
    if (typeof text === "string") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw invalidRequest("The requestBody query parameter is not valid JSON.");
      }
      return Input.of(parsed);
    }
  }
  return Input.of(request.body);
}

/**
 * Registers all of PortOne's operations: auth, `requestBody` on GET, Idempotency-Key, and fault
 * injection around the stateful handlers.
 */
export async function portOneApi(app: FastifyInstance, options: PortOneApiOptions): Promise<void> {
  const requests = new WeakMap<FastifyRequest, RequestState>();
  const stateOf = (request: FastifyRequest) => requests.get(request) as RequestState;

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    const operation = (request.routeOptions.config as { operation?: OperationRoute }).operation;
    if (!operation) return;
    const faults = options.faults.forRequest(
      operation.operationId,
      `${operation.method} ${operation.path}`,
    );
    requests.set(request, { operation, faults });
    for (const fault of faults) {
      const before = !("phase" in fault) || fault.phase !== "after";
      if (fault.kind === "error") {
        const type = fault.type ?? defaultErrorType[fault.status] ?? "INTERNAL_SERVER_ERROR";
        return reply
          .code(fault.status)
          .send({ type, message: fault.message ?? `Injected ${fault.status} fault.` });
      }
      if (fault.kind === "html-502") {
        const status = fault.status ?? 502;
        return reply.code(status).type("text/html").send(gatewayPage(status));
      }
      if (fault.kind === "reset" && before) {
        reply.hijack();
        request.raw.socket.destroy();
        return reply;
      }
      if (fault.kind === "hang" && before) {
        reply.hijack();
        return reply;
      }
    }
  });

  app.addHook("preHandler", async (request: FastifyRequest, reply: FastifyReply) => {
    const state = stateOf(request);
    if (state.operation.requiresAuth) options.auth.check(request.headers.authorization);
    const body = parseBody(request);
    state.body = body;
    const header = request.headers["idempotency-key"];
    const decision = options.idempotency.begin(
      request.method,
      Array.isArray(header) ? header[0] : header,
      `${request.method} ${request.url}\n${JSON.stringify(body.toJSON())}`,
    );
    if (decision.kind === "replay") {
      const { record } = decision;
      return reply
        .code(record.statusCode)
        .type(record.contentType)
        .header("idempotent-replayed", "true")
        .send(record.body);
    }
    if (decision.kind === "fresh")
      state.idempotency = { key: decision.key, fingerprint: decision.fingerprint };
    // Latency counts as processing time, so it holds the Idempotency-Key like a slow PG would.
    for (const fault of state.faults) {
      if (fault.kind === "latency") await new Promise((resolve) => setTimeout(resolve, fault.ms));
    }
  });

  app.addHook("onSend", async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const state = requests.get(request);
    if (!state) return payload;
    if (state.idempotency) {
      options.idempotency.complete(state.idempotency, {
        statusCode: reply.statusCode,
        body: typeof payload === "string" ? payload : JSON.stringify(payload ?? null),
        contentType: String(reply.getHeader("content-type") ?? "application/json; charset=utf-8"),
      });
      delete state.idempotency;
    }
    for (const fault of state.faults) {
      if (!("phase" in fault) || fault.phase !== "after") continue;
      if (fault.kind === "reset") request.raw.socket.destroy();
      if (fault.kind === "hang") await new Promise<void>((resolve) => options.hangs.add(resolve));
    }
    return payload;
  });

  // A client that goes away does not stop the request (as on PortOne): the key stays outstanding
  // until the response is stored, so a retry learns the outcome instead of running it twice.
  app.addHook("onResponse", async (request: FastifyRequest) => {
    const state = requests.get(request);
    if (state?.idempotency) options.idempotency.abandon(state.idempotency.key);
  });

  for (const operation of retiredOperations) {
    app.route({
      method: operation.method,
      url: operation.path,
      config: { operation },
      handler: async () => {
        throw new PortOneApiError(
          "FORBIDDEN",
          `${operation.operationId} (${operation.method} ${operation.path}) is no longer part of PortOne's API; the sandbox follows PortOne's current schema, which has no replacement.`,
        );
      },
    });
  }

  for (const operation of operationRoutes) {
    const handler = options.handlers[operation.operationId];
    app.route({
      method: operation.method,
      url: operation.path,
      config: { operation },
      handler: async (request, reply) => {
        if (!handler) throw unsupportedError(operation);
        return handler({
          params: request.params as Record<string, string>,
          query: request.query as Record<string, string | undefined>,
          body: requests.get(request)?.body ?? parseBody(request),
          request,
          reply,
        });
      },
    });
  }
}
