import {
  type AnyTRPCProcedure,
  type AnyTRPCRouter,
  callTRPCProcedure,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  TRPCError,
  type TRPCProcedureType,
  transformTRPCResponse,
} from "@trpc/server";
import { getHTTPStatusCode, type ResponseMeta, type TRPCRequestInfo } from "@trpc/server/http";
import type { TRPCResponse } from "@trpc/server/rpc";

/**
 * tRPC's HTTP protocol for the plain calls a browser makes: a GET query or a POST mutation with
 * JSON input, single or batched, every procedure found and called with the method its type
 * takes. Built from tRPC's public pieces (`callTRPCProcedure`, `getTRPCErrorShape`,
 * `getHTTPStatusCode`, `transformTRPCResponse`) in the steps and order of its `resolveResponse`,
 * without the Fetch `Request`, `Headers`, `Response` and the AbortSignals that builds per call.
 *
 * `planFastRequest` only says yes to requests whose answer it can give exactly as
 * `resolveResponse` would; anything else (an unknown procedure, a method the procedure does not
 * take, input that is not JSON, streaming, subscriptions, method override, batch limits, odd
 * URLs) gets undefined, and the caller hands the request to `resolveResponse`. Once a plan is
 * made the procedures run, so a plan never falls back.
 */

/** What the fast path needs of the request: Node's method, URL, headers, and the body string. */
export interface FastRequestParts {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Fastify's parsed body: a string for JSON (the route's parser), anything else otherwise. */
  readonly body: unknown;
  /** The procedure path as the route got it (tRPC decodes it once more, as here). */
  readonly path: string;
}

/** The options of `resolveResponse` that the fast path reads; the rest are its business. */
export interface FastPathOptions<TContext, TRequest> {
  readonly router: AnyTRPCRouter;
  readonly createContext: (
    info: TRPCRequestInfo,
    request: TRequest,
  ) => TContext | Promise<TContext>;
  readonly responseMeta?: (opts: ResponseMetaArgs<TContext>) => ResponseMeta;
  readonly onError?: (opts: FastCallError<TContext>, request: TRequest) => void;
  readonly maxBatchSize?: number;
  readonly allowBatching?: boolean;
  readonly batching?: { readonly enabled: boolean };
  readonly allowMethodOverride?: boolean;
}

export interface ResponseMetaArgs<TContext> {
  readonly ctx: TContext | undefined;
  readonly info: TRPCRequestInfo;
  readonly paths: readonly string[];
  readonly data: TRPCResponse[];
  readonly errors: TRPCError[];
  readonly eagerGeneration: false;
  readonly type: TRPCProcedureType | "unknown";
}

export interface FastCallError<TContext> {
  readonly error: TRPCError;
  readonly path: string | undefined;
  readonly input: unknown;
  readonly ctx: TContext | undefined;
  readonly type: TRPCProcedureType | "unknown";
}

interface FastCall {
  readonly batchIndex: number;
  readonly path: string;
  readonly procedure: AnyTRPCProcedure;
  readonly getRawInput: () => Promise<unknown>;
  readonly result: () => unknown;
}

export interface FastPlan {
  readonly isBatchCall: boolean;
  readonly type: "query" | "mutation";
  readonly calls: FastCall[];
  /** The request's absolute URL, for `info.url` (built only if someone reads it). */
  readonly href: string;
}

