import type { DestinationStream } from "pino";
import { printBanner } from "./cli/banner.js";
import { chooseLogFormat, logDestination } from "./cli/log-output.js";
import { embeddedSandboxStateFile } from "./cli/targets.js";
import {
  ConfigError,
  type EnvConfig,
  loadConfig,
  type PortOneConfig,
  type StandaloneSandbox,
  standaloneSandboxPortOne,
  withPortOne,
} from "./config.js";
import {
  type EmbeddedSandbox,
  type SandboxThreadOptions,
  startEmbeddedSandboxThread,
} from "./embedded-sandbox.js";
import { isEntryPoint } from "./is-entry-point.js";
import { buildServer, type Service } from "./server.js";
import { createEventStream } from "./webhooks/event-stream.js";
import { webhooksModule } from "./webhooks/module.js";

export interface RunningService {
  readonly service: Service;
  /** The embedded sandbox (in its own thread), in sandbox mode. */
  readonly sandbox: EmbeddedSandbox | undefined;
  readonly url: string;
  /** Graceful stop: no new connections, in-flight requests finish, stores close. */
  shutdown(): Promise<void>;
  /**
   * Settles once the service has stopped by itself because a part it cannot serve without
   * failed (the embedded sandbox's thread died), with what failed. Never settles otherwise.
   */
  readonly failed: Promise<Error>;
}

export interface StartOptions {
  readonly logStream?: DestinationStream;
  /** Starts the embedded sandbox's thread (default `startEmbeddedSandboxThread`). */
  readonly startSandboxThread?: (options: SandboxThreadOptions) => Promise<EmbeddedSandbox>;
}

type SandboxEnvConfig = Extract<EnvConfig, { mode: "sandbox" }>;

/**
 * Starts the service from the environment. In sandbox mode (no live setting at all, or
 * PORTONE_MODE=sandbox) it first starts the embedded sandbox, in a worker thread, on loopback (demo order catalog,
 * anonymous callers allowed) and points the sandbox's webhooks at the service's own
 * /webhooks/portone; with PORTONE_SANDBOX_* it talks to that standalone sandbox instead (whose
 * webhooks its own flags point here). A doubtful environment never gets this far: `loadConfig`
 * refuses it.
 */
export async function startFromEnv(
  env: Record<string, string | undefined> = process.env,
  options: StartOptions = {},
): Promise<RunningService> {
  const config = loadConfig(env);
  const output = chooseOutput(config, options.logStream);
  const standalone = config.mode === "sandbox" ? config.standaloneSandbox : undefined;
  const embedded =
    config.mode === "sandbox" && !standalone
      ? await startEmbeddedSandbox(config, options.startSandboxThread ?? startEmbeddedSandboxThread)
      : undefined;
  const portone =
    config.mode === "live"
      ? config.portone
      : standalone
        ? standaloneSandboxPortOne(standalone, config.portone)
        : embedded?.portone;
  if (!portone) throw new Error("unreachable: sandbox mode always has a sandbox");
  let service: Service;
  try {
    service = await buildServer(withPortOne(config, portone), {
      modules: serviceModules(),
      logStream: output.logs,
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
  try {
    await embedded?.sandbox.setWebhookEndpoints([{ url: `${url}/webhooks/portone` }]);
    // The checkout form then prepares through the service and links the shop.
    await embedded?.sandbox.setShopUrl(`${url}/`);
  } catch (error) {
    await service.close();
    await embedded?.sandbox.close();
    throw error;
  }
  const sandbox = embedded
    ? { credentials: embedded.sandbox, standalone: false }
    : standalone && { credentials: standalone, standalone: true };
  announce(service, url, sandbox, output);
  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      await service.close();
      await embedded?.sandbox.close();
    })();
    return stopping;
  };
  const failed = embedded
    ? stopWhenSandboxCrashes(embedded.sandbox, service, shutdown)
    : new Promise<Error>(() => {});
  return { service, sandbox: embedded?.sandbox, url, shutdown, failed };
}

