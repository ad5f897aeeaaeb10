import type { Order, OrderSource } from "../ports.js";

/** Products of the sandbox demo shop, priced in KRW (no minor unit). */
export const DEMO_PRODUCTS: Readonly<Record<string, { name: string; price: number }>> = {
  coffee: { name: "Drip coffee beans 200 g", price: 4_500 },
  tshirt: { name: "Organic cotton T-shirt", price: 25_000 },
  sneakers: { name: "Canvas sneakers", price: 89_000 },
};

const DEMO_ORDER_ID = /^(coffee|tshirt|sneakers)(?:-[A-Za-z0-9_-]{1,64})?$/;

/**
 * The order source of sandbox mode. Any order id `<product>` or `<product>-<anything>` is a
 * guest order for that product, so a demo can pay as many fresh orders as it likes
 * (each order can be paid only once).
 */
export function createDemoCatalogOrderSource(): OrderSource {
  return {
    async getOrder(orderId): Promise<Order | null> {
      const product = DEMO_ORDER_ID.exec(orderId)?.[1];
      const entry = product ? DEMO_PRODUCTS[product] : undefined;
      if (!entry) return null;
      return {
        orderId,
        customerId: null,
        orderName: entry.name,
        totalAmount: entry.price,
        currency: "KRW",
      };
    },
  };
}
