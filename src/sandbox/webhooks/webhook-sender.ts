import { randomUUID } from "node:crypto";
import { sign } from "../../sdk/webhook/index.js";
import { isoAt } from "../clock.js";
import type { EventPublisher, SandboxEvent } from "../domain/context.js";
import type { FaultInjector } from "../http/faults.js";
import type { Clock, WebhookEndpoint } from "../options.js";
import type { WebhookRecord } from "../state/records.js";
import type { SandboxState } from "../state/sandbox-state.js";
import { webhookBody } from "./payloads.js";

/** PortOne retries 5 times, about 1, 4, 16, 64 and 256 minutes apart. */
export const RETRY_DELAYS_MINUTES = [1, 4, 16, 64, 256] as const;
const MAX_EXECUTIONS = RETRY_DELAYS_MINUTES.length + 1;
const MINUTE_MS = 60_000;

export interface SandboxWebhookSenderOptions {
  state: SandboxState;
  clock: Clock;
  faults: FaultInjector;
  secret: string;
  endpoints: () => WebhookEndpoint[];
  retryScale: number;
  timeoutMs: number;
  onError?: (error: unknown) => void;
}

/** One webhook (event x endpoint): the same id and body on every attempt. */
interface Delivery {
  id: string;
  url: string;
  body: string;
  /** The payment's `webhooks` entry, or a sandbox-only entry for billing-key events. */
  record: WebhookRecord;
  eventType: string;
  timer?: NodeJS.Timeout;
}

/** A delivery attempt as the sandbox keeps it for inspection (GET /sandbox/webhooks). */
export interface DeliveryLogEntry {
  webhookId: string;
  eventType: string;
  url: string;
  attempt: number;
  status: "SUCCEEDED" | "FAILED_NOT_OK_RESPONSE" | "FAILED_UNEXPECTED_ERROR";
  responseCode?: number;
  at: string;
}

/**
 * Sends signed webhooks for every published event, retries failures on PortOne's schedule
 * (scaled), records attempts in the payment's `webhooks`, and injects delivery faults.
 */
export class SandboxWebhookSender implements EventPublisher {
  readonly log: DeliveryLogEntry[] = [];
  private readonly scheduled = new Set<Delivery>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly lastAttemptByUrl = new Map<string, Promise<void>>();
  private held: Delivery[] = [];
  private readonly closing = new AbortController();
  private closed = false;

  constructor(private readonly options: SandboxWebhookSenderOptions) {}

  publish(event: SandboxEvent): void {
    const timestamp = isoAt(this.options.clock);
    for (const endpoint of this.options.endpoints()) {
      const body = webhookBody(event, timestamp, endpoint.version ?? "2024-04-25");
      if (body === undefined) continue;
      const record: WebhookRecord = {
        id: randomUUID(),
        url: endpoint.url,
        isAsync: event.trigger !== undefined,
        currentExecutionCount: 0,
        maxExecutionCount: MAX_EXECUTIONS,
        triggeredAt: timestamp,
        ...(event.paymentStatus ? { paymentStatus: event.paymentStatus } : {}),
        ...(event.trigger ? { trigger: event.trigger } : {}),
      };
      const payment = event.paymentId
        ? this.options.state.payments.get(event.paymentId)
        : undefined;
      payment?.webhooks.push(record);
      this.enqueue({ id: record.id, url: endpoint.url, body, record, eventType: event.type });
    }
  }

  /** resendWebhook: a new delivery of an earlier webhook's body, triggered manually. */
  async resend(previous: WebhookRecord, paymentWebhooks: WebhookRecord[]): Promise<WebhookRecord> {
    const record: WebhookRecord = {
      id: randomUUID(),
      url: previous.url,
      isAsync: false,
      currentExecutionCount: 0,
      maxExecutionCount: MAX_EXECUTIONS,
      triggeredAt: isoAt(this.options.clock),
      trigger: "MANUAL",
      ...(previous.paymentStatus ? { paymentStatus: previous.paymentStatus } : {}),
    };
    paymentWebhooks.push(record);
    const body = previous.request?.body;
    if (body === undefined) throw new Error("the webhook has no request body to resend");
    await this.attempt({ id: record.id, url: record.url, body, record, eventType: "resend" });
    return record;
  }

  /**
   * Releases held (reordered) webhooks and runs every scheduled retry now, then waits until no
   * attempt is in flight. Tests call it instead of waiting for the retry schedule.
   */
  async flush(): Promise<void> {
    this.releaseHeld();
    for (const delivery of [...this.scheduled]) {
      clearTimeout(delivery.timer);
      this.scheduled.delete(delivery);
      this.start(delivery);
    }
    await this.idle();
  }

