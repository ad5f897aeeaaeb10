import { join } from "node:path";
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

/**
 * Starts the service from the environment. Without PORTONE_API_SECRET it first starts the
 * embedded sandbox (demo order catalog, anonymous callers allowed) and points the sandbox's
 * webhooks at the service's own /webhooks/portone.
 */
export async function startFromEnv(
  env: Record<string, string | undefined> = process.env,
): Promise<RunningService> {
  const config = loadConfig(env);
  let sandbox: Sandbox | undefined;
  let portone = config.portone;
  if (!portone) {
    sandbox = await createSandbox({
      persistPath: join(config.store.dataDir, "sandbox-state.json"),
    });
    portone = sandboxPortOne(
      config,
      sandbox,
      await sandbox.listen({
        port: config.sandboxPort,
        host: config.host,
      }),
    );
  }
  let service: Service;
  try {
    service = await buildServer(withPortOne(config, portone), { modules: [webhooksModule()] });
  } catch (error) {
    await sandbox?.close();
    throw error;
  }
  const url = reachableUrl(
    await service.listen().catch(async (error: unknown) => {
      await service.close();
      await sandbox?.close();
      throw error;
    }),
  );
  const log = service.context.logger;
  if (sandbox) {
    sandbox.setWebhookEndpoints([{ url: `${url}/webhooks/portone` }]);
    log.info(
      {
        url,
        trpc: `${url}/trpc`,
        sandbox: {
          api: portone.baseUrl,
          checkoutPage: `${portone.baseUrl}/sandbox/checkout`,
          webhooksTo: `${url}/webhooks/portone`,
        },
        demoOrders: "coffee-<any>, tshirt-<any>, sneakers-<any>",
      },
      "portone-bff is running in sandbox mode (no PORTONE_API_SECRET): embedded PortOne sandbox, demo order catalog, anonymous callers allowed",
    );
  } else {
    log.info({ url, trpc: `${url}/trpc`, portone: portone.baseUrl }, "portone-bff is running");
  }
  let stopping: Promise<void> | undefined;
  return {
    service,
    sandbox,
    url,
    shutdown() {
      stopping ??= (async () => {
        await service.close();
        await sandbox?.close();
      })();
      return stopping;
    },
  };
}

function sandboxPortOne(config: EnvConfig, sandbox: Sandbox, listenUrl: string): PortOneConfig {
  return {
    apiSecret: sandbox.apiSecret,
    baseUrl: reachableUrl(listenUrl),
    storeId: sandbox.storeId,
    channelKey: sandbox.channelKey,
    channelType: "TEST",
    webhookSecrets: [sandbox.webhookSecret, ...config.portoneTuning.webhookSecrets],
    timeoutMs: config.portoneTuning.timeoutMs,
    maxRetries: config.portoneTuning.maxRetries,
  };
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
  const log = running.service.context.logger;
  const shutdownTimeoutMs = running.service.context.config.http.shutdownTimeoutMs;
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
