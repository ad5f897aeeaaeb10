import type { FastifyInstance } from "fastify";
import type { ServiceMetrics } from "./metrics.js";

/** A dependency /readyz checks; resolves when usable, rejects (or returns false) when not. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<boolean>;
}

export interface ProbesPluginOptions {
  readonly readiness: readonly ReadinessCheck[];
  /** Each check gets this long; one that takes longer (a partitioned database) is failing. */
  readonly timeoutMs: number;
}

type CheckState = "ok" | "failing" | "timeout";

/**
 * /healthz: the process answers (liveness; never touches dependencies, so an outage upstream
 * does not get the container restarted). /readyz: every dependency answers, within a bound.
 */
export async function probesPlugin(
  app: FastifyInstance,
  options: ProbesPluginOptions,
): Promise<void> {
  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (_request, reply) => {
    const results = await Promise.all(
      options.readiness.map(
        async ({ name, check }) => [name, await boundedCheck(check, options.timeoutMs)] as const,
      ),
    );
    const checks = Object.fromEntries(results);
    const ready = results.every(([, state]) => state === "ok");
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready", checks });
  });
}

async function boundedCheck(check: () => Promise<boolean>, timeoutMs: number): Promise<CheckState> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<CheckState>((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const outcome = check().then(
    (ok): CheckState => (ok ? "ok" : "failing"),
    (): CheckState => "failing",
  );
  try {
    return await Promise.race([outcome, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** /metrics in Prometheus' text format; mounted on the internal listener only. */
export async function metricsPlugin(
  app: FastifyInstance,
  options: { readonly metrics: ServiceMetrics },
): Promise<void> {
  app.get("/metrics", async (_request, reply) => {
    reply.header("content-type", options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
}
