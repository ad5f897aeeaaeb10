import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { ServiceMetrics } from "./metrics.js";

/**
 * Times every request by route pattern. A fastify-plugin (not encapsulated) because it must
 * see the routes of every other plugin; labels use the pattern so paymentIds never become labels.
 */
export const httpMetricsPlugin = fp<{ metrics: ServiceMetrics }>(
  async (app: FastifyInstance, { metrics }) => {
    // Callback-style hooks: they run on every request, and need no promise of their own.
    app.addHook("onRequest", (request, reply, done) => {
      reply.header("x-request-id", request.id);
      done();
    });
    app.addHook("onResponse", (request, reply, done) => {
      metrics.httpRequestDuration.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? "unmatched",
          status_code: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
      done();
    });
  },
  { name: "http-metrics" },
);
