import { z } from "zod";
import {
  DEFAULT_EVENT_STREAM,
  DEFAULT_SUBJECT_PREFIX,
  STREAM_NAME_PATTERN,
  SUBJECT_PREFIX_PATTERN,
} from "./subjects.js";

/**
 * The NATS JetStream section of the service config (NATS_* variables). Absent unless NATS_URL is
 * set. Like the rest of the config it fails closed: a half-configured connection (a password
 * without a user, a TLS key without its certificate, credentials inside the URL) is a start-up
 * error naming the variable, never echoing its value.
 */
export interface NatsConfig {
  readonly servers: readonly string[];
  readonly stream: string;
  readonly subjectPrefix: string;
  /** Event patterns published ("Transaction.*", ...); every event when empty. */
  readonly events: readonly string[];
  /** Time limit of connecting, of each publish acknowledgement and of each JetStream API call. */
  readonly timeoutMs: number;
  /** The stream's de-duplication window; derived from the retry settings when absent. */
  readonly duplicateWindowMs?: number;
  /** How long the stream keeps events when this service creates it (0: forever). */
  readonly maxAgeMs: number;
  readonly replicas: number;
  readonly auth?:
    | { readonly kind: "user"; readonly user: string; readonly password: string }
    | { readonly kind: "token"; readonly token: string }
    | { readonly kind: "creds"; readonly credsFile: string };
  readonly tls?: {
    readonly caFile?: string;
    readonly certFile?: string;
    readonly keyFile?: string;
  };
}

const emptyAsUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;
const optionalText = z.preprocess(emptyAsUndefined, z.string().trim().min(1).max(4096).optional());
const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const serverUrl = z
  .string()
  .trim()
  .max(2048)
  .refine(
    (text) => {
      try {
        const url = new URL(text.includes("://") ? text : `nats://${text}`);
        return ["nats:", "tls:"].includes(url.protocol) && url.hostname !== "";
      } catch {
        return false;
      }
    },
    { error: "each server must be a nats:// or tls:// URL (or host:port)" },
  )
  .refine(
    (text) => {
      const url = new URL(text.includes("://") ? text : `nats://${text}`);
      return url.username === "" && url.password === "";
    },
    {
      // URLs end up in client errors and logs; credentials have their own variables.
      error:
        "must not contain credentials; use NATS_USER/NATS_PASSWORD, NATS_TOKEN or NATS_CREDS_FILE",
    },
  );

const natsSchema = z.object({
  NATS_URL: z
    .string()
    .transform((text) =>
      text
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part.length > 0),
    )
    .pipe(z.array(serverUrl).min(1, { error: "must name at least one server" }).max(16)),
  NATS_STREAM: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(STREAM_NAME_PATTERN, { error: "must be 1-64 letters, digits, '_' or '-'" })
      .default(DEFAULT_EVENT_STREAM),
  ),
  NATS_SUBJECT_PREFIX: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(SUBJECT_PREFIX_PATTERN, {
        error: "must be 1-4 dot-separated tokens of a-z, 0-9, '_' or '-' (no wildcards)",
      })
      .default(DEFAULT_SUBJECT_PREFIX),
  ),
  NATS_EVENTS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default("")
      .transform((text) =>
        text
          .split(",")
          .map((part) => part.trim())
          .filter((part) => part.length > 0),
      )
      .pipe(
        z
          .array(
            z
              .string()
              .regex(/^(\*|[A-Za-z][A-Za-z0-9]{0,63}(\.([A-Za-z][A-Za-z0-9]{0,63}|\*))?)$/, {
                error: 'each pattern must be an event type, "Family.*" or "*"',
              }),
          )
          .max(64),
      ),
  ),
  NATS_TIMEOUT_MS: z.preprocess(emptyAsUndefined, integer(100, 120_000).default(5_000)),
  NATS_DUPLICATE_WINDOW_MS: z.preprocess(
    emptyAsUndefined,
    integer(1_000, 2_592_000_000).optional(),
  ),
  NATS_STREAM_MAX_AGE_MS: z.preprocess(
    emptyAsUndefined,
    integer(0, 31_536_000_000 * 10).default(7 * 86_400_000),
  ),
  NATS_STREAM_REPLICAS: z.preprocess(emptyAsUndefined, integer(1, 5).default(1)),
  NATS_USER: optionalText,
  NATS_PASSWORD: optionalText,
  NATS_TOKEN: optionalText,
  NATS_CREDS_FILE: optionalText,
  NATS_TLS_CA_FILE: optionalText,
  NATS_TLS_CERT_FILE: optionalText,
  NATS_TLS_KEY_FILE: optionalText,
});

