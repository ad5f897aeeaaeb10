import type { PaymentStatus, PaymentView } from "./api.js";

/** One order placed in this browser, as last verified by the service. */
export interface OrderEntry {
  readonly paymentId: string;
  readonly orderId: string;
  readonly orderName: string;
  readonly totalAmount: number;
  readonly currency: string;
  readonly status: PaymentStatus;
  readonly virtualAccount: PaymentView["virtualAccount"];
  /**
   * Proves to the service that this browser started the guest checkout (`payment.prepare`
   * returns it); sent with every later call about the payment, never to PortOne.
   */
  readonly guestToken: string | null;
}

/**
 * The sandbox shop has no customer accounts, so "your orders" are the ones this browser
 * placed, kept in localStorage; their status always comes from the service. A real shop lists
 * orders from its own backend.
 */
const STORAGE_KEY = "portone-bff-demo-shop:orders";

/** Statuses PortOne moves on from by itself (a deposit, the PG settling): worth polling. */
const WAITING: ReadonlySet<PaymentStatus> = new Set(["VIRTUAL_ACCOUNT_ISSUED", "PAY_PENDING"]);

export function isWaiting(status: PaymentStatus): boolean {
  return WAITING.has(status);
}

export function loadOrders(): OrderEntry[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "[]");
    return Array.isArray(stored) ? (stored as OrderEntry[]) : [];
  } catch {
    return [];
  }
}

/** Adds or replaces the order with this paymentId; newest first. */
export function saveOrder(entry: OrderEntry): void {
  const others = loadOrders().filter((order) => order.paymentId !== entry.paymentId);
  localStorage.setItem(STORAGE_KEY, JSON.stringify([entry, ...others].slice(0, 50)));
}

/** The guest token of a payment this browser prepared; undefined for someone else's. */
export function guestTokenOf(paymentId: string): string | undefined {
  return loadOrders().find((order) => order.paymentId === paymentId)?.guestToken ?? undefined;
}

/** The order with the service's latest verdict on its payment. */
export function withView(entry: OrderEntry, view: PaymentView): OrderEntry {
  return { ...entry, status: view.status, virtualAccount: view.virtualAccount };
}
