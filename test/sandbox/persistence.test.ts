import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createSandbox } from "../../src/sandbox/index.js";
import { openSnapshotStorage, type Snapshot } from "../../src/sandbox/state/snapshot-storage.js";
import { known, newPaymentId, startSandbox } from "../support/sandbox.js";
import { WebhookReceiver } from "./support/webhook-receiver.js";

const directory = mkdtempSync(join(tmpdir(), "portone-sandbox-"));
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe.each(["state.json", "state.sqlite"])("persistence in %s", (file) => {
  it("keeps credentials, payments, billing keys and idempotency keys across a restart", async () => {
    const persistPath = join(directory, file);
    const paymentId = newPaymentId("persist");
    const first = await startSandbox({ persistPath });
    await first.checkout({ paymentId, totalAmount: 8_000 });
    const headers = { "idempotency-key": `"persisted-cancel-${paymentId}"` };
    const cancelled = await first.api("POST", `/payments/${paymentId}/cancel`, {
      headers,
      body: { amount: 3_000, reason: "partial" },
    });
    expect(cancelled.status).toBe(200);
    const { billingKeyInfo } = await first.client.payment.billingKey.issueBillingKey({
      method: {
        card: { credential: { number: "5365100000001234", expiryYear: "30", expiryMonth: "12" } },
      },
    });
    const credentials = {
      apiSecret: first.sandbox.apiSecret,
      storeId: first.sandbox.storeId,
      webhookSecret: first.sandbox.webhookSecret,
    };
    await first.close();

    const second = await startSandbox({ persistPath });
    try {
      expect({
        apiSecret: second.sandbox.apiSecret,
        storeId: second.sandbox.storeId,
        webhookSecret: second.sandbox.webhookSecret,
      }).toEqual(credentials);
      const payment = known(await second.client.payment.getPayment({ paymentId }));
      expect(payment).toMatchObject({ status: "PARTIAL_CANCELLED", amount: { cancelled: 3_000 } });
      expect(
        (
          await second.client.payment.billingKey.getBillingKeyInfo({
            billingKey: billingKeyInfo.billingKey,
          })
        ).status,
      ).toBe("ISSUED");
      const replayed = await second.api("POST", `/payments/${paymentId}/cancel`, {
        headers,
        body: { amount: 3_000, reason: "partial" },
      });
      expect(replayed.text).toBe(cancelled.text);
      expect(replayed.headers.get("idempotent-replayed")).toBe("true");
      const rest = await second.client.payment.cancelPayment({ paymentId, reason: "rest" });
      expect(rest.cancellation).toMatchObject({ totalAmount: 5_000 });
    } finally {
      await second.close();
    }
  });
});

it("keeps channels, cash receipts, payment events and promotions across a restart", async () => {
  const persistPath = join(directory, "breadth.sqlite");
  const first = await startSandbox({
    persistPath,
    channels: [{ key: "kept-test" }, { key: "kept-live", type: "LIVE", pgProvider: "KCP_V2" }],
    promotions: [
      {
        id: "kept-promotion",
        name: "Kept",
        cardCompany: "BC_CARD",
        discount: { type: "AMOUNT", amount: 500 },
        totalBudget: 10_000,
      },
    ],
  });
  const paymentId = newPaymentId("kept");
  await first.checkout({
    paymentId,
    totalAmount: 3_300,
    channelKey: "kept-live",
    payMethod: "TRANSFER",
    transfer: { cashReceiptType: "PERSONAL", customerIdentifier: "01011112222" },
  });
  await first.close();
  const second = await startSandbox({ persistPath });
  try {
    expect(second.sandbox.channels.map((channel) => channel.key)).toEqual([
      "kept-test",
      "kept-live",
    ]);
    expect(second.sandbox.channelKey).toBe("kept-test");
    const payment = known(await second.client.payment.getPayment({ paymentId }));
    expect(payment.channel).toMatchObject({ type: "LIVE", key: "kept-live" });
    const receipt = await second.client.payment.cashReceipt.getCashReceiptByPaymentId({
      paymentId,
    });
    expect(known(receipt)).toMatchObject({ status: "ISSUED", amount: 3_300 });
    const { items } = await second.client.payment.getAllPaymentEventsByCursor({ size: 1000 });
    expect(items.map((item) => known(item.paymentEvent).paymentId)).toContain(paymentId);
    const promotion = await second.client.payment.promotion.getPromotion({
      promotionId: "kept-promotion",
    });
    expect(known(promotion).name).toBe("Kept");
  } finally {
    await second.close();
  }
});

it("lets explicit credentials override persisted ones", async () => {
  const persistPath = join(directory, "override.json");
  const first = await createSandbox({ persistPath });
  await first.close();
  const second = await createSandbox({ persistPath, apiSecret: "explicit-secret-for-test" });
  try {
    expect(second.apiSecret).toBe("explicit-secret-for-test");
    expect(second.storeId).toBe(first.storeId);
  } finally {
    await second.close();
  }
});

it("refuses a file that is not sandbox state, saying what to do", async () => {
  const persistPath = join(directory, "foreign.json");
  writeFileSync(persistPath, JSON.stringify({ hello: "world" }));
  await expect(createSandbox({ persistPath })).rejects.toThrow(/not a PortOne sandbox state file/);
});

