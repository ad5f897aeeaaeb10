import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * Fastify answers some requests before tRPC sees them (rate limit, oversized body). Shaping
 * those answers like tRPC's own errors lets `@trpc/client` surface them as a `TRPCClientError`
 * with `data.code`, one per call of a batch.
 */
export function sendTRPCShapedError(
  request: FastifyRequest,
  reply: FastifyReply,
  statusCode: number,
  code: TRPC_ERROR_CODE_KEY,
  message: string,
): FastifyReply {
  const path = (request.params as { path?: string } | undefined)?.path ?? "";
  const error = {
    error: {
      message,
      code: TRPC_ERROR_CODES_BY_KEY[code],
      data: { code, httpStatus: statusCode, path },
    },
  };
  const isBatch = (request.query as { batch?: string } | undefined)?.batch === "1";
  const body = isBatch
    ? path.split(",").map((procedure) => ({
        error: { ...error.error, data: { ...error.error.data, path: procedure } },
      }))
    : error;
  return reply.code(statusCode).send(body);
}
