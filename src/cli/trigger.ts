import { parseArgs } from "node:util";
import type { CliIo } from "./event-line.js";
import { checkedUrl, defaultTargets, sandboxApiSecret, UsageError } from "./targets.js";
import {
  acceptedByService,
  checkout,
  deliveriesSince,
  deliveryCount,
  type Prepared,
  prepare,
  sandboxPost,
  type TriggerContext,
  untilStatus,
} from "./trigger-steps.js";

interface Scenario {
  readonly summary: string;
  /** What the scenario leaves behind, for --help and the closing line. */
  readonly promises: string;
  run(ctx: TriggerContext): Promise<void>;
}

async function paidCard(ctx: TriggerContext): Promise<Prepared> {
  const prepared = await prepare(ctx);
  await checkout(ctx, prepared, { outcome: "paid" });
  await untilStatus(ctx, prepared, "PAID");
  return prepared;
}

async function cancel(ctx: TriggerContext, prepared: Prepared, amount?: number): Promise<void> {
  await sandboxPost(
    ctx,
    `/payments/${encodeURIComponent(prepared.paymentId)}/cancel`,
    { storeId: prepared.storeId, reason: "portone-bff trigger", ...(amount ? { amount } : {}) },
    true,
  );
  ctx.progress(`cancelled ${amount ?? "all"} of ${prepared.totalAmount} through the sandbox's API`);
}

/** The scenarios, in the order --help lists them. */
export const SCENARIOS: Record<string, Scenario> = {
  "paid-card": {
    summary: "a demo order paid by card",
    promises: "Transaction.Ready, Transaction.Paid; record PAID",
    run: async (ctx) => {
      await paidCard(ctx);
    },
  },
  failed: {
    summary: "a card payment the PG declines",
    promises: "Transaction.Ready, Transaction.Failed; record FAILED",
    async run(ctx) {
      const prepared = await prepare(ctx);
      await checkout(ctx, prepared, { outcome: "failed" });
      await untilStatus(ctx, prepared, "FAILED");
    },
  },
  "virtual-account": {
    summary: "a virtual account issued, then the deposit arrives",
    promises:
      "Transaction.VirtualAccountIssued, then Transaction.Paid; record VIRTUAL_ACCOUNT_ISSUED, then PAID",
    async run(ctx) {
      const prepared = await prepare(ctx);
      await checkout(ctx, prepared, {
        outcome: "virtual-account-issued",
        payMethod: "VIRTUAL_ACCOUNT",
      });
      await untilStatus(ctx, prepared, "VIRTUAL_ACCOUNT_ISSUED");
      await sandboxPost(
        ctx,
        `/sandbox/payments/${encodeURIComponent(prepared.paymentId)}/deposit`,
        {},
      );
      ctx.progress("deposited the full amount into the virtual account");
      await untilStatus(ctx, prepared, "PAID");
    },
  },
  "partial-cancel": {
    summary: "a paid order, then part of it cancelled",
    promises: "Transaction.Paid, Transaction.PartialCancelled; record PARTIAL_CANCELLED",
    async run(ctx) {
      const prepared = await paidCard(ctx);
      await cancel(ctx, prepared, Math.max(1, Math.floor(prepared.totalAmount / 2)));
      await untilStatus(ctx, prepared, "PARTIAL_CANCELLED");
    },
  },
  "full-cancel": {
    summary: "a paid order, then all of it cancelled",
    promises: "Transaction.Paid, Transaction.Cancelled; record CANCELLED",
    async run(ctx) {
      const prepared = await paidCard(ctx);
      await cancel(ctx, prepared);
      await untilStatus(ctx, prepared, "CANCELLED");
    },
  },
  "billing-key": {
    summary: "a card billing key issued (for subscriptions)",
    promises: "BillingKey.Issued accepted by the service; no payment record",
    async run(ctx) {
      // No order is prepared: the API secret names the store, and the channel defaults.
      const issued = (await sandboxPost(
        ctx,
        "/billing-keys",
        {
          method: {
            card: {
              credential: { number: "4242424242424242", expiryYear: "30", expiryMonth: "12" },
            },
          },
        },
        true,
      )) as { billingKeyInfo?: { billingKey?: string } };
      ctx.progress(`issued billing key ${issued.billingKeyInfo?.billingKey ?? "?"}`);
      await acceptedByService(ctx, "BillingKey.Issued");
    },
  },
  "amount-mismatch": {
    summary: "a payment of a different amount than the order's (tampering)",
    promises: "Transaction.Paid; record MISMATCH (never PAID: do not ship)",
    async run(ctx) {
      const prepared = await prepare(ctx);
      await checkout(ctx, prepared, {
        outcome: "paid",
        paidAmount: Math.max(1, prepared.totalAmount - 1),
      });
      await untilStatus(ctx, prepared, "MISMATCH");
    },
  },
};