type NatsEnv = z.infer<typeof natsSchema>;

function authProblems(env: NatsEnv): string[] {
  const problems: string[] = [];
  const methods = [
    env.NATS_USER || env.NATS_PASSWORD ? "NATS_USER" : null,
    env.NATS_TOKEN ? "NATS_TOKEN" : null,
    env.NATS_CREDS_FILE ? "NATS_CREDS_FILE" : null,
  ].filter((method) => method !== null);
  if (methods.length > 1)
    problems.push(`NATS_TOKEN: set one of ${methods.join(", ")}, not several`);
  if (env.NATS_USER && !env.NATS_PASSWORD)
    problems.push("NATS_PASSWORD: is required with NATS_USER");
  if (env.NATS_PASSWORD && !env.NATS_USER)
    problems.push("NATS_USER: is required with NATS_PASSWORD");
  if (Boolean(env.NATS_TLS_CERT_FILE) !== Boolean(env.NATS_TLS_KEY_FILE))
    problems.push("NATS_TLS_KEY_FILE: NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together");
  return problems;
}

function toNatsConfig(env: NatsEnv): NatsConfig {
  const auth: NatsConfig["auth"] =
    env.NATS_USER && env.NATS_PASSWORD
      ? { kind: "user", user: env.NATS_USER, password: env.NATS_PASSWORD }
      : env.NATS_TOKEN
        ? { kind: "token", token: env.NATS_TOKEN }
        : env.NATS_CREDS_FILE
          ? { kind: "creds", credsFile: env.NATS_CREDS_FILE }
          : undefined;
  const tls =
    env.NATS_TLS_CA_FILE || env.NATS_TLS_CERT_FILE
      ? {
          ...(env.NATS_TLS_CA_FILE ? { caFile: env.NATS_TLS_CA_FILE } : {}),
          ...(env.NATS_TLS_CERT_FILE ? { certFile: env.NATS_TLS_CERT_FILE } : {}),
          ...(env.NATS_TLS_KEY_FILE ? { keyFile: env.NATS_TLS_KEY_FILE } : {}),
        }
      : undefined;
  return {
    servers: env.NATS_URL,
    stream: env.NATS_STREAM,
    subjectPrefix: env.NATS_SUBJECT_PREFIX,
    events: env.NATS_EVENTS,
    timeoutMs: env.NATS_TIMEOUT_MS,
    ...(env.NATS_DUPLICATE_WINDOW_MS ? { duplicateWindowMs: env.NATS_DUPLICATE_WINDOW_MS } : {}),
    maxAgeMs: env.NATS_STREAM_MAX_AGE_MS,
    replicas: env.NATS_STREAM_REPLICAS,
    ...(auth ? { auth } : {}),
    ...(tls ? { tls } : {}),
  };
}

/** The NATS section, or none when NATS_URL is unset; problems use the `VARIABLE: message` form. */
export function loadNatsConfig(env: Record<string, string | undefined>): {
  readonly config?: NatsConfig;
  readonly problems: readonly string[];
} {
  const url = env.NATS_URL?.trim();
  if (!url) {
    // NATS settings without a server would silently publish nothing: say so. Only our own
    // names count (Kubernetes, for one, injects NATS_PORT and friends for a "nats" service).
    const stray = Object.keys(natsSchema.shape).filter(
      (name) => name !== "NATS_URL" && env[name]?.trim(),
    );
    return stray.length > 0
      ? { problems: [`NATS_URL: is required with ${stray.sort().join(", ")}`] }
      : { problems: [] };
  }
  const parsed = natsSchema.safeParse(env);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((issue) => {
        const variable = issue.path.length > 0 ? String(issue.path[0]) : "NATS_URL";
        return `${variable}: ${issue.message}`;
      }),
    };
  }
  const problems = authProblems(parsed.data);
  return problems.length > 0 ? { problems } : { config: toNatsConfig(parsed.data), problems };
}
