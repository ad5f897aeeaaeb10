import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { ServiceConfig } from "../config.js";
import { requestIdFor } from "../ops/logger.js";
import { OneLinePerRequest } from "../ops/request-log.js";

/** The service's two listeners: public (browsers, PortOne) and internal (metrics, admin). */
export interface Listeners {
  readonly public: FastifyInstance;
  readonly internal: FastifyInstance;
}

const PROBE_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/** The only methods any route of the service answers; everything else is a 405, before routing. */
const ALLOWED_METHODS = new Set(["GET", "HEAD", "POST", "OPTIONS"]);
const ALLOW_HEADER = [...ALLOWED_METHODS].join(", ");

export function createListeners(config: ServiceConfig, logger: FastifyBaseLogger): Listeners {
  const listeners = {
    public: Fastify(fastifyOptions(config, logger)),
    internal: Fastify(fastifyOptions(config, logger)),
  };
  for (const app of Object.values(listeners)) {
    refuseOddMethods(app);
    closeConnectionsWhileClosing(app);
  }
  return listeners;
}

/**
 * Every timeout a slow or silent client could otherwise hold a connection open with: the
 * headers and the whole request must arrive in time, an idle socket is closed, and so is an
 * idle keep-alive connection. Node checks the first two every `connectionsCheckingInterval`.
 */
function fastifyOptions(config: ServiceConfig, logger: FastifyBaseLogger) {
  const { http } = config;
  return {
    loggerInstance: logger,
    genReqId: requestIdFor,
    logController: new OneLinePerRequest(
      {
        requestIdLogLabel: "requestId",
        // Probes every few seconds would drown the log lines that matter.
        disableRequestLogging: (request: { url: string }) => PROBE_PATHS.has(request.url),
      },
      logger,
    ),
    bodyLimit: http.bodyLimitBytes,
    trustProxy: config.trustProxy,
    routerOptions: { maxParamLength: http.maxParamLength },
    requestTimeout: http.requestTimeoutMs,
    connectionTimeout: http.connectionTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    http: {
      requestTimeout: http.requestTimeoutMs,
      headersTimeout: http.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(http.headersTimeoutMs / 2)),
    },
  };
}

/**
 * TRACE, PROPFIND and the like reach no route of this service: they get a plain 405 with
 * `Allow` instead of travelling into a catch-all route (tRPC's) and failing there.
 */
function refuseOddMethods(app: FastifyInstance): void {
  app.addHook("onRequest", (request, reply, done) => {
    if (ALLOWED_METHODS.has(request.method)) return done();
    reply
      .code(405)
      .header("allow", ALLOW_HEADER)
      .send({ error: "Method Not Allowed", message: `Use one of ${ALLOW_HEADER}.` });
  });
}

/**
 * Responses finishing during shutdown close their connection, so a keep-alive client does not
 * hold the server open until its idle timeout.
 */
function closeConnectionsWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook("preClose", (done) => {
    closing = true;
    done();
  });
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (closing) reply.header("connection", "close");
    done(null, payload);
  });
}
