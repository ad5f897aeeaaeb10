import {
  type FastifyTRPCPluginOptions,
  fastifyRequestHandler,
} from "@trpc/server/adapters/fastify";
import { resolveResponse } from "@trpc/server/http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppRouter, RequestContext } from "./index.js";
import {
  answerFastRequest,
  type FastAnswer,
  type FastPathOptions,
  planFastRequest,
} from "./trpc-fast-path.js";

export interface TrpcRouteOptions {
  readonly trpcOptions: FastifyTRPCPluginOptions<AppRouter>["trpcOptions"];
}

type FastResponseMeta = NonNullable<
  FastPathOptions<RequestContext | undefined, unknown>["responseMeta"]
>;

/** The Fastify request and reply of a call, as the stock adapter hands them to tRPC's hooks. */
interface FastifyExchange {
  readonly req: FastifyRequest;
  readonly res: FastifyReply;
}

/**
 * Serves tRPC's HTTP protocol at `/:path` (under the prefix it is registered with), in three
 * tiers. The plain calls a browser makes (JSON queries and mutations, single or batched, to
 * procedures that exist, with the method their type takes) go through the fast path
 * (`trpc-fast-path.ts`): tRPC's public pieces without a Fetch Request, Response or AbortSignal.
 * Everything else that is JSON goes to `resolveResponse`, tRPC's own request handler, with the
 * answer written as one buffered body instead of a piped web stream, minus per request the
 * stock adapter's two socket listeners that abort its signal when the client goes away (no
 * procedure here takes the signal), a Fetch Request and chunked framing. What is not JSON at
 * all (a multipart body, a URL `new URL` refuses) goes through the stock adapter unchanged.
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

  const { responseMeta, ...otherOptions } = handlerOptions;
  const fast: FastPathOptions<RequestContext | undefined, FastifyExchange> = {
    ...otherOptions,
    createContext: (info, { req, res }) => createContext?.({ req, res, info }),
    // The fast path's error shapes are the router's own (getTRPCErrorShape with its formatter),
    // which is what `responseMeta` is typed for; TypeScript cannot see that through the router.
    ...(responseMeta ? { responseMeta: responseMeta as FastResponseMeta } : {}),
    ...(onError ? { onError: (error, { req }) => onError({ ...error, req }) } : {}),
  };

  scope.all("/:path", async (request, reply) => {
    const path = (request.params as { path: string }).path;
    const { raw } = request;
    const plan = planFastRequest(
      { method: raw.method, url: raw.url, headers: raw.headers, body: request.body, path },
      fast,
      protocolOf(request),
    );
    if (plan)
      return sendJson(reply, await answerFastRequest(plan, fast, { req: request, res: reply }));
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

/**
 * What `resolveResponse` reads of a Fetch `Request`, and no more: the method, the URL (it parses
 * it itself), `headers.get`/`has`, the body as `text()` and the signal it hands to procedures.
 * A real `Request` would copy every header into a `Headers` (with WebIDL checks), wrap the body
 * in a stream and tie an AbortSignal to a second one: per request, for nothing read.
 */
interface TrpcRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHeaders;
  readonly signal: AbortSignal;
  readonly body: null;
  text(): Promise<string>;
}

/** A Node request's headers (names already lower-cased by Node) read the way `Headers` reads. */
class IncomingHeaders {
  constructor(private readonly raw: FastifyRequest["raw"]["headers"]) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
}

/** The request as tRPC's handler reads it, or undefined when only the stock adapter can tell. */
function asFetchRequest(request: FastifyRequest): Request | undefined {
  const { raw } = request;
  const hasBody = raw.method !== "GET" && raw.method !== "HEAD";
  if (hasBody && typeof request.body !== "string") return undefined;
  const url = urlOf(request);
  if (url === undefined) return undefined;
  const body = hasBody ? (request.body as string) : "";
  const lean: TrpcRequest = {
    method: raw.method ?? "GET",
    url,
    headers: new IncomingHeaders(raw.headers),
    // Never aborted, like the signal of the Request this replaces: no procedure here takes it.
    signal: new AbortController().signal,
    body: null,
    text: () => Promise.resolve(body),
  };
  // resolveResponse is typed for a Request; `TrpcRequest` is the part of one it uses.
  return lean as unknown as Request;
}

/** The absolute URL of the request, as `new URL(raw.url, <origin>)` spells it; undefined if none. */
function urlOf(request: FastifyRequest): string | undefined {
  const { raw } = request;
  const base = `${protocolOf(request)}//${raw.headers.host ?? "localhost"}`;
  const target = raw.url ?? "";
  // The usual origin-form target ("/trpc/...") is appended; anything else is resolved.
  if (target.startsWith("/") && !target.startsWith("//")) {
    const url = base + target;
    return URL.canParse(url) ? url : undefined;
  }
  try {
    return new URL(target, base).href;
  } catch {
    return undefined;
  }
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
  const body = Buffer.from(await response.arrayBuffer());
  return sendJson(reply, { status: response.status, headers: response.headers, body });
}

/** Status, headers (copied the way Fastify copies a Response's) and the body in one buffer. */
function sendJson(
  reply: FastifyReply,
  answer: FastAnswer | { status: number; headers: Headers; body: Buffer },
): FastifyReply {
  reply.code(answer.status);
  for (const [name, value] of answer.headers) {
    reply.header(name, name === "vary" ? mergedVary(reply.getHeader("vary"), value) : value);
  }
  // Bytes, not a string: Fastify would add "; charset=utf-8" to the content-type of a string.
  const { body } = answer;
  return reply.send(typeof body === "string" ? Buffer.from(body) : body);
}

/**
 * tRPC answers with its own `vary`; CORS has already set `Vary: Origin` on an allowed origin's
 * answer, and a cache that lost it could serve one origin's CORS headers to another.
 */
function mergedVary(current: unknown, added: string): string {
  if (current === undefined) return added;
  const names = [String(current ?? ""), added].flatMap((list) => list.split(","));
  const unique = new Map<string, string>();
  for (const name of names.map((n) => n.trim()).filter(Boolean)) {
    if (!unique.has(name.toLowerCase())) unique.set(name.toLowerCase(), name);
  }
  return [...unique.values()].join(", ");
}
