// A replica that completes one payment (its status change and the change's outbox event in one
// transaction, the event leased to its own dispatcher) and then stalls before that event is
// dispatched (completing an event never returns, and it claims nothing), for tests that kill it with SIGKILL while it
// holds the event. Run with `node --import tsx`; configured by env (DATABASE_URL or DATA_DIR,
// WEBHOOK_LEASE_MS); prints one JSON line with the payment id and its worker id once the
// completion has committed.
import { syncPayment } from "../../../src/payments/sync-payment.js";
import { migrate, openDatabase } from "../../../src/store/database.js";
import {
  createPaymentRecordStore,
  paymentRecordMigrations,
} from "../../../src/store/payment-records/index.js";
import { createWebhooks } from "../../../src/webhooks/pipeline.js";
import { openWebhookStore } from "../../../src/webhooks/store/index.js";
import { insertPreparedRecord, paidPortOne } from "../../support/paid-port.js";

const AMOUNT = 18_000;
const silent = { info() {}, warn() {}, error() {} };
const leaseMs = Number(process.env.WEBHOOK_LEASE_MS);
const db = await openDatabase({
  databaseUrl: process.env.DATABASE_URL || undefined,
  dataDir: process.env.DATA_DIR ?? "/nonexistent",
});
await migrate(db, paymentRecordMigrations);
const store = await openWebhookStore(db);
const never = () => new Promise<never>(() => {});
const webhooks = await createWebhooks({
  // It never claims either: an event it holds, it took straight from its own write.
  store: {
    ...store,
    claimEvents: async () => [],
    completeEvent: never,
    completeEventLeasingDeliveries: never,
  },
  secrets: [],
  sandbox: true,
  tuning: { leaseMs, deliveryTimeoutMs: leaseMs / 2, pollIntervalMs: 50 },
  logger: silent,
});
webhooks.on("PaymentStatusChanged", () => {});
webhooks.start();

const portone = paidPortOne(AMOUNT);
const records = createPaymentRecordStore(db);
const paymentId = `pay-stalled-${process.pid}-${Date.now()}`;
await insertPreparedRecord(records, paymentId, AMOUNT);
const { record } = await syncPayment(paymentId, {
  portone,
  records,
  outbox: webhooks.eventSink,
  channelType: "TEST",
});
process.stdout.write(
  `${JSON.stringify({ paymentId, status: record.status, workerId: webhooks.dispatcher.workerId })}\n`,
);
