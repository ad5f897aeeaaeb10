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
  const body = isBatchRequest(request)
    ? path.split(",").map((procedure) => ({
        error: { ...error.error, data: { ...error.error.data, path: procedure } },
      }))
    : error;
  return reply.code(statusCode).send(body);
}

/**
 * Whether tRPC takes the request for a batch: it reads the first `batch` parameter, so a
 * repeated one (which Fastify's query parser makes a list) counts by its first value too.
 */
export function isBatchRequest(request: FastifyRequest): boolean {
  const batch = (request.query as { batch?: string | string[] } | undefined)?.batch;
  return (Array.isArray(batch) ? batch[0] : batch) === "1";
}
