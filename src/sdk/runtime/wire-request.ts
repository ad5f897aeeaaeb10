/**
 * URL and body of a call, exactly as @portone/server-sdk builds them from the same arguments
 * (`new URL(path + query, baseUrl)` over encodeURIComponent'd values), but by concatenation:
 * parsing a URL per call costs more than the rest of the request building together.
 */
import { type CompiledOperation, DEFAULT_STORE_ID, HAS_BODY } from "./operation.js";
import type { PortOneClientInit } from "./options.js";

const DEFAULT_BASE_URL = "https://api.portone.io";

type Arguments = Record<string, unknown>;

export interface WireRequest {
  url: string;
  /** JSON body; undefined when there is none or it travels in the query */
  body: string | undefined;
}

let lastBase: string | undefined;
let lastOrigin: string | undefined;

/**
 * `scheme://userinfo@host:port` of the base URL, which is what `new URL("/path", base)` keeps;
 * undefined for schemes other than http(s), whose parsing rules differ (those take the slow path).
 */
function originOf(base: string): string | undefined {
  if (base !== lastBase) {
    const root = new URL("/", base);
    lastOrigin = /^https?:$/.test(root.protocol) ? root.href.slice(0, -1) : undefined;
    lastBase = base;
  }
  return lastOrigin;
}

export function buildWireRequest(
  init: Pick<PortOneClientInit, "baseUrl" | "storeId">,
  op: CompiledOperation,
  args: Arguments,
): WireRequest {
  const { pathPieces, pathParams } = op;
  let path = pathPieces[0] as string;
  // The URL parser would resolve a `.` or `..` segment; such a value takes the slow path.
  let dotSegment = false;
  for (let i = 0; i < pathParams.length; i++) {
    const name = pathParams[i] as string;
    const value = args[name];
    if (value === undefined || value === null) {
      throw new TypeError(`${op.name}: missing path parameter "${name}" in the options`);
    }
    const encoded = encodeURIComponent(String(value));
    if (encoded === "." || encoded === "..") dotSegment = true;
    path += encoded + pathPieces[i + 1];
  }
  let json: string | undefined;
  if (op.flags & HAS_BODY) {
    const body: Arguments = {};
    for (const name of Object.keys(args)) {
      if (!pathParams.includes(name) && !op.queryNames.includes(name)) body[name] = args[name];
    }
    if (op.flags & DEFAULT_STORE_ID) body.storeId = args.storeId ?? init.storeId;
    json = JSON.stringify(body);
  }
  let query = "";
  for (const name of op.queryNames) {
    const value = name === "requestBody" && op.bodyInQuery ? json : args[name];
    if (value === undefined || value === null) continue;
    query += `${query ? "&" : "?"}${name}=${encodeURIComponent(String(value))}`;
  }
  const base = init.baseUrl ?? DEFAULT_BASE_URL;
  const origin = originOf(base);
  const url =
    origin === undefined || dotSegment
      ? new URL(path + query, base).href
      : // The only character encodeURIComponent leaves that http(s) URL parsing escapes in a query.
        origin + path + (query.includes("'") ? query.replace(/'/g, "%27") : query);
  return { url, body: op.bodyInQuery ? undefined : json };
}
