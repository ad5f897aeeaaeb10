import { createSandbox, type Sandbox } from "./create-sandbox.js";
import { type ChannelOptions, parseChannelSpec, readChannels } from "./domain/channels.js";
import { DEFAULT_LISTEN_HOST, type SandboxOptions, type WebhookEndpoint } from "./options.js";

const usage = `Usage: portone-bff sandbox [options]

Runs a local PortOne V2 emulator and prints how to reach it.

Options:
  --port <n>              port to listen on (default 8787; 0 picks a free one)
  --host <address>        address to bind (default ${DEFAULT_LISTEN_HOST}, this machine only)
  --persist <file>        keep state in a .json or .sqlite file across restarts
  --webhook-url <url>     send webhooks there (repeatable)
  --legacy-webhook-url <url>  send 2024-01-01 format webhooks there (repeatable)
  --shop-url <url>        the shop the checkout page links (the service's /)
  --api-secret <s>, --store-id <s>, --webhook-secret <s>, --channel-key <s>
                          fixed credentials instead of generated ones
  --channel <spec>        a channel, e.g. type=LIVE,pgProvider=KCP_V2,key=my-key (repeatable;
                          fields: key id name type pgProvider pgMerchantId capture cancellation
                          billingKeyConfirmation); the first is the default. Without it: one
                          TEST and one LIVE channel
  -h, --help              show this help
`;

export interface SandboxCliArgs {
  port: number;
  host: string;
  options: SandboxOptions;
}

/** Parses the arguments after `sandbox`; throws with a message naming the bad argument. */
export function parseSandboxArgs(argv: string[]): SandboxCliArgs | "help" {
  const args: SandboxCliArgs = { port: 8787, host: DEFAULT_LISTEN_HOST, options: {} };
  const endpoints: WebhookEndpoint[] = [];
  const channels: ChannelOptions[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === "-h" || flag === "--help") return "help";
    const [name, inline] = flag.includes("=") ? flag.split(/=(.*)/s, 2) : [flag, undefined];
    const value = () => {
      const next = inline ?? argv[++i];
      if (next === undefined || next === "") throw new Error(`${name} needs a value.\n\n${usage}`);
      return next;
    };
    switch (name) {
      case "--port": {
        const text = value();
        const port = Number(text);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new Error(`--port must be a whole number from 0 to 65535, got ${text}.`);
        }
        args.port = port;
        break;
      }
      case "--host":
        args.host = value();
        break;
      case "--persist":
        args.options.persistPath = value();
        break;
      case "--webhook-url":
        endpoints.push({ url: value() });
        break;
      case "--legacy-webhook-url":
        endpoints.push({ url: value(), version: "2024-01-01" });
        break;
      case "--shop-url":
        args.options.shopUrl = value();
        break;
      case "--api-secret":
        args.options.apiSecret = value();
        break;
      case "--store-id":
        args.options.storeId = value();
        break;
      case "--webhook-secret":
        args.options.webhookSecret = value();
        break;
      case "--channel-key":
        args.options.channelKey = value();
        break;
      case "--channel":
        channels.push(parseChannelSpec(value()));
        break;
      default:
        throw new Error(`Unknown option ${flag}.\n\n${usage}`);
    }
  }
  if (endpoints.length > 0) args.options.webhookEndpoints = endpoints;
  if (channels.length > 0) {
    try {
      readChannels(channels);
    } catch (error) {
      throw new Error(`--channel: ${(error as Error).message}`);
    }
    args.options.channels = channels;
  }
  return args;
}

/** `portone-bff sandbox [--port N]`: starts the sandbox and prints its base URL and credentials. */
export async function runSandboxCli(argv: string[]): Promise<void> {
  const parsed = parseSandboxArgs(argv);
  if (parsed === "help") {
    process.stdout.write(usage);
    return;
  }
  const sandbox = await createSandbox(parsed.options);
  const baseUrl = await sandbox.listen({ port: parsed.port, host: parsed.host });
  // These are the sandbox's own throwaway credentials: printing them is the point.
  process.stdout.write(sandboxGreeting(baseUrl, sandbox, parsed.options.webhookEndpoints));
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await sandbox.close();
}

/** The service's default webhook URL, for the hint when no --webhook-url was given. */
const SERVICE_WEBHOOK_URL = "http://localhost:3000/webhooks/portone";

/**
 * What the sandbox prints on start: its URLs and credentials, and the environment lines that
 * point a portone-bff service (and `portone-bff trigger`) at it while staying in sandbox mode.
 */
export function sandboxGreeting(
  baseUrl: string,
  sandbox: Pick<Sandbox, "apiSecret" | "storeId" | "channelKey" | "channels" | "webhookSecret">,
  webhookEndpoints: readonly WebhookEndpoint[] | undefined,
): string {
  const webhooks = webhookEndpoints?.length
    ? webhookEndpoints.map((endpoint) => `  Webhooks to:    ${endpoint.url}`)
    : [
        "  Webhooks to:    nowhere yet: restart with",
        `                  --webhook-url ${SERVICE_WEBHOOK_URL} to reach the service`,
      ];
  return [
    "PortOne sandbox is running.",
    `  Base URL:       ${baseUrl}`,
    `  API secret:     ${sandbox.apiSecret}`,
    `  Store ID:       ${sandbox.storeId}`,
    `  Channel key:    ${sandbox.channelKey}`,
    ...sandbox.channels.map(
      (channel) => `  Channel:        ${channel.key} (${channel.type}, ${channel.pgProvider})`,
    ),
    `  Webhook secret: ${sandbox.webhookSecret}`,
    `  Checkout page:  ${baseUrl}/sandbox/checkout`,
    `  Browser SDK:    ${baseUrl}/v2/browser-sdk.js (setPortOneJsSdkUrl or a script tag)`,
    ...webhooks,
    "",
    "To run portone-bff against this sandbox (it stays in sandbox mode: demo orders, no JWT),",
    "paste these lines in the service's terminal, then npm start:",
    "",
    `export PORTONE_SANDBOX_URL=${baseUrl}`,
    `export PORTONE_SANDBOX_API_SECRET=${sandbox.apiSecret}`,
    `export PORTONE_SANDBOX_STORE_ID=${sandbox.storeId}`,
    `export PORTONE_SANDBOX_CHANNEL_KEY=${sandbox.channelKey}`,
    `export PORTONE_SANDBOX_WEBHOOK_SECRET=${sandbox.webhookSecret}`,
    "",
  ].join("\n");
}
