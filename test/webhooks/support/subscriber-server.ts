import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verify, WebhookVerificationError } from "../../../src/sdk/webhook/index.js";

export interface ReceivedDelivery {
  readonly webhookId: string;
  readonly attempt: number;
  readonly body: Record<string, unknown>;
  readonly receivedAt: number;
}

export type SubscriberMode = "up" | "failing" | "unreachable";

/**
 * A real HTTP subscriber, as an internal service would run one: it verifies every request with
 * the SDK's `Webhook.verify` and records what it accepted. "failing" answers 503, "unreachable"
 * drops the connection. Requests that fail verification are counted, never accepted.
 */
export class SubscriberServer {
  readonly accepted: ReceivedDelivery[] = [];
  readonly refused: string[] = [];
  /** Every request, including the ones answered with a failure. */
  readonly requests: { webhookId: string; attempt: number; startedAt: number; endedAt?: number }[] =
    [];
  mode: SubscriberMode = "up";
  /** Delay before answering, to keep requests in flight. */
  delayMs = 0;
  url = "";
  readonly #server: Server;

  constructor(readonly secret: string) {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", async () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const webhookId = String(request.headers["webhook-id"] ?? "");
        const attempt = Number(request.headers["x-delivery-attempt"] ?? 0);
        const entry: { webhookId: string; attempt: number; startedAt: number; endedAt?: number } = {
          webhookId,
          attempt,
          startedAt: Date.now(),
        };
        this.requests.push(entry);
        if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
        entry.endedAt = Date.now();
        if (this.mode === "unreachable") {
          request.socket.destroy();
          return;
        }
        if (this.mode === "failing") {
          response.writeHead(503).end();
          return;
        }
        try {
          const body = (await verify(this.secret, raw, request.headers)) as unknown as Record<
            string,
            unknown
          >;
          this.accepted.push({ webhookId, attempt, body, receivedAt: Date.now() });
          response.writeHead(204).end();
        } catch (error) {
          this.refused.push(
            error instanceof WebhookVerificationError ? error.reason : String(error),
          );
          response.writeHead(400).end();
        }
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/events`;
    return this.url;
  }

  acceptedIds(): string[] {
    return this.accepted.map((delivery) => delivery.webhookId);
  }

  acceptedFor(webhookId: string): ReceivedDelivery[] {
    return this.accepted.filter((delivery) => delivery.webhookId === webhookId);
  }

  /** The deliveries accepted so far whose event is about `paymentId`. */
  acceptedForPayment(paymentId: string): ReceivedDelivery[] {
    return this.accepted.filter(
      (delivery) => (delivery.body.data as { paymentId?: string }).paymentId === paymentId,
    );
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

export function randomSecret(): string {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  return `whsec_${Buffer.from(bytes).toString("base64")}`;
}
