import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { ServiceMetrics } from "./metrics.js";

/**
 * Times every request by route pattern. A fastify-plugin (not encapsulated) because it must
 * see the routes of every other plugin; labels use the pattern so paymentIds never become labels.
 */
export const httpMetricsPlugin = fp<{ metrics: ServiceMetrics }>(
  async (app: FastifyInstance, { metrics }) => {
    app.addHook("onResponse", async (request, reply) => {
      metrics.httpRequestDuration.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? "unmatched",
          status_code: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
    });
    app.addHook("onSend", async (request, reply) => {
      reply.header("x-request-id", request.id);
    });
  },
  { name: "http-metrics" },
);
