import { PortOneClient } from "@portone/server-sdk";
import { createSandbox, type Sandbox, type SandboxOptions } from "../../../src/sandbox/index.js";
import { hasOpenApi, loadOpenApi } from "./openapi.js";

/** Schema problems seen in responses of every checked sandbox of this test file. */
export const schemaViolations: string[] = [];
/** How many PortOne API responses were checked against the schema, by operationId. */
export const checkedResponses = new Map<string, number>();

const checkedOrigins = new Set<string>();
const realFetch = globalThis.fetch;

/**
 * Wraps the global fetch (which the official SDK calls) so that every response a checked
 * sandbox sends for a PortOne operation is validated against openapi.json.
 */
function installCheckingFetch(): void {
  if (globalThis.fetch !== realFetch || !hasOpenApi) return;
  const schema = loadOpenApi();
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const response = await realFetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!checkedOrigins.has(url.origin) || url.pathname.startsWith("/sandbox/")) return response;
    const method = (
      init?.method ?? (input instanceof Request ? input.method : "GET")
    ).toUpperCase();
    const operation = schema.match(method, url.pathname);
    const text = await response.clone().text();
    if (!operation) {
      schemaViolations.push(`${method} ${url.pathname}: not an operation of the schema`);
      return response;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      schemaViolations.push(`${operation.operationId}: body is not JSON: ${text.slice(0, 80)}`);
      return response;
    }
    if ((body as { type?: unknown }).type === "IDEMPOTENCY_OUTSTANDING_REQUEST") return response;
    schemaViolations.push(...schema.check(operation.operationId, response.status, body));
    checkedResponses.set(
      operation.operationId,
      (checkedResponses.get(operation.operationId) ?? 0) + 1,
    );
    return response;
  };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test helper reads arbitrary JSON
  body: any;
}

export interface RunningSandbox {
  sandbox: Sandbox;
  baseUrl: string;
  /** The official @portone/server-sdk, pointed at the sandbox. */
  client: ReturnType<typeof PortOneClient>;
  /** A raw call with PortOne auth (unless `auth: false`). */
  api(
    method: string,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string>; auth?: boolean },
  ): Promise<RawResponse>;
  /** POST /sandbox/checkout with requestPayment parameters (storeId and channelKey filled in). */
  checkout(parameters: Record<string, unknown>): Promise<RawResponse>;
  close(): Promise<void>;
}

export async function startSandbox(
  options: SandboxOptions = {},
  { checkSchema = true }: { checkSchema?: boolean } = {},
): Promise<RunningSandbox> {
  installCheckingFetch();
  const sandbox = await createSandbox(options);
  const baseUrl = await sandbox.listen();
  if (checkSchema) checkedOrigins.add(new URL(baseUrl).origin);
  const client = PortOneClient({ secret: sandbox.apiSecret, baseUrl, storeId: sandbox.storeId });
  const api: RunningSandbox["api"] = async (
    method,
    path,
    { body, headers = {}, auth = true } = {},
  ) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(auth ? { authorization: `PortOne ${sandbox.apiSecret}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  };
  return {
    sandbox,
    baseUrl,
    client,
    api,
    checkout: (parameters) =>
      api("POST", "/sandbox/checkout", {
        auth: false,
        body: {
          storeId: sandbox.storeId,
          channelKey: sandbox.channelKey,
          orderName: "Sandbox test order",
          currency: "KRW",
          payMethod: "CARD",
          ...parameters,
        },
      }),
    close: async () => {
      checkedOrigins.delete(new URL(baseUrl).origin);
      await sandbox.close();
    },
  };
}

let sequence = 0;
/** A payment id unique within the test run. */
export function newPaymentId(label = "payment"): string {
  sequence += 1;
  return `${label}-${Date.now().toString(36)}-${sequence}`;
}

/**
 * The official SDK's unions end in an "unrecognized" branch (a symbol-typed discriminant) for
 * forward compatibility; a test knows which kind it asked for.
 */
export function known<T>(value: T): Exclude<T, { readonly status: symbol }> {
  return value as Exclude<T, { readonly status: symbol }>;
}
