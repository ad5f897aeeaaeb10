import { TRPCClientError } from "@trpc/client";
import type { ShopConfig } from "../shop-plugin.js";
import { type PaymentView, type PreparedPayment, trpc } from "./api.js";
import {
  type CheckoutReturn,
  openCheckout,
  type PayMethodChoice,
  returnFromRedirect,
  useSandbox,
  type WindowChoice,
} from "./checkout.js";
import {
  guestTokenOf,
  isWaiting,
  loadOrders,
  type OrderEntry,
  saveOrder,
  withView,
} from "./orders.js";
import { deposit } from "./sandbox.js";
import { el, money, STATUS_LABELS, showStatus } from "./view.js";

/** How often waiting orders (virtual accounts) ask the service for news. */
const POLL_INTERVAL_MS = 2_000;

let config: ShopConfig;
/** The payment the status banner talks about, so a later poll can update it. */
let currentPaymentId: string | null = null;

async function main() {
  const response = await fetch("/shop/config.json");
  if (!response.ok) throw new Error(`/shop/config.json answered HTTP ${response.status}`);
  config = (await response.json()) as ShopConfig;
  useSandbox(config.sandboxUrl);
  renderProducts();
  renderOrders();

  // Back from a REDIRECTION checkout: verify, then drop PortOne's parameters from the URL.
  const returned = returnFromRedirect(window.location);
  if (returned) {
    history.replaceState(null, "", "/");
    await finishCheckout(returned);
  }
  setInterval(pollWaitingOrders, POLL_INTERVAL_MS);
}

async function buy(productId: string) {
  setBuying(true);
  try {
    showStatus("working", "Preparing your order…");
    // A real shop creates the order in its backend first; the demo catalog accepts any
    // `<product>-<suffix>` as a fresh order for that product.
    const orderId = newOrderId(productId);
    const prepared = await trpc.payment.prepare.mutate({ orderId });
    currentPaymentId = prepared.paymentId;
    saveOrder(newOrderEntry(orderId, prepared));
    renderOrders();
    showStatus("working", "Complete the payment in PortOne's checkout window…");
    const returned = await openCheckout(prepared, checkoutChoice());
    // null: the page is being redirected to the checkout and comes back to main().
    if (returned) await finishCheckout(returned);
  } catch (error) {
    showStatus("error", `Could not take the payment: ${messageOf(error)}`);
  } finally {
    setBuying(false);
  }
}

/**
 * The checkout's answer only says that something happened. `payment.complete` asks PortOne
 * through the service and compares the payment with the order: only its status counts.
 */
async function finishCheckout(returned: CheckoutReturn) {
  currentPaymentId = returned.paymentId;
  showStatus("working", "Checking the payment with the shop…");
  let view: PaymentView;
  try {
    view = await trpc.payment.complete.mutate({
      paymentId: returned.paymentId,
      guestToken: guestTokenOf(returned.paymentId),
    });
  } catch (error) {
    showStatus("error", `Could not verify the payment: ${messageOf(error)}`);
    return;
  }
  updateOrder(view);
  showOutcome(view, returned.failure?.message ?? null);
}

function showOutcome(view: PaymentView, checkoutMessage: string | null) {
  const amount = money(view.totalAmount, view.currency);
  switch (view.status) {
    case "PAID":
      return showStatus("paid", `Paid ${amount} for ${view.orderName}. Thank you!`);
    case "VIRTUAL_ACCOUNT_ISSUED": {
      const account = view.virtualAccount;
      const where = account ? `${account.bank ?? "the bank"} account ${account.accountNumber}` : "";
      return showStatus(
        "waiting",
        `Transfer ${amount} to ${where}. This page updates when the deposit arrives.`,
      );
    }
    case "PAY_PENDING":
      return showStatus("waiting", "The payment provider is still processing the payment.");
    case "MISMATCH":
      // Paid, but not what the order costs: never shown as paid; the shop reviews it.
      return showStatus(
        "mismatch",
        "The payment does not match the order, so the order is not paid. The shop will review it.",
      );
    default:
      return showStatus(
        "failed",
        `Payment not completed${checkoutMessage ? `: ${checkoutMessage}` : "."}`,
      );
  }
}

