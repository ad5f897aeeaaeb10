import { PortOneClient } from "@portone/server-sdk";
import { createSandbox, type Sandbox, type SandboxOptions } from "../../src/sandbox/index.js";
import { checkResponsesOf } from "./schema-check.js";

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test helper reads arbitrary JSON
  body: any;
}

/** A sandbox listening on an ephemeral loopback port, with ways to talk to it. */
export interface RunningSandbox {
  readonly sandbox: Sandbox;
  /** Its base URL, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  /** The official @portone/server-sdk, pointed at the sandbox. */
  readonly client: ReturnType<typeof PortOneClient>;
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

/**
 * Webhook retries in tests come after milliseconds, not minutes (PortOne's schedule times
 * 1/60,000); pass `webhookRetryScale: 1` to keep the real schedule.
 */
const TEST_RETRY_SCALE = 1 / 60_000;

/**
 * Starts a sandbox for a test. `checkSchema` validates every PortOne API response it sends
 * against openapi.json (see schema-check.ts; the sandbox's own suites turn it on).
 */
export async function startSandbox(
  options: SandboxOptions = {},
  { checkSchema = false }: { checkSchema?: boolean } = {},
): Promise<RunningSandbox> {
  const sandbox = await createSandbox({ webhookRetryScale: TEST_RETRY_SCALE, ...options });
  const url = await sandbox.listen({ port: 0 });
  const stopChecking = checkSchema ? checkResponsesOf(new URL(url).origin) : () => {};
  const client = PortOneClient({
    secret: sandbox.apiSecret,
    baseUrl: url,
    storeId: sandbox.storeId,
  });
  const api: RunningSandbox["api"] = async (
    method,
    path,
    { body, headers = {}, auth = true } = {},
  ) => {
    const response = await fetch(`${url}${path}`, {
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
    url,
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
      stopChecking();
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
 * The official SDK's unions end in an "unrecognized" branch (a symbol-typed discriminant, `status`
 * or `type`) for forward compatibility; a test knows which kind it asked for.
 */
export function known<T>(
  value: T,
): Exclude<T, { readonly status: symbol } | { readonly type: symbol }> {
  return value as Exclude<T, { readonly status: symbol } | { readonly type: symbol }>;
}

/** The error a PortOne API call (through the official SDK) failed with; throws if it did not. */
export async function portOneError(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as Error & { data: { type: string; message?: string } };
  }
  throw new Error("expected the call to fail");
}
