import type { Order, OrderSource } from "../ports.js";
import { InvalidOrderError } from "./invalid-order-error.js";
import { describeInvalidOrder, orderSchema } from "./order-schema.js";

/** For library users who embed the service: orders come from a function of their own. */
export function createInProcessOrderSource(
  getOrder: (orderId: string) => Promise<Order | null> | Order | null,
): OrderSource {
  return {
    async getOrder(orderId) {
      const order = await getOrder(orderId);
      if (order === null) return null;
      const parsed = orderSchema.safeParse(order);
      if (!parsed.success) throw new InvalidOrderError(orderId, describeInvalidOrder(parsed.error));
      return parsed.data;
    },
  };
}
