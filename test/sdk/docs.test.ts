/** `npm run docs` builds the SDK's API reference with TypeDoc, one module per package subpath. */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDocs } from "../../scripts/sdk-package/docs.js";

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "portone-sdk-docs-"));
  await buildDocs(out);
}, 180_000);
afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe("API reference", () => {
  it("names the package, the schema version and the compatibility on its front page", async () => {
    const index = await readFile(join(out, "index.html"), "utf8");
    expect(index).toMatch(
      /@portone-bff\/sdk \d+\.\d+\.\d+ \(PortOne API \d+\.\d+\.\d+, compatible with @portone\/server-sdk 0\.19\)/,
    );
  });

  it("documents the client, the webhook functions and the subpath modules", async () => {
    const index = await readFile(join(out, "index.html"), "utf8");
    for (const subpath of ["", "/webhook", "/payment/billingKey", "/platform/partner"]) {
      expect(index, subpath).toContain(`>@portone-bff/sdk${subpath}<`);
    }
    const webhookPage = join(out, "functions", "_portone-bff_sdk_webhook.verify.html");
    expect(existsSync(webhookPage), webhookPage).toBe(true);
    const page = await readFile(webhookPage, "utf8");
    // The doc comment and the signature both reach the page.
    expect(page).toContain("Verifies a PortOne webhook and returns its parsed body");
    expect(page).toContain("WebhookSecrets");
  });
});
