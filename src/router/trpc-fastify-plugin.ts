import type { AnyTRPCRouter, inferRouterContext } from "@trpc/server";
import { incomingMessageToRequest } from "@trpc/server/adapters/node-http";
import { resolveResponse } from "@trpc/server/http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Register with Fastify's `prefix` option: the procedures are served at `${prefix}/payment.get`. */
export interface TRPCRouteOptions<TRouter extends AnyTRPCRouter> {
  readonly router: TRouter;
  readonly createContext: (request: FastifyRequest) => inferRouterContext<TRouter>;
}

/**
 * Serves a tRPC router on one Fastify route, built from tRPC's own public pieces
 * (`incomingMessageToRequest`, `resolveResponse`), so the protocol is tRPC's.
 *
 * Why not `fastifyTRPCPlugin`: it hands Fastify the Fetch `Response`, which Fastify then streams
 * chunk by chunk through a web-stream reader with chunked transfer encoding. A plain JSON answer
 * (every query and mutation this service has) is read here as one string and sent with a
 * Content-Length instead: one write, and the same bytes. Streaming answers (batch streams,
 * subscriptions) still go out as streams. The adapter also copies all its options into a new
 * object for every request and again for every `createContext`; this route does not.
 */
export async function trpcFastifyPlugin<TRouter extends AnyTRPCRouter>(
  app: FastifyInstance,
  options: TRPCRouteOptions<TRouter>,
): Promise<void> {
  // Same as the adapter: tRPC parses the body itself, so Fastify hands it over unparsed.
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) =>
    done(null, body),
  );
  app.removeContentTypeParser("multipart/form-data");
  app.addContentTypeParser("multipart/form-data", {}, (_request, body, done) => done(null, body));

  const { router } = options;
  app.all<{ Params: { path: string } }>("/:path", async (request, reply) => {
    const raw = request.raw as typeof request.raw & { body?: unknown };
    if ("body" in request) raw.body = request.body;
    const response = await resolveResponse({
      router,
      req: incomingMessageToRequest(raw, reply.raw, { maxBodySize: null }),
      path: request.params.path,
      error: null,
      createContext: async () => options.createContext(request),
    });
    if (!isWholeJson(response)) return sendStreamed(reply, response);
    reply.code(response.status);
    for (const [name, value] of response.headers) reply.header(name, value);
    // Bytes, not a string: Fastify would append a charset to tRPC's content-type.
    return reply.send(Buffer.from(await response.arrayBuffer()));
  });
}

/** A JSON body tRPC built in one piece; anything chunked or event-streamed is not. */
function isWholeJson(response: Response): boolean {
  return (
    response.body !== null &&
    response.headers.get("content-type") === "application/json" &&
    !response.headers.has("transfer-encoding")
  );
}

/** As the stock adapter does: Fastify copies status and headers and streams the body. */
function sendStreamed(reply: FastifyReply, response: Response): FastifyReply {
  return reply.send(response);
}