/** The permission bits of a file or directory, e.g. 0o600. */
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe.each(["state.json", "state.sqlite"])("the %s file holds secrets", (file) => {
  it("is created 0600 in directories the sandbox creates 0700", async () => {
    const parent = join(directory, `fresh-${file}`);
    const persistPath = join(parent, "nested", file);
    const running = await startSandbox({ persistPath });
    try {
      await running.checkout({ paymentId: newPaymentId("modes"), totalAmount: 1_000 });
      expect(modeOf(parent).toString(8)).toBe("700");
      expect(modeOf(join(parent, "nested")).toString(8)).toBe("700");
      // Every file next to it, SQLite's -wal and -shm included, is the owner's alone.
      const files = readdirSync(join(parent, "nested"));
      expect(files).toContain(file);
      for (const name of files)
        expect(modeOf(join(parent, "nested", name)).toString(8)).toBe("600");
    } finally {
      await running.close();
    }
    expect(modeOf(persistPath).toString(8)).toBe("600");
  });

  it("tightens a state file an earlier version left world-readable", async () => {
    const persistPath = join(directory, `loose-${file}`);
    const first = await startSandbox({ persistPath });
    const apiSecret = first.sandbox.apiSecret;
    await first.close();
    for (const path of [persistPath, `${persistPath}-wal`, `${persistPath}-shm`]) {
      if (existsSync(path)) chmodSync(path, 0o644);
    }
    expect(modeOf(persistPath).toString(8)).toBe("644");

    const second = await startSandbox({ persistPath });
    try {
      expect(second.sandbox.apiSecret).toBe(apiSecret);
      expect(modeOf(persistPath).toString(8)).toBe("600");
      await second.checkout({ paymentId: newPaymentId("modes"), totalAmount: 1_000 });
      for (const path of [persistPath, `${persistPath}-wal`, `${persistPath}-shm`]) {
        if (existsSync(path)) expect(modeOf(path).toString(8), path).toBe("600");
      }
    } finally {
      await second.close();
    }
    expect(modeOf(persistPath).toString(8)).toBe("600");
  });
});

it("resumes webhook retries that were still due when the sandbox stopped", async () => {
  const persistPath = join(directory, "retries.sqlite");
  const receiver = await new WebhookReceiver().start();
  try {
    receiver.respondWith = () => 500;
    const first = await startSandbox({
      persistPath,
      webhookEndpoints: [{ url: receiver.url }],
      webhookRetryScale: 1,
    });
    const paymentId = newPaymentId("resume");
    await first.checkout({ paymentId, totalAmount: 1_000, outcome: "pay-pending" });
    await first.sandbox.flushWebhooks();
    await receiver.untilReceived(2);
    // Both deliveries failed once; their first retry is a minute away when the sandbox stops.
    await first.close();

    receiver.respondWith = () => 200;
    const second = await startSandbox({
      persistPath,
      webhookEndpoints: [{ url: receiver.url }],
      webhookRetryScale: 1 / 60_000,
    });
    try {
      await receiver.untilReceived(4);
      await second.sandbox.flushWebhooks();
      const ids = receiver.received.map((webhook) => webhook.headers["webhook-id"]);
      expect(ids.slice(2).sort()).toEqual(ids.slice(0, 2).sort());
      const payment = known(await second.client.payment.getPayment({ paymentId }));
      expect(payment.webhooks?.map((w) => [w.status, w.currentExecutionCount])).toEqual([
        ["SUCCEEDED", 2],
        ["SUCCEEDED", 2],
      ]);
    } finally {
      await second.close();
    }
  } finally {
    await receiver.close();
  }
});

describe("the snapshot storage keeps its files the owner's", () => {
  const snapshot = {
    version: 1,
    credentials: { apiSecret: "storage-test-secret" },
    payments: [],
    billingKeys: [],
    schedules: [],
    idempotency: [],
  } as unknown as Snapshot;

  it("closes a world-readable JSON state file to others as soon as it opens it", async () => {
    const persistPath = join(directory, "opened-loose.json");
    writeFileSync(persistPath, JSON.stringify(snapshot));
    chmodSync(persistPath, 0o644);
    const storage = await openSnapshotStorage(persistPath);
    try {
      // Before any save replaces the file.
      expect(modeOf(persistPath).toString(8)).toBe("600");
    } finally {
      storage.close();
    }
  });

  it("saves 0600 even over a readable temporary file a crashed run left behind", async () => {
    const persistPath = join(directory, "leftover.json");
    const temporary = `${persistPath}.${process.pid}.tmp`;
    writeFileSync(temporary, "half a snapshot");
    chmodSync(temporary, 0o644);
    const storage = await openSnapshotStorage(persistPath);
    try {
      storage.save(snapshot);
      expect(modeOf(persistPath).toString(8)).toBe("600");
    } finally {
      storage.close();
    }
  });

  it("tightens SQLite's -wal and -shm files left readable next to the state", async () => {
    const persistPath = join(directory, "held-open.sqlite");
    const companions = [persistPath, `${persistPath}-wal`, `${persistPath}-shm`];
    // The first storage stays open, so its -wal and -shm files stay on disk (as after a crash).
    const first = await openSnapshotStorage(persistPath);
    try {
      first.save(snapshot);
      for (const path of companions) chmodSync(path, 0o644);
      const second = await openSnapshotStorage(persistPath);
      try {
        for (const path of companions) expect(modeOf(path).toString(8), path).toBe("600");
      } finally {
        second.close();
      }
    } finally {
      first.close();
    }
  });
});
