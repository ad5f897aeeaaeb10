import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** Where the CLI finds the running service, its internal listener and its sandbox. */
export interface Targets {
  readonly service: string;
  readonly internal: string;
  readonly sandbox: string;
}

type Env = Record<string, string | undefined>;

/**
 * The same defaults the service starts with (PORT 3000, INTERNAL_PORT 3002, SANDBOX_PORT 3001,
 * all on this machine), so a second terminal in the same folder needs no settings at all.
 */
export function defaultTargets(env: Env): Targets {
  const local = (port: string | undefined, fallback: number) =>
    `http://127.0.0.1:${port?.trim() || fallback}`;
  return {
    service: env.PORTONE_BFF_URL?.trim() || local(env.PORT, 3000),
    internal: env.PORTONE_BFF_INTERNAL_URL?.trim() || local(env.INTERNAL_PORT, 3002),
    sandbox: env.PORTONE_SANDBOX_URL?.trim() || local(env.SANDBOX_PORT, 3001),
  };
}

/** An http(s) URL from a flag or variable, or a message naming it. */
export function checkedUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `${name} must be an http(s) URL, got ${JSON.stringify(value.slice(0, 200))}.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`${name} must be an http(s) URL, got ${url.protocol}.`);
  return value.replace(/\/+$/, "");
}

/** A mistake in how the command was called: exit code 2, the message says what to fix. */
export class UsageError extends Error {}

/** The embedded sandbox's state file under DATA_DIR: the service keeps it, the CLI reads it. */
export function embeddedSandboxStateFile(dataDir: string): string {
  return join(dataDir, "sandbox-state.json");
}

/**
 * The sandbox's API secret: PORTONE_SANDBOX_API_SECRET (the banner prints it), else the
 * embedded sandbox's state file under DATA_DIR, which is this user's own file on this machine.
 */
export function sandboxApiSecret(env: Env): string {
  const fromEnv = env.PORTONE_SANDBOX_API_SECRET?.trim();
  if (fromEnv) return fromEnv;
  const file = resolve(embeddedSandboxStateFile(env.DATA_DIR?.trim() || "data"));
  try {
    const state = JSON.parse(readFileSync(file, "utf8")) as {
      credentials?: { apiSecret?: unknown };
    };
    if (typeof state.credentials?.apiSecret === "string") return state.credentials.apiSecret;
  } catch {
    // Missing or unreadable: the message below says what to do.
  }
  throw new UsageError(
    `This scenario calls the sandbox's API: set PORTONE_SANDBOX_API_SECRET (the start-up banner prints it), or run from the service's folder (looked for ${file}).`,
  );
}

/** fetch with a bound on the whole exchange; the CLI never hangs on a silent server. */
export async function fetchJson(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
  timeoutMs = 10_000,
): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: { "content-type": "application/json", ...init.headers },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const why =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    throw new Error(
      `${new URL(url).origin} did not answer (${why}). Is the service running (npm start)?`,
    );
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: kept as text for the message.
  }
  return { status: response.status, body };
}
