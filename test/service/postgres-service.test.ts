import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceDependencies, startServiceDependencies } from "../support/service-stack.js";
import {
  checkout,
  configFromEnv,
  newOrder,
  type RunningService,
  signToken,
  startService,
  trpcClient,
} from "./support/harness.js";
import {
  createIsolatedSchema,
  TEST_DATABASE_URL,
  warnPostgresSkipped,
} from "./support/postgres.js";

warnPostgresSkipped("postgres-service");

describe.skipIf(!TEST_DATABASE_URL)("the service on PostgreSQL (DATABASE_URL)", () => {
  let dependencies: ServiceDependencies;
  let schema: Awaited<ReturnType<typeof createIsolatedSchema>>;
  let replicas: RunningService[];

  beforeAll(async () => {
    dependencies = await startServiceDependencies();
    schema = await createIsolatedSchema(TEST_DATABASE_URL as string);
    const config = configFromEnv(dependencies.env({ DATABASE_URL: schema.url }));
    // Two replicas on one database: migrations run under a lock, records are shared.
    replicas = await Promise.all([startService(config), startService(config)]);
  });

  afterAll(async () => {
    await Promise.all((replicas ?? []).map((replica) => replica.service.close()));
    await schema?.drop();
    await dependencies?.close();
  });

  it("prepares on one replica, completes on both at once, and records PAID exactly once", async () => {
    const [first, second] = replicas as [RunningService, RunningService];
    const token = await signToken("pg-alice");
    const order = newOrder("pg-alice");
    dependencies.shop.orders.set(order.orderId, order);
    const prepared = await trpcClient(first.url, token).payment.prepare.mutate({
      orderId: order.orderId,
    });
    await checkout(dependencies.sandbox, prepared, { ...prepared, outcome: "paid" });
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
