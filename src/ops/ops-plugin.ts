import type { FastifyInstance } from "fastify";
import type { ServiceMetrics } from "./metrics.js";

/** A dependency /readyz checks; resolves when usable, rejects (or returns false) when not. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<boolean>;
}

export interface OpsPluginOptions {
  readonly metrics: ServiceMetrics;
  readonly readiness: readonly ReadinessCheck[];
}

/**
 * /healthz: the process answers (liveness; never touches dependencies, so an outage upstream
 * does not get the container restarted). /readyz: every dependency answers. /metrics: Prometheus.
 */
export async function opsPlugin(app: FastifyInstance, options: OpsPluginOptions): Promise<void> {
  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (_request, reply) => {
    const results = await Promise.all(
      options.readiness.map(async ({ name, check }) => {
        try {
          return [name, (await check()) ? "ok" : "failing"] as const;
        } catch {
          return [name, "failing"] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    const ready = results.every(([, state]) => state === "ok");
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready", checks });
  });

  app.get("/metrics", async (_request, reply) => {
    reply.header("content-type", options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
}
