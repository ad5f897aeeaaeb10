import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { WebhookStore } from "./store/webhook-store.js";
import { ID_PATTERN } from "./untrusted-text.js";

export interface WebhookAdminRouteOptions {
  readonly store: WebhookStore;
  /** Bearer token required on every admin request. */
  readonly adminToken: string;
  /** Called after a replay, so the dispatcher picks the deliveries up at once. */
  readonly onReplayed?: () => void;
  readonly clock?: () => number;
}

/** Ids are checked before they reach the database (NUL, for one, is an error in PostgreSQL). */
const idSchema = { type: "string", pattern: ID_PATTERN.source } as const;

interface ReplayBody {
  subscriberId?: string;
  eventId?: string;
}

/**
 * Operator routes for the outbox: list dead letters and replay them (all, one subscriber's,
 * or one event's). Protected by ADMIN_TOKEN as a bearer token.
 */
export const webhookAdminRoute: FastifyPluginAsync<WebhookAdminRouteOptions> = async (
  fastify,
  options,
) => {
  const clock = options.clock ?? Date.now;
  const expected = digest(options.adminToken);

  fastify.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? "";
    const token = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
    // Compare digests so the comparison takes the same time whatever the token's length.
    if (!token || !timingSafeEqual(digest(token), expected)) {
      return reply.code(401).header("www-authenticate", "Bearer").send({
        error: "UNAUTHORIZED",
        message: "Send the ADMIN_TOKEN as `Authorization: Bearer <token>`.",
      });
    }
  });

  fastify.get<{ Querystring: { subscriberId?: string; eventId?: string; limit?: string } }>(
    "/admin/webhooks/dead-letters",
    {
      schema: {
        querystring: {
          type: "object",
          properties: {
            subscriberId: idSchema,
            eventId: idSchema,
            limit: { type: "integer", minimum: 1, maximum: 1000 },
          },
          additionalProperties: false,
        },
      },
    },
    async (request) => {
      const { subscriberId, eventId, limit } = request.query;
      const deadLetters = await options.store.listDeliveries({
        state: "dead",
        ...(subscriberId ? { subscriberId } : {}),
        ...(eventId ? { eventId } : {}),
        limit: limit === undefined ? 100 : Number(limit),
      });
      return { deadLetters };
    },
  );

  fastify.post<{ Body: ReplayBody | undefined }>(
    "/admin/webhooks/replay",
    {
      schema: {
        body: {
          type: ["object", "null"],
          properties: {
            subscriberId: idSchema,
            eventId: idSchema,
          },
          additionalProperties: false,
        },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const replayed = await options.store.replayDeadLetters({
        ...(body.subscriberId ? { subscriberId: body.subscriberId } : {}),
        ...(body.eventId ? { eventId: body.eventId } : {}),
        now: clock(),
      });
      if (replayed > 0) options.onReplayed?.();
      request.log.info({ replayed, ...body }, "dead letters replayed");
      return { replayed };
    },
  );
};

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
