import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sign } from "../../src/sdk/webhook/index.js";
import { UnstorableValueError } from "../../src/store/store-errors.js";
import { webhookAdminRoute } from "../../src/webhooks/admin-route.js";
import type { InboundEvent } from "../../src/webhooks/event.js";
import { webhookRoute } from "../../src/webhooks/route.js";
import { openWebhookStore } from "../../src/webhooks/store/index.js";
import type { WebhookStore } from "../../src/webhooks/store/webhook-store.js";
import {
  DATABASE_KINDS,
  openTestDatabase,
  TEST_DATABASE_URL,
  type TestDatabase,
} from "../webhooks/support/test-databases.js";

const SECRET = Buffer.from("poison-test-secret-0123456789abcdef").toString("base64");
const ADMIN_TOKEN = "admin-token-for-the-poison-test";
/** Words of PostgreSQL's and SQLite's own error messages, which must never reach a response. */
const DATABASE_TEXT =
  /invalid byte sequence|null character|SQLITE|syntax|violates|22P05|22021|0x00/i;

/**
 * Genuinely signed webhooks whose content the database cannot take (NUL in a column, JSON
 * nested 10,000 deep) arrive among honest ones. They must be refused with a 4xx (a resend can
 * never help), without failing the group-commit batch they arrived in: every bystander is
 * acknowledged and stored.
 */
