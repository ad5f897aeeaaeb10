/**
 * The embedded sandbox's thread (sandbox mode): a PortOne emulator with its own event loop, so
 * its checkout, state writes and webhook deliveries never queue behind the service's requests,
 * nor the service's behind them. Started by src/embedded-sandbox.ts, which speaks the messages
 * below; nothing else should load this file.
 */
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import type {
  SandboxThreadMessage,
  SandboxThreadOptions,
  SandboxThreadReply,
} from "./embedded-sandbox.js";
import { createSandbox, type Sandbox } from "./sandbox/index.js";

if (!parentPort) throw new Error("embedded-sandbox-worker.ts runs only as a worker thread");
const port: MessagePort = parentPort;

const reply = (message: SandboxThreadReply) => port.postMessage(message);

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function start(options: SandboxThreadOptions): Promise<Sandbox | undefined> {
  let sandbox: Sandbox | undefined;
  try {
    sandbox = await createSandbox({ persistPath: options.persistPath });
    const url = await sandbox.listen({ host: options.host, port: options.port });
    reply({
      type: "ready",
      url,
      credentials: {
        apiSecret: sandbox.apiSecret,
        storeId: sandbox.storeId,
        webhookSecret: sandbox.webhookSecret,
        channelKey: sandbox.channelKey,
      },
    });
    return sandbox;
  } catch (error) {
    await sandbox?.close().catch(() => {});
    reply({ type: "failed", message: describe(error) });
    port.close();
    return undefined;
  }
}

const running = await start(workerData as SandboxThreadOptions);
if (running) {
  port.on("message", async (message: SandboxThreadMessage) => {
    try {
      switch (message.type) {
        case "set-webhook-endpoints":
          running.setWebhookEndpoints(message.endpoints);
          break;
        case "set-shop-url":
          running.setShopUrl(message.url);
          break;
        case "close":
          await running.close();
          reply({ type: "done", id: message.id });
          // Nothing is left to keep this thread alive: it ends, and the service sees it exit.
          port.close();
          return;
      }
      reply({ type: "done", id: message.id });
    } catch (error) {
      reply({ type: "done", id: message.id, error: describe(error) });
    }
  });
}