/** The whole answer: status, headers in the order a Fetch `Headers` lists them, JSON body. */
export interface FastAnswer {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

/** Printable ASCII but `#`: URLs whose query `new URL` hands to URLSearchParams unchanged. */
const PLAIN_TARGET = /^\/(?!\/)[!"$-~]*$/;

/** A plan for the request if the fast path answers it exactly like `resolveResponse`. */
export function planFastRequest<TContext, TRequest>(
  request: FastRequestParts,
  options: FastPathOptions<TContext, TRequest>,
  protocol: "http:" | "https:",
): FastPlan | undefined {
  const { method, headers } = request;
  if (method !== "GET" && method !== "POST") return undefined;
  if (options.allowMethodOverride) return undefined;
  if (!takesPlainJson(method, headers, request.body)) return undefined;
  const href = plainUrl(request.url, headers.host, protocol);
  if (href === undefined) return undefined;
  const query = new URLSearchParams(href.slice(href.indexOf("?") + 1 || href.length));
  if (query.has("connectionParams")) return undefined;
  const isBatchCall = query.get("batch") === "1";
  const paths = procedurePaths(request.path, options.router, isBatchCall);
  if (paths === undefined || !batchAllowed(paths.length, isBatchCall, options)) return undefined;
  const text = method === "GET" ? query.get("input") : (request.body as string);
  const inputs = parsedInputs(text, paths.length, isBatchCall, options.router);
  if (inputs === undefined) return undefined;
  const type = method === "GET" ? "query" : "mutation";
  const calls = callsOf(paths, options.router, type, inputs);
  return calls && { isBatchCall, type, calls, href };
}

/**
 * JSON in, JSON out, no streaming: a JSON content-type (a GET may have none) and no `trpc-accept`
 * or jsonl `accept` (those ask for a streamed answer, which `resolveResponse` gives).
 */
function takesPlainJson(
  method: "GET" | "POST",
  headers: FastRequestParts["headers"],
  body: unknown,
): boolean {
  if (headers["trpc-accept"] !== undefined) return false;
  const accept = headers.accept;
  if (accept !== undefined && (typeof accept !== "string" || accept.includes("jsonl")))
    return false;
  const contentType = headers["content-type"];
  if (method === "GET" && contentType === undefined) return true;
  if (typeof contentType !== "string") return false;
  // tRPC's test: media types are case-insensitive, parameters after ';' do not count.
  const isJson = contentType.toLowerCase().split(";", 1)[0]?.trim() === "application/json";
  return isJson && (method === "GET" || typeof body === "string");
}

/** One URL whose host `new URL` accepted, so that the usual one is checked once, not per call. */
let lastGoodOrigin = "";

/** The request's absolute URL if `new URL` takes it unchanged; undefined for anything unusual. */
function plainUrl(
  target: string | undefined,
  host: string | string[] | undefined,
  protocol: "http:" | "https:",
): string | undefined {
  if (target === undefined || !PLAIN_TARGET.test(target)) return undefined;
  const origin = `${protocol}//${typeof host === "string" ? host : "localhost"}`;
  if (origin !== lastGoodOrigin) {
    // With a plain target only the host can make `new URL` refuse, or rewrite it (IDNA, case).
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) return undefined;
    lastGoodOrigin = origin;
  }
  return origin + target;
}

/** The procedure paths of the call, decoded as `resolveResponse` decodes them; undefined if bad. */
function procedurePaths(
  routePath: string,
  router: AnyTRPCRouter,
  isBatchCall: boolean,
): string[] | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(routePath);
  } catch {
    return undefined;
  }
  const separator = router._def._config.pathSeparator;
  const path = separator === "." ? decoded : decoded.split(separator).join(".");
  return isBatchCall ? path.split(",") : [path];
}

function batchAllowed<TContext, TRequest>(
  calls: number,
  isBatchCall: boolean,
  options: FastPathOptions<TContext, TRequest>,
): boolean {
  if (!isBatchCall) return true;
  if ((options.allowBatching ?? options.batching?.enabled ?? true) === false) return false;
  return typeof options.maxBatchSize !== "number" || calls <= options.maxBatchSize;
}

/**
 * The raw input of every call, by its index in the batch, through the router's transformer as
 * `resolveResponse` reads it; undefined when it would fail (not JSON, a batch that is not an
 * object), so that `resolveResponse` gives that error where and when it gives it.
 */
