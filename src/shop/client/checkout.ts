import PortOne, {
  __INTERNAL__setPortOneSdkUrl,
  isPaymentError,
  type PaymentRequest,
  type PaymentResponse,
} from "@portone/browser-sdk/v2";
import type { PreparedPayment } from "./api.js";

export type PayMethodChoice = "CARD" | "VIRTUAL_ACCOUNT";
export type WindowChoice = "IFRAME" | "POPUP" | "REDIRECTION";

/**
 * The one line that points the unmodified `@portone/browser-sdk` at the sandbox: it loads
 * its script from here instead of https://cdn.portone.io/v2/browser-sdk.js. Leave it out
 * (or skip it outside sandbox mode) to use PortOne itself.
 */
export function useSandbox(sandboxUrl: string): void {
  __INTERNAL__setPortOneSdkUrl(`${sandboxUrl}/v2/browser-sdk.js`);
}

/** How the checkout window ended, as the browser saw it. Nothing here is verified yet. */
export interface CheckoutReturn {
  readonly paymentId: string;
  /** Set when the SDK reports a failure: declined, window closed, invalid request... */
  readonly failure: { readonly code: string; readonly message: string } | null;
}

/**
 * Opens PortOne's checkout for a prepared payment. Everything that decides the charge
 * (paymentId, amount, currency, storeId, channelKey) comes from `payment.prepare`, never from
 * the page. Resolves with the result for IFRAME and POPUP; in REDIRECTION mode the page
 * navigates away and the result comes back as query parameters (see `returnFromRedirect`).
 */
export async function openCheckout(
  prepared: PreparedPayment,
  choice: { payMethod: PayMethodChoice; windowType: WindowChoice },
): Promise<CheckoutReturn | null> {
  const request: PaymentRequest = {
    storeId: prepared.storeId,
    channelKey: prepared.channelKey,
    paymentId: prepared.paymentId,
    orderName: prepared.orderName,
    totalAmount: prepared.totalAmount,
    // The service returns PortOne's own currency codes (ISO 4217, "KRW").
    currency: prepared.currency as PaymentRequest["currency"],
    payMethod: choice.payMethod,
    ...(choice.payMethod === "VIRTUAL_ACCOUNT"
      ? { virtualAccount: { accountExpiry: { validHours: 24 } } }
      : {}),
    ...(prepared.customer ? { customer: customerOf(prepared.customer) } : {}),
    // PCs use the chosen window; phones redirect, as most PGs require there.
    windowType: { pc: choice.windowType, mobile: "REDIRECTION" },
    // Where REDIRECTION comes back to, with PortOne's result in the query string.
    redirectUrl: new URL("/", window.location.href).href,
  };
  let response: PaymentResponse | undefined;
  try {
    response = await PortOne.requestPayment(request);
  } catch (error) {
    // PortOne refused the request itself (invalid fields, unknown channel, popup blocked...).
    if (!isPaymentError(error)) throw error;
    return { paymentId: prepared.paymentId, failure: { code: error.code, message: error.message } };
  }
  return response ? checkoutReturnOf(response, prepared.paymentId) : null;
}

function checkoutReturnOf(response: PaymentResponse, paymentId: string): CheckoutReturn {
  return {
    paymentId: response.paymentId || paymentId,
    failure:
      response.code !== undefined
        ? { code: response.code, message: response.message ?? response.code }
        : null,
  };
}

/**
 * After REDIRECTION, PortOne appends `paymentId`, `transactionType`, `txId` and, on failure,
 * `code`, `message`, `pgCode`, `pgMessage` to the redirect URL. Anyone can type such a URL, so
 * it only says which payment to verify; `payment.complete` says what happened.
 */
export function returnFromRedirect(location: Location): CheckoutReturn | null {
  const query = new URLSearchParams(location.search);
  const paymentId = query.get("paymentId");
  if (!paymentId || query.get("transactionType") !== "PAYMENT") return null;
  const code = query.get("code");
  return {
    paymentId,
    failure: code ? { code, message: query.get("message") ?? code } : null,
  };
}

function customerOf(customer: NonNullable<PreparedPayment["customer"]>) {
  return {
    ...(customer.fullName ? { fullName: customer.fullName } : {}),
    ...(customer.email ? { email: customer.email } : {}),
    ...(customer.phoneNumber ? { phoneNumber: customer.phoneNumber } : {}),
  };
}