export const TRIGGER_USAGE = `Usage: portone-bff trigger <scenario> [--service URL] [--sandbox URL]

Creates what a scenario needs (a demo order prepared through the service, a checkout in the
sandbox) and lets the sandbox fire its webhooks at the running service, then waits until the
service's record shows the promised state. Watch them arrive with \`portone-bff listen\`.

Scenarios:
${Object.entries(SCENARIOS)
  .map(
    ([name, scenario]) =>
      `  ${name.padEnd(17)}${scenario.summary}\n  ${"".padEnd(17)}-> ${scenario.promises}`,
  )
  .join("\n")}

Options:
  --service URL   the service (default http://127.0.0.1:$PORT, port 3000)
  --sandbox URL   its sandbox's API (default $PORTONE_SANDBOX_URL, else http://127.0.0.1:$SANDBOX_PORT, port 3001)
  -h, --help      show this help

Cancellations and billing keys call the sandbox's API: PORTONE_SANDBOX_API_SECRET (the banner
prints it), or the embedded sandbox's state file under DATA_DIR when run from the service's folder.`;

export async function runTrigger(
  args: readonly string[],
  options: { readonly env?: Record<string, string | undefined>; readonly io?: CliIo } = {},
): Promise<number> {
  const io = options.io ?? { out: console.log, err: console.error };
  const env = options.env ?? process.env;
  let target: Omit<TriggerContext, "deliveriesBefore">;
  let scenario: Scenario;
  let name: string;
  try {
    const parsed = parseTriggerArgs(args, env, io);
    if (parsed === "help") {
      io.out(TRIGGER_USAGE);
      return 0;
    }
    ({ target, scenario, name } = parsed);
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${TRIGGER_USAGE}`);
    return 2;
  }
  try {
    const ctx: TriggerContext = { ...target, deliveriesBefore: await deliveryCount(target) };
    await scenario.run(ctx);
    for (const delivery of await deliveriesSince(ctx, ctx.deliveriesBefore))
      io.out(
        `webhook ${delivery.eventType} -> ${delivery.url} ${delivery.status}${delivery.responseCode ? ` ${delivery.responseCode}` : ""}`,
      );
    io.out(`${name}: done (${scenario.promises})`);
    return 0;
  } catch (error) {
    io.err(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

function parseTriggerArgs(
  args: readonly string[],
  env: Record<string, string | undefined>,
  io: CliIo,
) {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      service: { type: "string" },
      sandbox: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return "help" as const;
  const [name, ...extra] = positionals;
  if (!name) throw new UsageError("Name a scenario.");
  if (extra.length > 0) throw new UsageError(`One scenario at a time (got ${positionals.length}).`);
  const scenario = Object.hasOwn(SCENARIOS, name) ? SCENARIOS[name] : undefined;
  if (!scenario) throw new UsageError(`Unknown scenario "${name.slice(0, 60)}".`);
  const targets = defaultTargets(env);
  return {
    target: {
      service: checkedUrl("--service", values.service ?? targets.service),
      sandbox: checkedUrl("--sandbox", values.sandbox ?? targets.sandbox),
      apiSecret: () => sandboxApiSecret(env),
      progress: io.err,
    },
    scenario,
    name,
  };
}
