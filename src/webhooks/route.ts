import type { FastifyError, FastifyPluginAsync } from "fastify";
import { verifySignature, WebhookVerificationError } from "../sdk/webhook/index.js";
import { StoreUnavailableError, UnstorableValueError } from "../store/store-errors.js";
import { noWebhookMetrics, type WebhookMetrics } from "./metrics.js";
import { normaliseWebhookBody } from "./normalize.js";
import type { WebhookStore } from "./store/webhook-store.js";
import { ID_RULE, isCleanId } from "./untrusted-text.js";

export interface WebhookRouteOptions {
  /** PortOne webhook secrets; a webhook signed with any of them is accepted (rotation). */
  readonly secrets: readonly string[];
  readonly store: WebhookStore;
  readonly metrics?: WebhookMetrics;
  /** Largest body accepted; PortOne's are well under 1 KiB. */
  readonly bodyLimitBytes?: number;
  /** Called after a new event is stored, to start its dispatch without waiting for a poll. */
  readonly onEventStored?: () => void;
  readonly clock?: () => number;
  readonly path?: string;
}

export const DEFAULT_WEBHOOK_PATH = "/webhooks/portone";
const DEFAULT_BODY_LIMIT = 64 * 1024;
/** Seconds PortOne (or any sender) is asked to wait when the inbox cannot be written. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * `POST /webhooks/portone`: verify the signature over the raw body, store the event (unique on
 * webhook-id) and only then answer 2xx, so an acknowledged webhook survives a crash. The plugin
 * replaces the body parsers in its own encapsulated context only, so the rest of the server
 * keeps parsing JSON as before.
 */
export const webhookRoute: FastifyPluginAsync<WebhookRouteOptions> = async (fastify, options) => {
  const metrics = options.metrics ?? noWebhookMetrics;
  const clock = options.clock ?? Date.now;
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const secrets = [...options.secrets];
  if (secrets.length === 0) {
    fastify.log.warn(
      "PORTONE_WEBHOOK_SECRET is not set: POST /webhooks/portone refuses every webhook until it is",
    );
  }

  fastify.removeAllContentTypeParsers();
  // Every media type arrives as raw bytes: the signature covers the body exactly as sent.
  fastify.addContentTypeParser("*", { parseAs: "buffer", bodyLimit }, (_request, body, done) => {
    done(null, body);
  });

  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.statusCode === 413) {
      metrics.rejected("PAYLOAD_TOO_LARGE");
      return reply.code(413).send({ error: "PAYLOAD_TOO_LARGE" });
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      metrics.rejected("BAD_REQUEST");
      return reply.code(400).send({ error: "BAD_REQUEST" });
    }
    if (error instanceof StoreUnavailableError) {
      metrics.rejected("STORE_UNAVAILABLE");
      request.log.warn({ err: error.cause }, "webhook not stored: the database is unavailable");
      // Not acknowledged, so PortOne delivers it again later.
      return reply
        .code(503)
        .header("retry-after", String(STORE_RETRY_AFTER_SECONDS))
        .send({ error: "STORE_UNAVAILABLE" });
    }
    if (error instanceof UnstorableValueError) {
      // Genuinely signed, but the database refuses its content: a resend cannot help.
      metrics.rejected("UNSTORABLE");
      request.log.error({ err: error.cause }, "genuine webhook the database cannot store");
      return reply.code(400).send({ error: "UNSTORABLE_EVENT" });
    }
    request.log.error({ err: error }, "webhook could not be stored");
    // Not acknowledged, so PortOne delivers it again later.
    return reply.code(500).send({ error: "INTERNAL_ERROR" });
  });

  fastify.post(options.path ?? DEFAULT_WEBHOOK_PATH, async (request, reply) => {
    if (secrets.length === 0) {
      metrics.rejected("NOT_CONFIGURED");
      return reply.code(503).send({ error: "WEBHOOK_SECRET_NOT_CONFIGURED" });
    }
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const claimedId = request.headers["webhook-id"];
    if (typeof claimedId === "string" && !isCleanId(claimedId)) {
      metrics.rejected("INVALID_WEBHOOK_ID");
      return reply
        .code(400)
        .send({ error: "INVALID_WEBHOOK_ID", message: `webhook-id must be ${ID_RULE}.` });
    }
    let webhookId: string;
    try {
      webhookId = (await verifySignature(secrets, raw, request.headers)).id;
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        metrics.rejected(error.reason);
        request.log.info({ reason: error.reason }, "webhook refused");
        return reply.code(400).send({ error: error.reason });
      }
      throw error;
    }

    const receivedAt = clock();
    const normalised = normaliseWebhookBody({
      webhookId,
      body: raw.toString("utf8"),
      contentType: request.headers["content-type"],
      receivedAt: new Date(receivedAt),
    });
    if (!normalised.ok) {
      metrics.rejected(normalised.reason);
      request.log.warn(
        { webhookId, reason: normalised.reason, detail: normalised.detail },
        "genuine webhook with a body that is no PortOne webhook; not stored",
      );
      return reply.code(400).send({ error: normalised.reason });
    }

    const inserted = await options.store.insertEvent(normalised.event, receivedAt);
    if (inserted) {
      metrics.received(normalised.event.type, normalised.event.format);
      options.onEventStored?.();
    } else {
      metrics.duplicate();
    }
    return reply.code(200).send({ received: true, duplicate: !inserted });
  });
};
