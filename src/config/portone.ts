import type { ChannelType } from "../payments/ports.js";
import {
  commaList,
  type Env,
  integer,
  loadSection,
  oneOf,
  optionalText,
  optionalUrl,
  presentValue,
  type Section,
  textWithDefault,
  urlWithDefault,
} from "./variables.js";

export type { ChannelType };

/** How PortOne is called, whichever PortOne it is (the real API or the embedded sandbox). */
export interface PortOneTuning {
  /** One or more secrets (rotation): a webhook verifies if any of them matches. */
  readonly webhookSecrets: readonly string[];
  readonly timeoutMs: number;
  readonly maxRetries: number;
}

export interface PortOneConfig extends PortOneTuning {
  readonly apiSecret: string;
  readonly baseUrl: string;
  readonly storeId: string;
  readonly channelKey: string;
  /** The channel type a paid payment must have: LIVE in production, TEST against a test channel. */
  readonly channelType: ChannelType;
}

/** A sandbox running as its own process (`npm run sandbox`), named by the PORTONE_SANDBOX_* lines it prints. */
export interface StandaloneSandbox {
  readonly url: string;
  readonly apiSecret: string;
  readonly storeId: string;
  readonly channelKey: string;
  readonly webhookSecret: string;
}

/**
 * Which PortOne the service talks to. Sandbox: the embedded one, started by src/main.ts, or a
 * standalone one when `standaloneSandbox` is set; either way with anonymous callers and the
 * demo catalog allowed. Live: the PortOne API with a real secret.
 */
export type ModeConfig =
  | { readonly mode: "live"; readonly portone: PortOneConfig }
  | {
      readonly mode: "sandbox";
      /** Where the embedded sandbox listens (not started with a standalone sandbox). */
      readonly sandbox: { readonly host: string; readonly port: number };
      readonly standaloneSandbox?: StandaloneSandbox;
      readonly portone: PortOneTuning;
    };

/**
 * The variables naming a standalone sandbox: all of them or none. They mean sandbox mode, so
 * they are not live variables, and live mode refuses them.
 */
export const STANDALONE_SANDBOX_VARIABLES = [
  "PORTONE_SANDBOX_URL",
  "PORTONE_SANDBOX_API_SECRET",
  "PORTONE_SANDBOX_STORE_ID",
  "PORTONE_SANDBOX_CHANNEL_KEY",
  "PORTONE_SANDBOX_WEBHOOK_SECRET",
] as const;

/** How the service calls a standalone sandbox: like the embedded one, a TEST channel. */
export function standaloneSandboxPortOne(
  standalone: StandaloneSandbox,
  tuning: PortOneTuning,
): PortOneConfig {
  return {
    apiSecret: standalone.apiSecret,
    baseUrl: standalone.url,
    storeId: standalone.storeId,
    channelKey: standalone.channelKey,
    channelType: "TEST",
    ...tuning,
    webhookSecrets: [standalone.webhookSecret, ...tuning.webhookSecrets],
  };
}

/**
 * Variables that only mean something in front of real money: any of them set says "this is a
 * deployment", so without PORTONE_API_SECRET the service refuses to start instead of quietly
 * running the sandbox in front of the real shop, identity provider, database and subscribers.
 * Tuning (timeouts, limits, ports) and ADMIN_TOKEN do not count: they are as useful locally.
 */
export const LIVE_VARIABLES = [
  "PORTONE_API_SECRET",
  "PORTONE_STORE_ID",
  "PORTONE_CHANNEL_KEY",
  "PORTONE_CHANNEL_TYPE",
  "PORTONE_BASE_URL",
  "PORTONE_WEBHOOK_SECRET",
  "ORDER_SOURCE_URL",
  "ORDER_SOURCE_TOKEN",
  "AUTH_JWT_SECRET",
  "AUTH_JWKS_URL",
  "AUTH_JWT_ISSUER",
  "AUTH_JWT_AUDIENCE",
  "AUTH_CUSTOMER_CLAIM",
  "DATABASE_URL",
  "WEBHOOK_SUBSCRIBERS",
] as const;

