import type { FastifyReply, FastifyRequest } from "fastify";
import { sendTRPCShapedError } from "./http-error-response.js";

/** What tRPC over HTTP uses: GET for queries, POST for mutations, plus HEAD and CORS preflight. */
const TRPC_METHODS: ReadonlySet<string> = new Set(["GET", "POST", "HEAD", "OPTIONS"]);

/**
 * An `onRequest` hook for the tRPC scope: any other method (TRACE, PUT, PROPFIND, ...) is a 405
 * before the adapter sees it. Without it, the adapter's `new Request()` refuses TRACE with a
 * TypeError, which became a 500 and an error-level stack in the log on every such request.
 */
export async function refuseUnsupportedMethods(request: FastifyRequest, reply: FastifyReply) {
  if (TRPC_METHODS.has(request.method)) return;
  reply.header("allow", "GET, POST");
  return sendTRPCShapedError(
    request,
    reply,
    405,
    "METHOD_NOT_SUPPORTED",
    "Use GET for queries and POST for mutations.",
  );
}
