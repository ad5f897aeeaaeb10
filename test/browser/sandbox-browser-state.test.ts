import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSandbox } from "../../src/sandbox/index.js";
import {
  checkedResponses,
  type RunningSandbox,
  schemaViolations,
  startSandbox,
} from "../sandbox/support/sandbox-fixture.js";

/**
 * What the checkout window decides is the sandbox's state: the REST API answers it in
 * PortOne's schema (every response here is checked against openapi.json), and it survives a
 * restart like the rest of the state.
 */
const opener = "http://127.0.0.1:5173";

async function decide(
  baseUrl: string,
  transactionType: string,
  request: Record<string, unknown>,
  choice: Record<string, unknown>,
) {
  const created = await fetch(`${baseUrl}/sandbox/browser/sessions`, {
    method: "POST",
    body: JSON.stringify({ transactionType, request, windowType: "IFRAME", openerOrigin: opener }),
  });
  const { sessionId, refused } = (await created.json()) as { sessionId: string; refused?: unknown };
  expect(refused).toBeUndefined();
  const completed = await fetch(`${baseUrl}/sandbox/browser/sessions/${sessionId}/complete`, {
    method: "POST",
    body: JSON.stringify(choice),
  });
  expect(completed.status).toBe(200);
  return ((await completed.json()) as { response: Record<string, string> }).response;
}

describe("window decisions in the REST API", () => {
  let running: RunningSandbox;

  beforeAll(async () => {
    running = await startSandbox();
  });
  afterAll(async () => {
    await running.close();
  });
  afterEach(() => {
    expect(schemaViolations.splice(0)).toEqual([]);
  });

  it("getIdentityVerification answers VERIFIED, FAILED and not found in PortOne's schema", async () => {
    const { sandbox, client, baseUrl } = running;
    const verifiedId = `identity-${randomUUID()}`;
    await decide(
      baseUrl,
      "IDENTITY_VERIFICATION",
      {
        storeId: sandbox.storeId,
        identityVerificationId: verifiedId,
        customer: { fullName: "Lee Hana" },
      },
      { choice: "verify", person: { name: "Lee Hana", birthDate: "2001-12-24", gender: "FEMALE" } },
    );
    const verified = await client.identityVerification.getIdentityVerification({
      identityVerificationId: verifiedId,
    });
    expect(verified).toMatchObject({
      status: "VERIFIED",
      channel: { type: "TEST", key: sandbox.channelKey },
      verifiedCustomer: { name: "Lee Hana", birthDate: "2001-12-24", gender: "FEMALE" },
      version: "V2",
    });
    const failedId = `identity-${randomUUID()}`;
    await decide(
      baseUrl,
      "IDENTITY_VERIFICATION",
      { storeId: sandbox.storeId, identityVerificationId: failedId },
      { choice: "close" },
    );
    expect(
      await client.identityVerification.getIdentityVerification({
        identityVerificationId: failedId,
      }),
    ).toMatchObject({ status: "FAILED", failure: { pgCode: "PAY_PROCESS_CANCELED" } });
    const missing = await running.api("GET", "/identity-verifications/identity-none");
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe("IDENTITY_VERIFICATION_NOT_FOUND");
    const otherStore = await running.api(
      "GET",
      `/identity-verifications/${verifiedId}?storeId=store-x`,
    );
    expect(otherStore.body.type).toBe("FORBIDDEN");
    expect(checkedResponses.get("getIdentityVerification")).toBeGreaterThanOrEqual(4);
  });

  it("a billing key from the window answers getBillingKeyInfo in PortOne's schema", async () => {
    const { sandbox, client, baseUrl } = running;
    const { billingKey } = await decide(
      baseUrl,
      "ISSUE_BILLING_KEY",
      { storeId: sandbox.storeId, channelKey: sandbox.channelKey, billingKeyMethod: "CARD" },
      { choice: "issue" },
    );
    expect(
      await client.payment.billingKey.getBillingKeyInfo({ billingKey: String(billingKey) }),
    ).toMatchObject({
      status: "ISSUED",
    });
  });
});

describe("window decisions across a restart", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "portone-sandbox-browser-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const file of ["state.json", "state.sqlite"]) {
    it(`keeps identity verifications in ${file}`, async () => {
      const persistPath = join(dir, file);
      const first = await createSandbox({ persistPath });
      const identityVerificationId = `identity-${randomUUID()}`;
      await decide(
        await first.listen(),
        "IDENTITY_VERIFICATION",
        { storeId: first.storeId, identityVerificationId },
        { choice: "verify", person: { name: "Choi Minho" } },
      );
      await first.close();
      const second = await createSandbox({ persistPath });
      try {
        const url = await second.listen();
        const response = await fetch(`${url}/identity-verifications/${identityVerificationId}`, {
          headers: { authorization: `PortOne ${second.apiSecret}` },
        });
        expect(await response.json()).toMatchObject({
          status: "VERIFIED",
          verifiedCustomer: { name: "Choi Minho" },
        });
      } finally {
        await second.close();
      }
    });
  }
});