/** Settings the embedded sandbox supplies itself: set in sandbox mode they would be ignored. */
const SANDBOX_SUPPLIED = [
  "PORTONE_API_SECRET",
  "PORTONE_STORE_ID",
  "PORTONE_CHANNEL_KEY",
  "PORTONE_CHANNEL_TYPE",
  "PORTONE_BASE_URL",
] as const;

const portoneVariables = {
  PORTONE_MODE: oneOf(["live", "sandbox"]),
  PORTONE_API_SECRET: optionalText,
  PORTONE_BASE_URL: urlWithDefault("https://api.portone.io"),
  PORTONE_STORE_ID: optionalText,
  PORTONE_CHANNEL_KEY: optionalText,
  PORTONE_CHANNEL_TYPE: oneOf(["LIVE", "TEST"]),
  PORTONE_TIMEOUT_MS: integer(100, 300_000, 60_000),
  PORTONE_MAX_RETRIES: integer(0, 10, 2),
  PORTONE_WEBHOOK_SECRET: commaList,
  SANDBOX_HOST: textWithDefault("127.0.0.1"),
  SANDBOX_PORT: integer(0, 65_535, 3001),
  PORTONE_SANDBOX_URL: optionalUrl,
  PORTONE_SANDBOX_API_SECRET: optionalText,
  PORTONE_SANDBOX_STORE_ID: optionalText,
  PORTONE_SANDBOX_CHANNEL_KEY: optionalText,
  PORTONE_SANDBOX_WEBHOOK_SECRET: optionalWebhookSecret(),
};

/** A Standard Webhooks secret as the sandbox prints it: base64, `whsec_` optional. */
function optionalWebhookSecret() {
  return optionalText.refine((value) => value === undefined || WEBHOOK_SECRET.test(value), {
    error: "must be the sandbox's webhook secret as it prints it (whsec_ and base64)",
  });
}
const WEBHOOK_SECRET = /^(whsec_)?[A-Za-z0-9+/]{16,}={0,2}$/;

/** The mode the environment asks for, or why it cannot be decided safely. */
export function chooseMode(env: Env): { mode?: "live" | "sandbox"; problems: string[] } {
  const explicit = presentValue(env, "PORTONE_MODE");
  const secret = presentValue(env, "PORTONE_API_SECRET");
  if (explicit === "live") return { mode: "live", problems: [] };
  if (explicit === "sandbox") {
    const ignored = SANDBOX_SUPPLIED.filter((name) => presentValue(env, name));
    return {
      mode: "sandbox",
      problems: ignored.map(
        (name) =>
          `${name}: is set, but PORTONE_MODE=sandbox uses the sandbox's own (embedded, or PORTONE_SANDBOX_*); unset it or set PORTONE_MODE=live`,
      ),
    };
  }
  if (explicit !== undefined) return { problems: [] }; // reported by the schema
  if (env.NODE_ENV?.trim() === "production")
    return {
      problems: [
        "PORTONE_MODE: must be set (live or sandbox) when NODE_ENV=production; the service does not guess with real money",
      ],
    };
  if (secret) return { mode: "live", problems: [] };
  const live = LIVE_VARIABLES.filter((name) => presentValue(env, name));
  if (live.length === 0) return { mode: "sandbox", problems: [] };
  return {
    problems: [
      `PORTONE_API_SECRET: is not set, but live settings are (${live.join(", ")}); set it for live mode, or set PORTONE_MODE=sandbox to run against the embedded sandbox on purpose`,
    ],
  };
}

