import {
  type FastifyTRPCPluginOptions,
  fastifyRequestHandler,
} from "@trpc/server/adapters/fastify";
import { resolveResponse } from "@trpc/server/http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppRouter } from "./index.js";

export interface TrpcRouteOptions {
  readonly trpcOptions: FastifyTRPCPluginOptions<AppRouter>["trpcOptions"];
}

/**
 * Serves tRPC's HTTP protocol at `/:path` (under the prefix it is registered with) with `resolveResponse`, tRPC's own request
 * handler, and writes its answer as one buffered body instead of piping a web stream. That is
 * all the stock Fastify adapter does too, minus per request: an AbortController with two socket
 * listeners (no procedure here takes the signal), a web ReadableStream for the body and
 * chunked framing for the answer. Whatever is not a plain JSON call (a multipart body, a
 * streamed or SSE answer, a URL `new URL` refuses) goes through the stock adapter unchanged.
 */
export async function trpcRoute(scope: FastifyInstance, options: TrpcRouteOptions): Promise<void> {
  const { trpcOptions } = options;
  const { createContext, onError, ...handlerOptions } = trpcOptions;
  // Like the stock adapter: tRPC parses JSON itself, and multipart bodies reach it as streams.
  scope.removeContentTypeParser("application/json");
  scope.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) =>
    done(null, body),
  );
  scope.removeContentTypeParser("multipart/form-data");
  scope.addContentTypeParser("multipart/form-data", {}, (_request, body, done) => done(null, body));

  scope.all("/:path", async (request, reply) => {
    const path = (request.params as { path: string }).path;
    const fetchRequest = asFetchRequest(request);
    if (!fetchRequest)
      return fastifyRequestHandler({ ...trpcOptions, req: request, res: reply, path });
    const response = await resolveResponse<AppRouter>({
      ...handlerOptions,
      req: fetchRequest,
      path,
      error: null,
      createContext: async ({ info }) => createContext?.({ req: request, res: reply, info }),
      // As the stock adapter does: error handlers see the Fastify request.
      ...(onError ? { onError: (error) => onError({ ...error, req: request }) } : {}),
    });
    return sendResponse(reply, response);
  });
}

/** The request as tRPC's handler reads it, or undefined when only the stock adapter can tell. */
function asFetchRequest(request: FastifyRequest): Request | undefined {
  const { raw } = request;
  const hasBody = raw.method !== "GET" && raw.method !== "HEAD";
  if (hasBody && typeof request.body !== "string") return undefined;
  let url: URL;
  try {
    url = new URL(raw.url ?? "", `${protocolOf(request)}//${raw.headers.host ?? "localhost"}`);
  } catch {
    return undefined;
  }
  const headers = new Headers();
  for (const name in raw.headers) {
    const value = raw.headers[name];
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.append(name, value);
  }
  return new Request(url, {
    method: raw.method,
    headers,
    ...(hasBody ? { body: request.body as string } : {}),
  });
}

function protocolOf(request: FastifyRequest): "http:" | "https:" {
  const socket = request.raw.socket as { encrypted?: boolean } | undefined;
  return socket?.encrypted ? "https:" : "http:";
}

/**
 * A JSON answer is written as one buffer, so Fastify frames it with content-length; streamed
 * answers (jsonl batches, SSE) and empty ones go to Fastify as the Response, as the stock
 * adapter sends them. Status and headers are copied the way Fastify copies a Response's.
 */
async function sendResponse(reply: FastifyReply, response: Response): Promise<FastifyReply> {
  const buffered =
    response.body !== null &&
    response.headers.get("content-type") === "application/json" &&
    !response.headers.has("transfer-encoding");
  if (!buffered) return reply.send(response);
  reply.code(response.status);
  for (const [name, value] of response.headers) {
    reply.header(name, name === "vary" ? mergedVary(reply.getHeader("vary"), value) : value);
  }
  // Bytes, not a string: Fastify would add "; charset=utf-8" to the content-type of a string.
  return reply.send(Buffer.from(await response.arrayBuffer()));
}

/**
 * tRPC answers with its own `vary`; CORS has already set `Vary: Origin` on an allowed origin's
 * answer, and a cache that lost it could serve one origin's CORS headers to another.
 */
function mergedVary(current: unknown, added: string): string {
  const names = [String(current ?? ""), added].flatMap((list) => list.split(","));
  const unique = new Map<string, string>();
  for (const name of names.map((n) => n.trim()).filter(Boolean)) {
    if (!unique.has(name.toLowerCase())) unique.set(name.toLowerCase(), name);
  }
  return [...unique.values()].join(", ");
}
