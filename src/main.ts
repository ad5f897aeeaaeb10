import { join } from "node:path";
import type { DestinationStream } from "pino";
import {
  ConfigError,
  type EnvConfig,
  loadConfig,
  type PortOneConfig,
  withPortOne,
} from "./config.js";
import { isEntryPoint } from "./is-entry-point.js";
import { createSandbox, type Sandbox } from "./sandbox/index.js";
import { buildServer, type Service } from "./server.js";
import { webhooksModule } from "./webhooks/module.js";

export interface RunningService {
  readonly service: Service;
  /** The embedded sandbox, in sandbox mode. */
  readonly sandbox: Sandbox | undefined;
  readonly url: string;
  /** Graceful stop: no new connections, in-flight requests finish, stores close. */
  shutdown(): Promise<void>;
}

type SandboxEnvConfig = Extract<EnvConfig, { mode: "sandbox" }>;

/**
 * Starts the service from the environment. In sandbox mode (no live setting at all, or
 * PORTONE_MODE=sandbox) it first starts the embedded sandbox on loopback (demo order catalog,
 * anonymous callers allowed) and points the sandbox's webhooks at the service's own
 * /webhooks/portone. A doubtful environment never gets this far: `loadConfig` refuses it.
 */
export async function startFromEnv(
  env: Record<string, string | undefined> = process.env,
  options: { readonly logStream?: DestinationStream } = {},
): Promise<RunningService> {
  const config = loadConfig(env);
  const embedded = config.mode === "sandbox" ? await startEmbeddedSandbox(config) : undefined;
  const portone = config.mode === "live" ? config.portone : embedded?.portone;
  if (!portone) throw new Error("unreachable: sandbox mode always starts its sandbox");
  let service: Service;
  try {
    service = await buildServer(withPortOne(config, portone), {
      modules: [webhooksModule()],
      ...(options.logStream ? { logStream: options.logStream } : {}),
    });
  } catch (error) {
    await embedded?.sandbox.close();
    throw error;
  }
  const url = reachableUrl(
    await service.listen().catch(async (error: unknown) => {
      await service.close();
      await embedded?.sandbox.close();
      throw error;
    }),
  );
  embedded?.sandbox.setWebhookEndpoints([{ url: `${url}/webhooks/portone` }]);
  // The sandbox's developer form links to the demo shop this service serves at `/`.
  embedded?.sandbox.setShopUrl(`${url}/`);
  announce(service, url, embedded);
  let stopping: Promise<void> | undefined;
  return {
    service,
    sandbox: embedded?.sandbox,
    url,
    shutdown() {
      stopping ??= (async () => {
        await service.close();
        await embedded?.sandbox.close();
      })();
      return stopping;
    },
  };
}

async function startEmbeddedSandbox(
  config: SandboxEnvConfig,
): Promise<{ sandbox: Sandbox; portone: PortOneConfig }> {
  const sandbox = await createSandbox({
    persistPath: join(config.store.dataDir, "sandbox-state.json"),
  });
  const listenUrl = await sandbox.listen(config.sandbox);
  return {
    sandbox,
    portone: {
      apiSecret: sandbox.apiSecret,
      baseUrl: reachableUrl(listenUrl),
      storeId: sandbox.storeId,
      channelKey: sandbox.channelKey,
      channelType: "TEST",
      webhookSecrets: [sandbox.webhookSecret, ...config.portone.webhookSecrets],
      timeoutMs: config.portone.timeoutMs,
      maxRetries: config.portone.maxRetries,
    },
  };
}

/** The start-up line states the mode in words nobody can miss. */
function announce(
  service: Service,
  url: string,
  embedded: { portone: PortOneConfig } | undefined,
): void {
  const urls = { url, trpc: `${url}/trpc`, internalUrl: service.internalUrl };
  if (embedded) {
    const api = embedded.portone.baseUrl;
    service.logger.warn(
      {
        mode: "sandbox",
        ...urls,
        sandbox: {
          api,
          checkoutPage: `${api}/sandbox/checkout`,
          webhooksTo: `${url}/webhooks/portone`,
        },
        demoOrders: "coffee-<any>, tshirt-<any>, sneakers-<any>",
      },
      "portone-bff is running in SANDBOX MODE - NO REAL PAYMENTS: embedded PortOne sandbox, demo order catalog, anonymous callers allowed, every event marked as a test event",
    );
    return;
  }
  service.logger.info(
    { mode: "live", ...urls, portone: service.config.portone.baseUrl },
    `portone-bff is running in LIVE MODE against ${service.config.portone.baseUrl}: real payments, authenticated callers only`,
  );
}

/** A wildcard bind address is not something to connect to; loopback is. */
function reachableUrl(listenUrl: string): string {
  const url = new URL(listenUrl);
  if (url.hostname === "0.0.0.0" || url.hostname === "[::]") url.hostname = "127.0.0.1";
  return url.origin;
}

/** The process entry: start, then stop gracefully on SIGTERM/SIGINT (a second signal forces). */
export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  let running: RunningService;
  try {
    running = await startFromEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`portone-bff: ${error.message}\n`);
    } else {
      process.stderr.write(
        `portone-bff: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
    process.exitCode = 1;
    return;
  }
  const log = running.service.logger;
  const shutdownTimeoutMs = running.service.config.http.shutdownTimeoutMs;
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    signalled = true;
    log.info({ signal }, "shutting down: finishing in-flight requests");
    const force = setTimeout(() => {
      log.error({ shutdownTimeoutMs }, "shutdown took too long: exiting");
      process.exit(1);
    }, shutdownTimeoutMs);
    running.shutdown().then(
      () => {
        clearTimeout(force);
        log.info("stopped");
        // Normally the event loop is empty now; this only guards against a stray handle.
        setTimeout(() => process.exit(0), 1_000).unref();
      },
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

if (isEntryPoint(import.meta.url)) void main();
