#!/usr/bin/env node
import { runListen } from "./cli/listen.js";
import { runTrigger } from "./cli/trigger.js";
import { ConfigError, loadStoreConfig } from "./config.js";
import { isEntryPoint } from "./is-entry-point.js";
import { main as serve } from "./main.js";
import { runSandboxCli } from "./sandbox/cli.js";
import { runWebhooksCommand } from "./webhooks/cli-command.js";

type Command = (args: string[]) => Promise<void>;

/** `portone-bff <command> [args]`: each entry owns its arguments. Add new commands here. */
const COMMANDS: Record<string, { summary: string; run: Command }> = {
  serve: {
    summary: "run the service (the default); configured by environment variables",
    run: () => serve(),
  },
  sandbox: {
    summary: "run the local PortOne sandbox on its own (--port N, --help)",
    run: (args) => runSandboxCli(args),
  },
  listen: {
    summary: "print the running service's verified events; --forward-to URL delivers them (--help)",
    run: async (args) => {
      const stop = new AbortController();
      process.once("SIGINT", () => stop.abort());
      process.once("SIGTERM", () => stop.abort());
      process.exitCode = await runListen(args, { signal: stop.signal });
    },
  },
  trigger: {
    summary: "create a scenario in the sandbox and fire its webhooks at the service (--help)",
    run: async (args) => {
      process.exitCode = await runTrigger(args);
    },
  },
  webhooks: {
    summary: "inspect and replay dead-lettered webhook deliveries (--help)",
    run: async (args) => {
      // Only the store section matters here, so the rest of the service's env need not be set;
      // it is validated by the same loader the service uses.
      const store = loadStoreConfig(process.env);
      if (store.value === undefined) throw new ConfigError(store.problems);
      process.exitCode = await runWebhooksCommand(args, store.value);
    },
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(
    ([name, { summary }]) => `  ${name.padEnd(10)}${summary}`,
  );
  return `Usage: portone-bff [command] [args]\n\nCommands:\n${lines.join("\n")}\n`;
}

export async function runCli(argv: string[]): Promise<void> {
  const [name = "serve", ...args] = argv;
  if (name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage());
    return;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`portone-bff: unknown command "${name}"\n\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  await command.run(args);
}

if (isEntryPoint(import.meta.url)) {
  runCli(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(
      `portone-bff: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
