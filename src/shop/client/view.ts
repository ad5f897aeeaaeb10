import type { PaymentStatus } from "./api.js";

/** What the status banner says, and how it looks (its `data-state`). */
export type BannerState = "working" | "paid" | "waiting" | "failed" | "mismatch" | "error";

export const STATUS_LABELS: Record<PaymentStatus, string> = {
  PREPARED: "Not paid",
  READY: "Not paid",
  PAY_PENDING: "Pending",
  VIRTUAL_ACCOUNT_ISSUED: "Awaiting deposit",
  PAID: "Paid",
  FAILED: "Failed",
  PARTIAL_CANCELLED: "Partly refunded",
  CANCELLED: "Cancelled",
  MISMATCH: "Under review",
};

export function showStatus(state: BannerState, message: string): void {
  const banner = document.getElementById("checkout-status") as HTMLElement;
  banner.hidden = false;
  banner.dataset.state = state;
  banner.textContent = message;
}

export function money(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat("ko-KR", { style: "currency", currency }).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** A DOM element with text children only: nothing from a response is ever parsed as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string>,
  children: (string | Node)[],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}