describe.each(DATABASE_KINDS)("poisoned webhooks on $kind", ({ kind, skip }) => {
  let database: TestDatabase;
  let store: WebhookStore;
  let app: FastifyInstance;
  let baseUrl: string;
  let counter = 0;
  const newId = () => `msg_poison_${kind}_${++counter}_${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    if (skip) return;
    database = await openTestDatabase(kind);
    store = await openWebhookStore(database.db);
    app = Fastify();
    await app.register(webhookRoute, { secrets: [SECRET], store });
    await app.register(webhookAdminRoute, { store, adminToken: ADMIN_TOKEN });
    baseUrl = await app.listen({ host: "127.0.0.1", port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  async function postSigned(id: string, body: string) {
    const response = await fetch(`${baseUrl}/webhooks/portone`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await sign(SECRET, body, { id })) },
      body,
    });
    return { id, status: response.status, text: await response.text() };
  }

  function honestBody(index: number): string {
    return JSON.stringify({
      type: "BillingKey.Issued",
      timestamp: "2024-04-25T10:00:00.000Z",
      data: { storeId: "store", billingKey: `bk-${index}` },
    });
  }

  async function attack(poison: string) {
    const bystanders = Array.from({ length: 30 }, (_, index) => ({
      id: newId(),
      body: honestBody(index),
    }));
    const poisonId = newId();
    // All 31 in flight at once, so they land in the same group-commit batches.
    const answers = await Promise.all([
      ...bystanders.slice(0, 15).map(({ id, body }) => postSigned(id, body)),
      postSigned(poisonId, poison),
      ...bystanders.slice(15).map(({ id, body }) => postSigned(id, body)),
    ]);
    const poisoned = answers.find((answer) => answer.id === poisonId);
    for (const answer of answers.filter((answer) => answer.id !== poisonId)) {
      expect(answer.status).toBe(200);
      expect(await store.getEvent(answer.id)).not.toBeNull();
    }
    return { poisoned, stored: await store.getEvent(poisonId) };
  }

  it.skipIf(skip)("NUL in `type`: 400 for it, 2xx for all 30 bystanders", async () => {
    const { poisoned, stored } = await attack(
      JSON.stringify({ type: "Transaction.\u0000Paid", data: { paymentId: "p" } }),
    );
    expect(poisoned?.status).toBe(400);
    expect(poisoned?.text).not.toMatch(DATABASE_TEXT);
    expect(stored).toBeNull();
  });

  it.skipIf(skip)("10,000-deep `data`: 400 for it, 2xx for all 30 bystanders", async () => {
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    const { poisoned, stored } = await attack(
      `{"type":"Transaction.Paid","timestamp":"2024-04-25T10:00:00.000Z","data":{"deep":${deep}}}`,
    );
    expect(poisoned?.status).toBe(400);
    expect(poisoned?.text).not.toMatch(DATABASE_TEXT);
    expect(stored).toBeNull();
  });

  it.skipIf(skip)(
    "NUL or a lone surrogate in `timestamp`, control characters in a legacy status: 400",
    async () => {
      for (const body of [
        JSON.stringify({ type: "Transaction.Paid", timestamp: "2024\u0000" }),
        JSON.stringify({ type: "Transaction.Paid", timestamp: "2024\ud800" }),
        JSON.stringify({ payment_id: "p", status: "Paid\u0007" }),
      ]) {
        const answer = await postSigned(newId(), body);
        expect(answer.status).toBe(400);
        expect(answer.text).not.toMatch(DATABASE_TEXT);
      }
    },
  );

  it.skipIf(skip)(
    "NUL inside `data` strings is stored intact (JSON escapes it), not refused",
    async () => {
      const id = newId();
      const answer = await postSigned(
        id,
        JSON.stringify({ type: "BillingKey.Issued", data: { note: "a\u0000b", odd: "\ud800" } }),
      );
      expect(answer.status).toBe(200);
      expect((await store.getEvent(id))?.data).toMatchObject({ note: "a\u0000b" });
    },
  );

  it.skipIf(skip)(
    "a webhook-id that is too long or not visible ASCII: 400 that says what is allowed",
    async () => {
      for (const id of ["x".repeat(201), "msg with spaces", "msg_\u00e9"]) {
        const body = honestBody(0);
        const response = await fetch(`${baseUrl}/webhooks/portone`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(await sign(SECRET, body, { id: "msg_placeholder" })),
            "webhook-id": id,
          },
          body,
        });
        const json = (await response.json()) as { error: string; message: string };
        expect(response.status).toBe(400);
        expect(json.error).toBe("INVALID_WEBHOOK_ID");
        expect(json.message).toMatch(/visible ASCII/);
      }
    },
  );

  it.skipIf(skip)(
    "admin eventId/subscriberId with NUL or too long: 400 without database text",
    async () => {
      const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
      const list = await fetch(
        `${baseUrl}/admin/webhooks/dead-letters?eventId=${encodeURIComponent("a\u0000b")}`,
        { headers: auth },
      );
      expect(list.status).toBe(400);
      expect(await list.text()).not.toMatch(DATABASE_TEXT);
      for (const body of [{ eventId: "a\u0000b" }, { subscriberId: "s".repeat(201) }]) {
        const replay = await fetch(`${baseUrl}/admin/webhooks/replay`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        expect(replay.status).toBe(400);
        expect(await replay.text()).not.toMatch(DATABASE_TEXT);
      }
    },
  );
});

// Below the route's validation, the store itself isolates a row the database refuses:
// PostgreSQL cannot hold NUL in TEXT (SQLite can, so there is no such row to try there).
describe.skipIf(!TEST_DATABASE_URL)("the PostgreSQL inbox's group commit", () => {
  let database: TestDatabase;
  let store: WebhookStore;
  let counter = 0;
  const newId = () => `msg_poison_batch_${++counter}_${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    database = await openTestDatabase("postgres");
    store = await openWebhookStore(database.db);
  });
  afterAll(async () => {
    await database?.close();
  });

  it("the group commit isolates a row PostgreSQL refuses: the others in its batch commit", async () => {
    const event = (id: string, type: string): InboundEvent => ({
      id,
      source: "portone",
      format: "2024-04-25",
      type,
      occurredAt: "2024-04-25T10:00:00.000Z",
      data: {},
    });
    const poisonId = newId();
    const bystanderIds = Array.from({ length: 30 }, () => newId());
    const results = await Promise.allSettled([
      ...bystanderIds.map((id) => store.insertEvent(event(id, "BillingKey.Issued"), Date.now())),
      store.insertEvent(event(poisonId, "Bad\u0000Type"), Date.now()),
    ]);
    const poisoned = results.pop();
    expect(results.every((result) => result.status === "fulfilled" && result.value)).toBe(true);
    expect(poisoned?.status).toBe("rejected");
    expect((poisoned as PromiseRejectedResult).reason).toBeInstanceOf(UnstorableValueError);
    expect((poisoned as PromiseRejectedResult).reason.message).not.toMatch(DATABASE_TEXT);
    for (const id of bystanderIds) expect(await store.getEvent(id)).not.toBeNull();
  });
});