function parsedInputs(
  text: string | null,
  calls: number,
  isBatchCall: boolean,
  router: AnyTRPCRouter,
): unknown[] | undefined {
  const inputs = new Array<unknown>(calls);
  if (!text) return inputs;
  const { deserialize } = router._def._config.transformer.input;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isBatchCall) {
      inputs[0] = deserialize(parsed);
      return inputs;
    }
    if (!isObject(parsed)) return undefined;
    for (let index = 0; index < calls; index++) {
      const input = parsed[index];
      if (input !== undefined) inputs[index] = deserialize(input);
    }
    return inputs;
  } catch {
    return undefined;
  }
}

/** The calls, if every path names a procedure of the type the method calls. */
function callsOf(
  paths: readonly string[],
  router: AnyTRPCRouter,
  type: "query" | "mutation",
  inputs: readonly unknown[],
): FastCall[] | undefined {
  const procedures: Record<string, AnyTRPCProcedure | undefined> = router._def.procedures;
  // Like `result()` of tRPC's calls: the inputs show once a call has read them.
  let inputsRead = false;
  const calls: FastCall[] = [];
  for (const [batchIndex, path] of paths.entries()) {
    const procedure = Object.hasOwn(procedures, path) ? procedures[path] : undefined;
    if (procedure?._def.type !== type) return undefined;
    calls.push({
      batchIndex,
      path,
      procedure,
      getRawInput: () => {
        inputsRead = true;
        return Promise.resolve(inputs[batchIndex]);
      },
      result: () => (inputsRead ? inputs[batchIndex] : undefined),
    });
  }
  return calls;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && !Array.isArray(value) && typeof value === "object";
}

type CallOutcome = readonly [TRPCError, undefined] | readonly [undefined, unknown];

/** Runs a plan's calls and gives the answer `resolveResponse` would give for them. */
export async function answerFastRequest<TContext, TRequest>(
  plan: FastPlan,
  options: FastPathOptions<TContext, TRequest>,
  request: TRequest,
): Promise<FastAnswer> {
  const info = requestInfo(plan);
  let ctx: TContext | undefined;
  let ctxError: TRPCError | undefined;
  try {
    ctx = await options.createContext(info, request);
  } catch (cause) {
    ctxError = getTRPCErrorFromUnknown(cause);
  }
  const outcomes = await Promise.all(
    plan.calls.map((call) => runCall(call, plan.type, options, request, ctx, ctxError)),
  );
  const config = options.router._def._config;
  const shapeOf = (error: TRPCError, path: string | undefined, input: unknown) => ({
    error: getTRPCErrorShape({ config, ctx, error, input, path, type: plan.type }),
  });
  if (!plan.isBatchCall) {
    const [call] = plan.calls as [FastCall];
    const [error, data] = outcomes[0] as CallOutcome;
    if (!error && isDataStream(data)) {
      // resolveResponse throws here and answers from its catch: no path, no input.
      const thrown = streamInPlainAnswer();
      const report = { error: thrown, path: undefined, input: undefined, ctx, type: plan.type };
      options.onError?.(report, request);
      return answerOf(plan, info, ctx, options, [shapeOf(thrown, undefined, undefined)], [thrown]);
    }
    const response = error ? shapeOf(error, call.path, call.result()) : { result: { data } };
    return answerOf(plan, info, ctx, options, [response], error ? [error] : []);
  }
  const errors: (TRPCError | undefined)[] = [];
  const responses = outcomes.map(([error, data], index): TRPCResponse => {
    const call = plan.calls[index] as FastCall;
    const failure = error ?? (isDataStream(data) ? streamInPlainAnswer() : undefined);
    errors.push(failure);
    return failure ? shapeOf(failure, call.path, call.result()) : { result: { data } };
  });
  return answerOf(plan, info, ctx, options, responses, errors);
}