/**
 * Virtual accounts are paid later, from a bank. PortOne then sends the service a webhook,
 * which updates the order; the page learns of it by asking `payment.get` now and then.
 */
let polling = false;
async function pollWaitingOrders() {
  if (polling) return;
  polling = true;
  try {
    for (const order of loadOrders().filter((entry) => isWaiting(entry.status))) {
      const view = await trpc.payment.get.query({
        paymentId: order.paymentId,
        guestToken: order.guestToken ?? undefined,
      });
      if (view.status === order.status) continue;
      updateOrder(view);
      if (view.paymentId === currentPaymentId) showOutcome(view, null);
    }
  } catch {
    // The next poll tries again; a failure here is not the customer's business.
  } finally {
    polling = false;
  }
}

function updateOrder(view: PaymentView) {
  const entry = loadOrders().find((order) => order.paymentId === view.paymentId);
  if (entry) saveOrder(withView(entry, view));
  renderOrders();
}

function renderProducts() {
  const list = document.getElementById("products") as HTMLUListElement;
  list.replaceChildren(
    ...config.products.map((product) => {
      const button = el("button", { type: "button", class: "buy", "data-product": product.id }, [
        "Buy",
      ]);
      button.addEventListener("click", () => void buy(product.id));
      return el("li", { class: "product" }, [
        el("span", { class: "product-name" }, [product.name]),
        el("span", { class: "price" }, [money(product.price, product.currency)]),
        button,
      ]);
    }),
  );
}

function renderOrders() {
  const orders = loadOrders();
  (document.getElementById("orders-empty") as HTMLElement).hidden = orders.length > 0;
  (document.getElementById("orders") as HTMLUListElement).replaceChildren(...orders.map(orderItem));
}

function orderItem(order: OrderEntry) {
  const item = el("li", { class: "order", "data-payment-id": order.paymentId }, [
    el("span", { class: "order-name" }, [order.orderName]),
    el("span", { class: "price" }, [money(order.totalAmount, order.currency)]),
    el("span", { class: "badge", "data-status": order.status }, [STATUS_LABELS[order.status]]),
  ]);
  const account = order.status === "VIRTUAL_ACCOUNT_ISSUED" ? order.virtualAccount : null;
  if (account) {
    const button = el("button", { type: "button", class: "deposit" }, [
      "Simulate the deposit (sandbox)",
    ]);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await deposit(config, order.paymentId);
      } catch (error) {
        showStatus("error", `The sandbox refused the deposit: ${messageOf(error)}`);
        button.disabled = false;
      }
    });
    item.append(
      el("p", { class: "account" }, [
        `Transfer to ${account.bank ?? "bank"} ${account.accountNumber}`,
        account.expiresAt ? ` by ${new Date(account.expiresAt).toLocaleString()}` : "",
      ]),
      button,
    );
  }
  return item;
}

function newOrderEntry(orderId: string, prepared: PreparedPayment): OrderEntry {
  return {
    paymentId: prepared.paymentId,
    orderId,
    orderName: prepared.orderName,
    totalAmount: prepared.totalAmount,
    currency: prepared.currency,
    status: "PREPARED",
    virtualAccount: null,
    guestToken: prepared.guestToken,
  };
}

function newOrderId(productId: string): string {
  const random = crypto.getRandomValues(new Uint32Array(2));
  return `${productId}-${Date.now().toString(36)}${random[0]?.toString(36)}${random[1]?.toString(36)}`;
}

function checkoutChoice(): { payMethod: PayMethodChoice; windowType: WindowChoice } {
  const form = document.getElementById("options") as HTMLFormElement;
  const data = new FormData(form);
  return {
    payMethod: data.get("payMethod") === "VIRTUAL_ACCOUNT" ? "VIRTUAL_ACCOUNT" : "CARD",
    windowType: (data.get("windowType") as WindowChoice | null) ?? "IFRAME",
  };
}

function setBuying(buying: boolean) {
  for (const button of document.querySelectorAll<HTMLButtonElement>("button.buy"))
    button.disabled = buying;
}

function messageOf(error: unknown): string {
  if (error instanceof TRPCClientError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

main().catch((error: unknown) =>
  showStatus("error", `The shop failed to load: ${messageOf(error)}`),
);
