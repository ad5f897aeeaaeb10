import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import helmet, { type HelmetOptions } from "helmet";

/**
 * Helmet's security headers on every response. Helmet itself, not @fastify/helmet: the Fastify
 * wrapper rebuilds the helmet middleware from its options on every request (and runs two hooks,
 * one of them async, for per-route options and CSP nonces this service does not use). Here the
 * middleware, with its parsed CSP, is built once and applied by one callback hook.
 */
export const securityHeadersPlugin = fp<{ helmet: HelmetOptions }>(
  async (app: FastifyInstance, options) => {
    const applyHeaders = helmet(options.helmet);
    app.addHook("onRequest", (request, reply, done) => {
      applyHeaders(request.raw, reply.raw, (error?: unknown) =>
        error === undefined ? done() : done(error as Error),
      );
    });
  },
  { name: "security-headers" },
);
