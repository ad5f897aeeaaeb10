import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { waitFor } from "../../support/wait-for.js";

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

/**
 * A real HTTP endpoint for the sandbox's webhooks. `respondWith` decides each answer's status
 * (by the 0-based index of the request), so tests can make the receiver fail on purpose.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  respondWith: (index: number, webhook: ReceivedWebhook) => number = () => 200;
  private server: Server | undefined;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const webhook = {
          headers: request.headers,
          body: Buffer.concat(chunks).toString("utf8"),
          receivedAt: Date.now(),
        };
        const index = this.received.length;
        this.received.push(webhook);
        response.statusCode = this.respondWith(index, webhook);
        response.end(response.statusCode < 300 ? "ok" : "receiver refused");
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const address = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${address.port}/webhooks/portone`;
    return this;
  }

  /** Resolves once `count` requests have arrived in total; fails after `timeoutMs`. */
  async untilReceived(count: number, timeoutMs = 10_000): Promise<void> {
    await waitFor(() => this.received.length >= count, {
      timeoutMs,
      description: `${count} webhooks (${this.url})`,
    });
  }

  bodies(): { type?: string; data?: Record<string, unknown> }[] {
    return this.received.map((webhook) => JSON.parse(webhook.body));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
