import { afterAll, describe, expect, it } from "vitest";
import { webhooksModule } from "../../src/webhooks/module.js";
import {
  QUICK_WEBHOOKS_ENV,
  type ServiceClient,
  useServiceStack,
} from "../support/service-stack.js";
import { waitFor } from "../support/wait-for.js";
import { randomSecret, SubscriberServer } from "./support/subscriber-server.js";
import { DATABASE_KINDS } from "./support/test-databases.js";

/**
 * A status change's event is written in the change's own transaction, past the route's
 * `storeEvent`, so nothing there wakes the dispatcher. With the poll a minute away, the event
 * reaching the subscriber within seconds shows that the outbox wakes it itself.
 */
describe.each(DATABASE_KINDS)(
  "a completion's event is dispatched at once on $kind",
  ({ kind, skip }) => {
    const subscriber = new SubscriberServer(randomSecret());
    let alice: ServiceClient;

    afterAll(async () => {
      if (skip) return;
      await subscriber.close();
    });

    const stack = useServiceStack(async () => {
      if (skip) return undefined;
      await subscriber.listen();
      return {
        env: {
          ...QUICK_WEBHOOKS_ENV,
          WEBHOOK_POLL_INTERVAL_MS: "60000",
          WEBHOOK_SUBSCRIBERS: JSON.stringify([{ url: subscriber.url, secret: subscriber.secret }]),
        },
        deps: { modules: [webhooksModule()] },
        database: kind,
        // No PortOne webhooks: the completion alone writes the change and its event.
        webhooksToService: false,
      };
    });

    it.skipIf(skip)(
      "PaymentStatusChanged reaches the subscriber long before the next poll",
      async () => {
        alice ??= await stack.client("alice");
        const { prepared, result } = await stack.payNewOrder(alice, "alice");
        expect(result.code).toBeUndefined();
        const completed = await alice.payment.complete.mutate({ paymentId: prepared.paymentId });
        expect(completed.status).toBe("PAID");
        const changes = () =>
          subscriber
            .acceptedForPayment(prepared.paymentId)
            .filter((delivery) => delivery.body.type === "PaymentStatusChanged");
        await waitFor(() => changes().length > 0, {
          timeoutMs: 10_000,
          description: "PaymentStatusChanged at the subscriber",
        });
        expect(changes()).toHaveLength(1);
        expect(changes()[0]?.body).toMatchObject({ source: "internal", data: { status: "PAID" } });
      },
    );
  },
);
