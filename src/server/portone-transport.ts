import http from "node:http";
import https from "node:https";
import type { FetchFunction, FetchResponse } from "../sdk/index.js";

/** Idle keep-alive connections are closed after this long (undici's default for fetch). */
const IDLE_SOCKET_MS = 4_000;

/**
 * The service's way to PortOne: what the SDK's `fetch` option takes, over node:http(s) with
 * keep-alive connections instead of the global fetch. Every `payment.complete` makes one
 * PortOne call, and fetch spends several times the client CPU of a plain request on it
 * (a Request, a Response, WHATWG streams and AbortSignals per call; see
 * bench/portone-transport.js). The SDK's guards stay its own: the signal it passes (its
 * timeout, or the caller's) aborts the request and the reading of its body, and a request that
 * fails rejects, as fetch's does, so the SDK maps and retries it as ever.
 *
 * The answer is the part of a `Response` the SDK reads (`FetchResponse`): `status`, `ok`,
 * `headers` (a `Headers`, built on first read: a success never reads it) and `text()`. Redirects are not followed (PortOne's API answers none; a 3xx is an unexpected
 * answer) and no compression is asked for.
 */
export function createPortOneTransport(): FetchFunction {
  const agents = {
    "http:": new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
    "https:": new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  };
  const aborts = new AbortFanOut();
  return (url, init) => {
    const protocol = url.startsWith("https:") ? "https:" : url.startsWith("http:") ? "http:" : "";
    if (protocol === "") return Promise.reject(new TypeError(`Not an HTTP(S) URL: ${url}`));
    return send(protocol === "https:" ? https : http, agents[protocol], aborts, url, init);
  };
}

function send(
  client: typeof http | typeof https,
  agent: http.Agent,
  aborts: AbortFanOut,
  url: string,
  init: RequestInit,
): Promise<FetchResponse> {
  const body = typeof init.body === "string" ? init.body : undefined;
  if (init.body != null && body === undefined)
    return Promise.reject(new TypeError("Only string request bodies are supported"));
  const headers = plainHeaders(init.headers);
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  return new Promise<FetchResponse>((resolve, reject) => {
    const request = client.request(
      url,
      { method: init.method ?? "GET", headers, agent },
      // Like fetch, the answer is there with its status and headers; its body follows.
      (response) => resolve(new PlainResponse(response, bodyOf(response))),
    );
    request.once("error", reject);
    if (init.signal) aborts.watch(init.signal, request);
    request.end(body);
  });
}

/** The body as text; rejects if the answer breaks off (a reset, an abort) before its end. */
function bodyOf(response: http.IncomingMessage): Promise<string> {
  const text = new Promise<string>((resolve, reject) => {
    response.setEncoding("utf8");
    let received = "";
    response.on("data", (chunk: string) => {
      received += chunk;
    });
    response.once("error", reject);
    response.once("close", () => {
      if (!response.complete) reject(new Error("The response ended before it was complete"));
    });
    response.once("end", () => resolve(received));
  });
  // Read by `text()`; a body nobody reads must not fail the process when it breaks off.
  text.catch(() => {});
  return text;
}

/**
 * Aborts requests with their signal, through one listener per signal however many requests
 * share it: the SDK's timeout signal is shared by the calls that start close together (see its
 * TimeoutGroup), and a listener per request (what `http.request`'s own `signal` option adds)
 * would pass EventTarget's leak warning at 11 calls in flight. A request aborted after its
 * answer began breaks off its body too, which then rejects.
 */
class AbortFanOut {
  readonly #requests = new WeakMap<AbortSignal, Set<http.ClientRequest>>();

  watch(signal: AbortSignal, request: http.ClientRequest): void {
    if (signal.aborted) {
      request.destroy(abortError(signal));
      return;
    }
    let requests = this.#requests.get(signal);
    if (!requests) {
      const watched = new Set<http.ClientRequest>();
      signal.addEventListener(
        "abort",
        () => {
          for (const each of watched) each.destroy(abortError(signal));
          watched.clear();
        },
        { once: true },
      );
      this.#requests.set(signal, watched);
      requests = watched;
    }
    const watched = requests;
    watched.add(request);
    request.once("close", () => watched.delete(request));
  }
}

/** What fetch rejects with on an abort: the signal's reason. */
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error
    ? reason
    : new DOMException("The operation was aborted.", "AbortError");
}

/** The SDK's headers (a plain object of lowercase names, or a `Headers`) as node:http takes them. */
function plainHeaders(headers: RequestInit["headers"]): Record<string, string> {
  if (headers === undefined) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers);
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  return { ...(headers as Record<string, string>) };
}

/** What the SDK reads of a `Response` (see `createPortOneTransport`). */
class PlainResponse implements FetchResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly #rawHeaders: http.IncomingHttpHeaders;
  readonly #text: Promise<string>;
  #headers: Headers | undefined;

  constructor(response: http.IncomingMessage, text: Promise<string>) {
    this.status = response.statusCode ?? 0;
    this.ok = this.status >= 200 && this.status < 300;
    this.#rawHeaders = response.headers;
    this.#text = text;
  }

  get headers(): Headers {
    if (!this.#headers) {
      const headers = new Headers();
      for (const [name, value] of Object.entries(this.#rawHeaders)) {
        if (Array.isArray(value)) for (const each of value) headers.append(name, each);
        else if (value !== undefined) headers.set(name, value);
      }
      this.#headers = headers;
    }
    return this.#headers;
  }

  text(): Promise<string> {
    return this.#text;
  }
}
