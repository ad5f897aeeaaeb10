import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { WebhookEndpoint } from "./sandbox/index.js";

/**
 * The embedded sandbox of sandbox mode, running in a worker thread (src/embedded-sandbox-worker.ts)
 * so that sandbox-mode latency is the service's own. Same state file, same credentials, same
 * webhooks to the service as when it ran in the service's thread; only the calls became async.
 */
export interface EmbeddedSandbox {
  /** Where it listens, as the sandbox reported it. */
  readonly url: string;
  readonly apiSecret: string;
  readonly storeId: string;
  readonly webhookSecret: string;
  readonly channelKey: string;
  setWebhookEndpoints(endpoints: WebhookEndpoint[]): Promise<void>;
  setShopUrl(url: string | undefined): Promise<void>;
  /** Stops the sandbox (server, timers, state file) and waits for its thread to end. */
  close(): Promise<void>;
  /**
   * Settles when the thread ends without `close` having been called (an uncaught error in the
   * sandbox, a memory limit): with why. It never settles for a thread that was closed.
   * Sandbox mode cannot serve a payment without its sandbox, so the service stops on it.
   */
  readonly crashed: Promise<EmbeddedSandboxCrash>;
}

export interface EmbeddedSandboxCrash {
  readonly exitCode: number;
  /** The thread's uncaught error, when it had one. */
  readonly error?: string;
}

export interface SandboxThreadOptions {
  readonly persistPath: string;
  readonly host: string;
  readonly port: number;
}

type SandboxThreadCommand =
  | { readonly type: "set-webhook-endpoints"; readonly endpoints: WebhookEndpoint[] }
  | { readonly type: "set-shop-url"; readonly url: string | undefined }
  | { readonly type: "close" };

/** Service -> sandbox thread; each is answered by a `done` with the same id. */
export type SandboxThreadMessage = SandboxThreadCommand & { readonly id: number };

/** Sandbox thread -> service. */
export type SandboxThreadReply =
  | {
      readonly type: "ready";
      readonly url: string;
      readonly credentials: Pick<
        EmbeddedSandbox,
        "apiSecret" | "storeId" | "webhookSecret" | "channelKey"
      >;
    }
  | { readonly type: "failed"; readonly message: string }
  | { readonly type: "done"; readonly id: number; readonly error?: string };

/** Thrown when the sandbox thread cannot start: the message says why (port taken, bad state file). */
export class EmbeddedSandboxStartError extends Error {
  constructor(reason: string) {
    super(`the embedded sandbox could not start: ${reason}`);
    this.name = "EmbeddedSandboxStartError";
  }
}

/** A thread that has not ended this long after `close` was called is terminated. */
const EXIT_GRACE_MS = 5_000;

/** Starts the sandbox thread and resolves once it listens; rejects with what kept it from it. */
export async function startEmbeddedSandboxThread(
  options: SandboxThreadOptions,
  /** The thread to run it in; made from `options` by default (a test keeps a handle on it). */
  worker: Worker = createSandboxWorker(options),
): Promise<EmbeddedSandbox> {
  const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
  const ready = await new Promise<Extract<SandboxThreadReply, { type: "ready" }>>(
    (resolve, reject) => {
      const onMessage = (message: SandboxThreadReply) => {
        if (message.type === "ready") resolve(message);
        else if (message.type === "failed") reject(new EmbeddedSandboxStartError(message.message));
      };
      worker.on("message", onMessage);
      worker.once("error", (error) => reject(new EmbeddedSandboxStartError(error.message)));
      void exited.then((code) =>
        reject(
          new EmbeddedSandboxStartError(`its thread ended (exit code ${code}) before it listened`),
        ),
      );
    },
  ).catch(async (error: unknown) => {
    await exited;
    throw error;
  });
  return connectedSandbox(worker, exited, ready);
}

function connectedSandbox(
  worker: Worker,
  exited: Promise<number>,
  ready: Extract<SandboxThreadReply, { type: "ready" }>,
): EmbeddedSandbox {
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let uncaught: string | undefined;
  // Without a listener an uncaught error in the thread would be rethrown here, in the service.
  worker.on("error", (error) => {
    uncaught = error.message;
  });
  worker.on("message", (message: SandboxThreadReply) => {
    if (message.type !== "done") return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiter?.reject(new Error(`embedded sandbox: ${message.error}`));
    else waiter?.resolve();
  });
  // Set once the thread can no longer answer: a command sent then would wait forever.
  let ended = false;
  void exited.then(() => {
    ended = true;
    for (const waiter of pending.values()) waiter.reject(new Error("embedded sandbox has stopped"));
    pending.clear();
  });
  const send = (message: SandboxThreadCommand) =>
    new Promise<void>((resolve, reject) => {
      if (ended) return reject(new Error("embedded sandbox has stopped"));
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id });
    });
  let closing: Promise<void> | undefined;
  const crashed = new Promise<EmbeddedSandboxCrash>((resolve) => {
    void exited.then((exitCode) => {
      if (!closing) resolve(uncaught === undefined ? { exitCode } : { exitCode, error: uncaught });
    });
  });
  return {
    crashed,
    url: ready.url,
    ...ready.credentials,
    setWebhookEndpoints: (endpoints) => send({ type: "set-webhook-endpoints", endpoints }),
    setShopUrl: (url) => send({ type: "set-shop-url", url }),
    close() {
      closing ??= (async () => {
        // Armed first: a thread too busy or too broken to answer `close` is ended all the same.
        const timer = setTimeout(() => void worker.terminate(), EXIT_GRACE_MS);
        await send({ type: "close" }).catch(() => {});
        ended = true;
        await exited;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}

/**
 * The worker file next to this one: dist/embedded-sandbox-worker.js as is; from source (tsx,
 * vitest) the .ts file, behind tsx's loader registered in the thread first (tsx is a dev
 * dependency, present whenever the source is; a thread does not inherit the loader).
 */
export function createSandboxWorker(options: SandboxThreadOptions): Worker {
  if (!import.meta.url.endsWith(".ts"))
    return new Worker(new URL("./embedded-sandbox-worker.js", import.meta.url), {
      workerData: options,
    });
  const entry = new URL("./embedded-sandbox-worker.ts", import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxEsmApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: options });
}

/** tsx's ESM API (`tsx/esm/api`, import condition), found through its package's exports map. */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve("tsx/package.json");
  const exports = JSON.parse(readFileSync(manifest, "utf8")).exports as Record<
    string,
    { import: { default: string } }
  >;
  const api = exports["./esm/api"]?.import.default;
  if (!api) throw new EmbeddedSandboxStartError("tsx has no ESM API to load the source with");
  return pathToFileURL(join(dirname(manifest), api)).href;
}