async function runCall<TContext, TRequest>(
  call: FastCall,
  type: "query" | "mutation",
  options: FastPathOptions<TContext, TRequest>,
  request: TRequest,
  ctx: TContext | undefined,
  ctxError: TRPCError | undefined,
): Promise<CallOutcome> {
  try {
    if (ctxError) throw ctxError;
    const data: unknown = await callTRPCProcedure({
      router: options.router,
      path: call.path,
      getRawInput: call.getRawInput,
      ctx,
      type,
      // No procedure here takes a signal; the type allows none, as server-side callers pass.
      signal: undefined,
      batchIndex: call.batchIndex,
    });
    return [undefined, data];
  } catch (cause) {
    const error = getTRPCErrorFromUnknown(cause);
    options.onError?.({ error, path: call.path, input: call.result(), ctx, type }, request);
    return [error, undefined];
  }
}

/**
 * What tRPC tells `createContext` and `responseMeta` about the request. Its signal and URL are
 * made only when read: a signal that never aborts (the request's, like the one the lean route
 * gave `resolveResponse`), and the URL object of the request.
 */
function requestInfo(plan: FastPlan): TRPCRequestInfo {
  let signal: AbortSignal | undefined;
  let url: URL | undefined;
  return {
    accept: null,
    type: plan.type,
    isBatchCall: plan.isBatchCall,
    calls: plan.calls,
    connectionParams: null,
    get signal() {
      signal ??= new AbortController().signal;
      return signal;
    },
    get url() {
      url ??= new URL(plan.href);
      return url;
    },
  };
}

function streamInPlainAnswer(): TRPCError {
  return new TRPCError({
    code: "UNSUPPORTED_MEDIA_TYPE",
    message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink",
  });
}

/** tRPC's test for a result only a streamed answer can carry. */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (Symbol.asyncIterator in value) return true;
  return Object.values(value).some(
    (field) => isPromiseLike(field) || (isObject(field) && Symbol.asyncIterator in field),
  );
}

function isPromiseLike(value: unknown): boolean {
  if (!isObject(value) && typeof value !== "function") return false;
  const candidate = value as { then?: unknown; catch?: unknown };
  return typeof candidate.then === "function" && typeof candidate.catch === "function";
}

/** Status and headers as tRPC's `initResponse` sets them, then the body. */
function answerOf<TContext, TRequest>(
  plan: FastPlan,
  info: TRPCRequestInfo,
  ctx: TContext | undefined,
  options: FastPathOptions<TContext, TRequest>,
  responses: TRPCResponse[],
  errors: readonly (TRPCError | undefined)[],
): FastAnswer {
  const meta =
    options.responseMeta?.({
      ctx,
      info,
      paths: plan.calls.map((call) => call.path),
      data: responses,
      errors: errors.filter((error): error is TRPCError => error !== undefined),
      eagerGeneration: false,
      type: plan.type,
    }) ?? {};
  const config = options.router._def._config;
  const body = plan.isBatchCall
    ? transformTRPCResponse(config, responses)
    : transformTRPCResponse(config, responses[0] as TRPCResponse);
  return {
    status: meta.status || getHTTPStatusCode(responses, errors),
    headers: answerHeaders(meta.headers),
    body: JSON.stringify(body),
  };
}

const PLAIN_HEADERS = [
  ["content-type", "application/json"],
  ["vary", "trpc-accept, accept"],
] as const;

/**
 * tRPC's own two headers, plus what `responseMeta` added, as a Fetch `Headers` would hold and
 * list them (lower-cased, sorted, repeated names joined); a `Headers` only when there are any.
 */
function answerHeaders(added: ResponseMeta["headers"]): readonly (readonly [string, string])[] {
  if (added === undefined) return PLAIN_HEADERS;
  const headers = new Headers();
  for (const [name, value] of PLAIN_HEADERS) headers.set(name, value);
  if (added instanceof Headers) {
    for (const [name, value] of added) headers.append(name, value);
  } else {
    for (const [name, value] of Object.entries(added)) {
      if (Array.isArray(value)) for (const each of value) headers.append(name, each);
      else if (typeof value === "string") headers.set(name, value);
    }
  }
  return [...headers];
}
