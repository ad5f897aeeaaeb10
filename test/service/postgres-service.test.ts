import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkout,
  configFromEnv,
  newOrder,
  type RunningSandbox,
  type RunningService,
  type ShopBackend,
  serviceEnv,
  signToken,
  startSandbox,
  startService,
  startShopBackend,
  trpcClient,
} from "./support/harness.js";
import {
  createIsolatedSchema,
  TEST_DATABASE_URL,
  warnPostgresSkipped,
} from "./support/postgres.js";

warnPostgresSkipped("postgres-service");

describe.skipIf(!TEST_DATABASE_URL)("the service on PostgreSQL (DATABASE_URL)", () => {
  let sandbox: RunningSandbox;
  let shop: ShopBackend;
  let schema: Awaited<ReturnType<typeof createIsolatedSchema>>;
  let replicas: RunningService[];

  beforeAll(async () => {
    sandbox = await startSandbox();
    shop = await startShopBackend();
    schema = await createIsolatedSchema(TEST_DATABASE_URL as string);
    const config = configFromEnv(serviceEnv(sandbox, shop, { DATABASE_URL: schema.url }));
    // Two replicas on one database: migrations run under a lock, records are shared.
    replicas = await Promise.all([startService(config), startService(config)]);
  });

  afterAll(async () => {
    await Promise.all((replicas ?? []).map((replica) => replica.service.close()));
    await schema?.drop();
    await shop?.app.close();
    await sandbox?.sandbox.close();
  });

  it("prepares on one replica, completes on both at once, and records PAID exactly once", async () => {
    const [first, second] = replicas as [RunningService, RunningService];
    const token = await signToken("pg-alice");
    const order = newOrder("pg-alice");
    shop.orders.set(order.orderId, order);
    const prepared = await trpcClient(first.url, token).payment.prepare.mutate({
      orderId: order.orderId,
    });
    await checkout(sandbox, prepared, { ...prepared, outcome: "paid" });
    const views = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        trpcClient((index % 2 === 0 ? first : second).url, token).payment.complete.mutate({
          paymentId: prepared.paymentId,
        }),
      ),
    );
    expect(new Set(views.map((view) => view.status))).toEqual(new Set(["PAID"]));
    const events = [
      ...first.events.for(prepared.paymentId),
      ...second.events.for(prepared.paymentId),
    ];
    expect(events.map((event) => event.status)).toEqual(["PAID"]);
    const record = await second.service.records.getPaymentRecord(prepared.paymentId);
    expect(record).toMatchObject({ status: "PAID", version: 2, customerId: "pg-alice" });
  });
});