export function loadModeConfig(env: Env): Section<ModeConfig> {
  const chosen = chooseMode(env);
  return loadSection(
    env,
    portoneVariables,
    (v): ModeConfig => {
      const tuning: PortOneTuning = {
        webhookSecrets: v.PORTONE_WEBHOOK_SECRET,
        timeoutMs: v.PORTONE_TIMEOUT_MS,
        maxRetries: v.PORTONE_MAX_RETRIES,
      };
      if (chosen.mode === "sandbox") {
        const standalone = v.PORTONE_SANDBOX_URL
          ? {
              url: v.PORTONE_SANDBOX_URL.replace(/\/+$/, ""),
              // Present: the cross-checks below refuse a partial set.
              apiSecret: v.PORTONE_SANDBOX_API_SECRET as string,
              storeId: v.PORTONE_SANDBOX_STORE_ID as string,
              channelKey: v.PORTONE_SANDBOX_CHANNEL_KEY as string,
              webhookSecret: v.PORTONE_SANDBOX_WEBHOOK_SECRET as string,
            }
          : undefined;
        return {
          mode: "sandbox",
          sandbox: { host: v.SANDBOX_HOST, port: v.SANDBOX_PORT },
          ...(standalone ? { standaloneSandbox: standalone } : {}),
          portone: tuning,
        };
      }
      return {
        mode: "live",
        portone: {
          // Present: the cross-checks below refuse live mode without them.
          apiSecret: v.PORTONE_API_SECRET as string,
          storeId: v.PORTONE_STORE_ID as string,
          channelKey: v.PORTONE_CHANNEL_KEY as string,
          baseUrl: v.PORTONE_BASE_URL.replace(/\/+$/, ""),
          channelType: v.PORTONE_CHANNEL_TYPE ?? "LIVE",
          ...tuning,
        },
      };
    },
    (value) => [
      ...chosen.problems,
      ...(chosen.mode === "live" ? liveProblems(value) : []),
      ...standaloneSandboxProblems(value, chosen.mode),
    ],
  );
}

/** A standalone sandbox is named completely, and only in sandbox mode. */
function standaloneSandboxProblems(
  value: (name: string) => string | undefined,
  mode: "live" | "sandbox" | undefined,
): string[] {
  const set = STANDALONE_SANDBOX_VARIABLES.filter((name) => value(name));
  if (set.length === 0) return [];
  if (mode === "live")
    return [
      `${set.join(", ")}: name a standalone sandbox, but the service is in live mode (${value("PORTONE_MODE") === "live" ? "PORTONE_MODE=live" : "PORTONE_API_SECRET is set"}); unset them for live mode, or unset the live PortOne settings to run against the sandbox`,
    ];
  const missing = STANDALONE_SANDBOX_VARIABLES.filter((name) => !value(name)).map(
    (name) =>
      `${name}: is required with ${set.join(", ")} (a standalone sandbox needs all five; \`npm run sandbox\` prints them)`,
  );
  return isPortOneItself(value("PORTONE_SANDBOX_URL"))
    ? [
        ...missing,
        "PORTONE_SANDBOX_URL: points at PortOne itself, not a sandbox; use live mode (PORTONE_API_SECRET and the live settings) for PortOne",
      ]
    : missing;
}

/** Sandbox mode lets anonymous callers pay demo prices: never against the real PortOne API. */
function isPortOneItself(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const host = new URL(url).hostname.toLowerCase().replace(/\.$/, "");
    return host === "portone.io" || host.endsWith(".portone.io");
  } catch {
    return false; // reported by the URL check
  }
}

/** What live mode needs besides the secret; outside this section's variables too. */
function liveProblems(value: (name: string) => string | undefined): string[] {
  const problems: string[] = [];
  const require = (name: string, why: string) => {
    if (!value(name)) problems.push(`${name}: is required in live mode (${why})`);
  };
  require("PORTONE_API_SECRET", "the V2 API secret");
  require("PORTONE_STORE_ID", "the browser SDK needs it");
  require("PORTONE_CHANNEL_KEY", "the channel the checkout opens");
  require("ORDER_SOURCE_URL", "the shop backend that says what an order costs");
  if (!value("AUTH_JWT_SECRET") && !value("AUTH_JWKS_URL"))
    problems.push(
      "AUTH_JWT_SECRET: set AUTH_JWT_SECRET or AUTH_JWKS_URL: callers must be authenticated outside sandbox mode",
    );
  return problems;
}