/**
 * Sandbox mode cannot take a payment without its sandbox. A service whose sandbox thread died
 * would look healthy and answer every payment call with an upstream error, so it stops instead
 * (fail closed), saying why.
 */
async function stopWhenSandboxCrashes(
  sandbox: EmbeddedSandbox,
  service: Service,
  shutdown: () => Promise<void>,
): Promise<Error> {
  const crash = await sandbox.crashed;
  const reason = `thread exit code ${crash.exitCode}${crash.error ? `: ${crash.error}` : ""}`;
  service.logger.fatal(
    { exitCode: crash.exitCode, reason: crash.error },
    "the embedded sandbox stopped unexpectedly: stopping the service",
  );
  await shutdown().catch((error: unknown) =>
    service.logger.error({ err: error }, "shutdown after the sandbox's crash failed"),
  );
  return new Error(`the embedded sandbox stopped unexpectedly (${reason})`);
}

/** The sandbox runs in a worker thread of its own, so its work never delays the service's answers. */
async function startEmbeddedSandbox(
  config: SandboxEnvConfig,
  startThread: (options: SandboxThreadOptions) => Promise<EmbeddedSandbox>,
): Promise<{ sandbox: EmbeddedSandbox; portone: PortOneConfig }> {
  const sandbox = await startThread({
    persistPath: embeddedSandboxStateFile(config.store.dataDir),
    ...config.sandbox,
  });
  // The embedded sandbox is wired exactly as a standalone one is, at its reachable address.
  const reachable = { ...sandbox, url: reachableUrl(sandbox.url) };
  return { sandbox, portone: standaloneSandboxPortOne(reachable, config.portone) };
}

/** The webhooks feature, and the live stream of its events `portone-bff listen` reads. */
function serviceModules() {
  const events = createEventStream();
  return [webhooksModule({ configure: (webhooks) => events.attach(webhooks) }), events.module];
}

interface Output {
  readonly logs: DestinationStream;
  readonly banner: DestinationStream;
  readonly format: "pretty" | "json";
}

/** A caller's stream gets JSON unless LOG_FORMAT says otherwise; standard output follows it being a terminal. */
function chooseOutput(config: EnvConfig, logStream: DestinationStream | undefined): Output {
  const format = chooseLogFormat(config.logFormat, logStream ? false : undefined);
  if (logStream) return { logs: logStream, banner: logStream, format };
  const logs = logDestination(format);
  // pino-pretty would reformat the banner's text: it goes to the terminal directly.
  return { logs, banner: format === "pretty" ? process.stdout : logs, format };
}

/** The start-up banner states the mode in words nobody can miss, the URLs and, in sandbox mode, its credentials. */
function announce(
  service: Service,
  url: string,
  sandbox:
    | {
        readonly credentials: Pick<
          StandaloneSandbox,
          "apiSecret" | "webhookSecret" | "storeId" | "channelKey"
        >;
        readonly standalone: boolean;
      }
    | undefined,
  output: Output,
): void {
  // Info lines are held briefly before they are written (InfoLinesBatched): out first, so the
  // banner follows the start-up lines it sums up.
  (service.logger as { flush?: () => void }).flush?.();
  printBanner(
    {
      mode: sandbox ? "sandbox" : "live",
      url,
      internalUrl: service.internalUrl,
      ...(sandbox
        ? {
            sandbox: {
              api: service.config.portone.baseUrl,
              apiSecret: sandbox.credentials.apiSecret,
              webhookSecret: sandbox.credentials.webhookSecret,
              storeId: sandbox.credentials.storeId,
              channelKey: sandbox.credentials.channelKey,
            },
            ...(sandbox.standalone ? { standaloneSandbox: true } : {}),
          }
        : { portone: service.config.portone.baseUrl }),
    },
    { level: service.config.logLevel, format: output.format, out: output.banner },
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
  void running.failed.then((error) => {
    process.stderr.write(`portone-bff: ${error.message}\n`);
    process.exit(1);
  });
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
        // Info lines are held briefly (InfoLinesBatched): out now, while the process still
        // waits for the write.
        (log as { flush?: () => void }).flush?.();
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