  /** Resolves once no attempt is in flight (scheduled retries may remain). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  get pendingRetries(): number {
    return this.scheduled.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const delivery of this.scheduled) clearTimeout(delivery.timer);
    this.scheduled.clear();
    this.held = [];
    this.closing.abort();
    await this.idle();
  }

  private enqueue(delivery: Delivery): void {
    const reorder = this.options.faults.reorderRule();
    if (!reorder) {
      this.start(delivery);
      return;
    }
    this.held.push(delivery);
    if (this.held.length >= (reorder.count ?? 2)) {
      this.options.faults.spendReorder();
      this.releaseHeld();
    }
  }

  private releaseHeld(): void {
    const batch = this.held.reverse();
    this.held = [];
    for (const delivery of batch) this.start(delivery);
  }

  private start(delivery: Delivery): void {
    if (this.closed) return;
    // One attempt at a time per endpoint, so webhooks arrive in the order of the changes unless
    // a retry or the webhook-reorder fault says otherwise.
    const previous = this.lastAttemptByUrl.get(delivery.url) ?? Promise.resolve();
    const running = previous
      .then(() => this.attempt(delivery))
      .then(async (ok) => {
        if (ok && this.options.faults.duplicateWebhook()) {
          await this.send(delivery);
        }
      })
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.inFlight.delete(running);
        if (this.lastAttemptByUrl.get(delivery.url) === running)
          this.lastAttemptByUrl.delete(delivery.url);
      });
    this.inFlight.add(running);
    this.lastAttemptByUrl.set(delivery.url, running);
  }

  /** One attempt; schedules the next on failure. Resolves true on a 2xx. */
  private async attempt(delivery: Delivery): Promise<boolean> {
    if (this.closed) return false;
    const ok = await this.send(delivery);
    if (!ok) this.scheduleRetry(delivery);
    return ok;
  }

  private scheduleRetry(delivery: Delivery): void {
    const { record } = delivery;
    if (
      this.closed ||
      record.currentExecutionCount >= MAX_EXECUTIONS ||
      record.trigger === "MANUAL"
    ) {
      return;
    }
    const minutes = RETRY_DELAYS_MINUTES[record.currentExecutionCount - 1] ?? 0;
    // PortOne adds jitter; keep it small so the order of the schedule stays visible.
    const delay = minutes * MINUTE_MS * this.options.retryScale * (1 + Math.random() * 0.1);
    delivery.timer = setTimeout(() => {
      this.scheduled.delete(delivery);
      this.start(delivery);
    }, delay);
    delivery.timer.unref?.();
    this.scheduled.add(delivery);
  }

  /**
   * After a restart with persisted state: schedules the retries that were still due for
   * payment webhooks (the next attempt counts from now).
   */
  resumeRetries(): number {
    let resumed = 0;
    for (const payment of this.options.state.payments.values()) {
      for (const record of payment.webhooks) {
        const body = record.request?.body;
        if (record.status === "SUCCEEDED" || body === undefined) continue;
        const before = this.scheduled.size;
        const eventType = (() => {
          try {
            return String((JSON.parse(body) as { type?: unknown }).type ?? "legacy");
          } catch {
            return "legacy";
          }
        })();
        this.scheduleRetry({ id: record.id, url: record.url, body, record, eventType });
        if (this.scheduled.size > before) resumed += 1;
      }
    }
    return resumed;
  }

  private async send(delivery: Delivery): Promise<boolean> {
    const { record } = delivery;
    // The signature is dated by the wall clock: receivers check it against theirs.
    const headers = await sign(this.options.secret, delivery.body, {
      id: delivery.id,
      timestamp: Math.floor(Date.now() / 1000),
    });
    const requestHeaders = { "content-type": "application/json", ...headers };
    const requestedAt = isoAt(this.options.clock);
    record.currentExecutionCount += 1;
    record.request = { header: JSON.stringify(requestHeaders), body: delivery.body, requestedAt };
    let status: DeliveryLogEntry["status"];
    let responseCode: number | undefined;
    try {
      const response = await fetch(delivery.url, {
        method: "POST",
        headers: requestHeaders,
        body: delivery.body,
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.closing.signal]),
      });
      const responseBody = await response.text();
      responseCode = response.status;
      status = response.ok ? "SUCCEEDED" : "FAILED_NOT_OK_RESPONSE";
      record.response = {
        code: String(response.status),
        header: JSON.stringify(Object.fromEntries(response.headers)),
        body: responseBody.slice(0, 4096),
        respondedAt: isoAt(this.options.clock),
      };
    } catch {
      status = "FAILED_UNEXPECTED_ERROR";
      delete record.response;
    }
    record.status = status;
    this.log.push({
      webhookId: delivery.id,
      eventType: delivery.eventType,
      url: delivery.url,
      attempt: record.currentExecutionCount,
      status,
      ...(responseCode !== undefined ? { responseCode } : {}),
      at: requestedAt,
    });
    if (!this.closed) this.options.state.changed();
    return status === "SUCCEEDED";
  }
}
