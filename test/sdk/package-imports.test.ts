/**
 * The built package loads both ways through its `exports` map: ESM `import` and CommonJS
 * `require`, from a program outside the repository that depends on `portone-bff`.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = new URL("../..", import.meta.url).pathname;
let consumer: string;

const SUBPATHS = [
  "portone-bff/sdk",
  "portone-bff/sdk/payment",
  "portone-bff/sdk/payment/billingKey",
  "portone-bff/sdk/platform/partner",
  "portone-bff/sdk/common",
  "portone-bff/sdk/webhook",
];

/** The same checks, written once for both module systems. */
const CHECKS = `
const [root, payment, billingKey, partner, common, webhook] = modules;
const result = {
  portOneClient: typeof root.PortOneClient,
  nested: typeof root.PortOneClient({ secret: "s" }).payment.billingKey.getBillingKeyInfo,
  paymentClient: typeof payment.PaymentClient,
  sameErrorClass: root.Payment.GetPaymentError === payment.GetPaymentError,
  errorChain:
    new payment.GetPaymentError({ type: "PAYMENT_NOT_FOUND" }) instanceof root.RestError &&
    new payment.GetPaymentError({ type: "PAYMENT_NOT_FOUND" }) instanceof root.PortOneError,
  billingKeyClient: typeof billingKey.BillingKeyClient,
  partnerClient: typeof partner.PartnerClient,
  guard: typeof common.isUnrecognizedAddress,
  webhookVerify: typeof webhook.verify,
  rootWebhook: typeof root.Webhook.verify,
  transportErrors: [root.NetworkError, root.RequestTimeoutError, root.UnexpectedResponseError].every(
    (E) => typeof E === "function",
  ),
  paginate: typeof root.paginate,
};
console.log(JSON.stringify(result));
`;

const EXPECTED = {
  portOneClient: "function",
  nested: "function",
  paymentClient: "function",
  sameErrorClass: true,
  errorChain: true,
  billingKeyClient: "function",
  partnerClient: "function",
  guard: "function",
  webhookVerify: "function",
  rootWebhook: "function",
  transportErrors: true,
  paginate: "function",
};

beforeAll(async () => {
  if (!existsSync(join(repoRoot, "dist/sdk/index.js"))) {
    // `npm test` builds first; this covers running the file on its own.
    try {
      execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: repoRoot, stdio: "pipe" });
    } catch {
      // Type errors elsewhere in the tree still emit JavaScript; the checks below decide.
    }
  }
  consumer = await mkdtemp(join(tmpdir(), "portone-bff-consumer-"));
  await mkdir(join(consumer, "node_modules"));
  await symlink(repoRoot, join(consumer, "node_modules/portone-bff"), "dir");
  await writeFile(
    join(consumer, "esm.mjs"),
    `const modules = await Promise.all(${JSON.stringify(SUBPATHS)}.map((s) => import(s)));\n${CHECKS}`,
  );
  await writeFile(
    join(consumer, "cjs.cjs"),
    `const modules = ${JSON.stringify(SUBPATHS)}.map((s) => require(s));\n${CHECKS}`,
  );
}, 120_000);

afterAll(async () => {
  if (consumer) await rm(consumer, { recursive: true, force: true });
});

function run(file: string): unknown {
  const output = execFileSync(process.execPath, [file], { cwd: consumer, encoding: "utf8" });
  return JSON.parse(output.trim().split("\n").pop() ?? "");
}

describe("built package", () => {
  it("imports as ESM through the exports map", () => {
    expect(run("esm.mjs")).toEqual(EXPECTED);
  });

  it("requires from CommonJS through the exports map", () => {
    expect(run("cjs.cjs")).toEqual(EXPECTED);
  });
});
