import type { DestinationStream } from "pino";
import type { LogFormat, LogLevel } from "../config/http.js";

/** What someone who just started the service needs to know, in one place. */
export interface BannerFacts {
  readonly mode: "sandbox" | "live";
  readonly url: string;
  readonly internalUrl: string | undefined;
  /** Live mode: the PortOne API the service calls. */
  readonly portone?: string;
  /** Sandbox mode: the sandbox (embedded, or standalone), and its own throwaway credentials. */
  readonly sandbox?: {
    readonly api: string;
    readonly apiSecret: string;
    readonly webhookSecret: string;
    readonly storeId: string;
    readonly channelKey: string;
  };
  /** The sandbox is a process of its own (PORTONE_SANDBOX_*), not the embedded one. */
  readonly standaloneSandbox?: boolean;
}

function sandboxHeadline(facts: BannerFacts): string {
  return `portone-bff is running in SANDBOX MODE - NO REAL PAYMENTS: ${sandboxKind(facts)}, demo order catalog, anonymous callers allowed, every event marked as a test event`;
}

function sandboxKind(facts: BannerFacts): string {
  return facts.standaloneSandbox
    ? `standalone PortOne sandbox at ${facts.sandbox?.api}`
    : "embedded PortOne sandbox";
}

/** The URLs of the banner, derived once so both forms name the same ones. */
export function bannerUrls(facts: BannerFacts) {
  return {
    url: facts.url,
    trpc: `${facts.url}/trpc`,
    ...(facts.sandbox ? { shop: `${facts.url}/` } : {}),
    internalUrl: facts.internalUrl,
    ...(facts.internalUrl ? { events: `${facts.internalUrl}/admin/events` } : {}),
    ...(facts.sandbox
      ? {
          sandbox: {
            api: facts.sandbox.api,
            checkoutPage: `${facts.sandbox.api}/sandbox/checkout`,
            webhooksTo: `${facts.url}/webhooks/portone`,
          },
        }
      : {}),
  };
}

/**
 * The sandbox's credentials as environment lines, for the SDK, `portone-bff trigger` or a
 * second service. They belong to the local sandbox only (generated, or from its state file):
 * printing them is the point. Live secrets never reach the banner.
 */
export function sandboxCredentialLines(sandbox: NonNullable<BannerFacts["sandbox"]>): string[] {
  return [
    `PORTONE_SANDBOX_URL=${sandbox.api}`,
    `PORTONE_SANDBOX_API_SECRET=${sandbox.apiSecret}`,
    `PORTONE_SANDBOX_WEBHOOK_SECRET=${sandbox.webhookSecret}`,
    `PORTONE_SANDBOX_STORE_ID=${sandbox.storeId}`,
    `PORTONE_SANDBOX_CHANNEL_KEY=${sandbox.channelKey}`,
  ];
}

/**
 * The banner as log lines in pino's shape (level, time, service, msg): what a log collector
 * or a test reads. The first line keeps the message the start-up has always had.
 */
export function bannerJsonLines(facts: BannerFacts, now = new Date()): string[] {
  const base = { time: now.toISOString(), service: "portone-bff" };
  if (!facts.sandbox) {
    return [
      JSON.stringify({
        level: 30,
        ...base,
        mode: "live",
        ...bannerUrls(facts),
        portone: facts.portone,
        msg: `portone-bff is running in LIVE MODE against ${facts.portone}: real payments, authenticated callers only`,
      }),
    ];
  }
  const { api: _api, ...credentials } = facts.sandbox;
  return [
    JSON.stringify({
      level: 40,
      ...base,
      mode: "sandbox",
      ...bannerUrls(facts),
      demoOrders: "coffee-<id>, tshirt-<id>, sneakers-<id> (id: 1-64 of A-Z a-z 0-9 _ -)",
      ...(facts.standaloneSandbox ? { standaloneSandbox: true } : {}),
      msg: sandboxHeadline(facts),
    }),
    JSON.stringify({
      level: 30,
      ...base,
      mode: "sandbox",
      sandboxCredentials: credentials,
      msg: "sandbox credentials (this machine's local sandbox only, not PortOne's): use them with the SDK or `npx portone-bff trigger`",
    }),
  ];
}

/** The banner for a person at a terminal. */
export function bannerText(facts: BannerFacts): string {
  const urls = bannerUrls(facts);
  const row = (label: string, value: string | undefined) =>
    value ? [`  ${label.padEnd(13)}${value}`] : [];
  const lines = [
    "",
    facts.sandbox
      ? `portone-bff  SANDBOX MODE - no real payments (${sandboxKind(facts)}, demo orders, anonymous callers)`
      : `portone-bff  LIVE MODE - real payments against ${facts.portone}`,
    "",
    ...row("Shop", urls.shop),
    ...row("Service", urls.url),
    ...row("tRPC", urls.trpc),
    ...row("Internal", urls.internalUrl && `${urls.internalUrl}  (/metrics, /admin/...)`),
    ...row("Events", urls.events && `${urls.events}  (npx portone-bff listen)`),
    ...row("Sandbox API", urls.sandbox?.api),
    ...row("Checkout", urls.sandbox?.checkoutPage),
    ...row(
      "Webhooks to",
      urls.sandbox &&
        `${urls.sandbox.webhooksTo}${facts.standaloneSandbox ? "  (start the sandbox with --webhook-url set to this)" : ""}`,
    ),
  ];
  if (facts.sandbox) {
    lines.push(
      "",
      "  Sandbox credentials (this machine's local sandbox only):",
      ...sandboxCredentialLines(facts.sandbox).map((line) => `    ${line}`),
      "",
      "  Next: open the shop, or `npx portone-bff trigger paid-card` while `npx portone-bff listen` runs.",
    );
  }
  return `${lines.join("\n")}\n\n`;
}

/**
 * Writes the banner whatever LOG_LEVEL says (unless "silent"): a person who turned the log
 * down to warnings still needs to know where the service is.
 */
export function printBanner(
  facts: BannerFacts,
  options: {
    readonly level: LogLevel;
    readonly format: LogFormat;
    readonly out: DestinationStream;
  },
): void {
  if (options.level === "silent") return;
  if (options.format === "pretty") options.out.write(bannerText(facts));
  else for (const line of bannerJsonLines(facts)) options.out.write(`${line}\n`);
}
