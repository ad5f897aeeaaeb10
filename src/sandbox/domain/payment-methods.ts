import type { JsonObject } from "../state/records.js";

const DAY_MS = 24 * 60 * 60 * 1000;

export function cardMethod(cardNumber = "5365100000001234"): JsonObject {
  return {
    type: "PaymentMethodCard",
    card: {
      publisher: "SANDBOX",
      issuer: "SANDBOX",
      brand: "LOCAL",
      type: "CREDIT",
      ownerType: "PERSONAL",
      bin: cardNumber.slice(0, 6),
      name: "Sandbox Card",
      number: `${cardNumber.slice(0, 6)}******${cardNumber.slice(-4)}`,
    },
    approvalNumber: String(10_000_000 + Math.floor(Math.random() * 89_999_999)),
    installment: { month: 0, isInterestFree: false },
    pointUsed: false,
  };
}

export function virtualAccountMethod(now: number, expiresInMs = 3 * DAY_MS): JsonObject {
  return {
    type: "PaymentMethodVirtualAccount",
    bank: "SHINHAN",
    accountNumber: `5620${String(Math.floor(Math.random() * 1e10)).padStart(10, "0")}`,
    accountType: "NORMAL",
    remitteeName: "PortOne Sandbox",
    expiredAt: new Date(now + expiresInMs).toISOString(),
    issuedAt: new Date(now).toISOString(),
  };
}

/** The `Payment.method` a checkout with the browser SDK's `payMethod` ends up with. */
export function methodForPayMethod(
  payMethod: string,
  now: number,
  details: { phoneNumber?: string; easyPayProvider?: string } = {},
): JsonObject | undefined {
  switch (payMethod) {
    case "CARD":
      return cardMethod();
    case "VIRTUAL_ACCOUNT":
      return virtualAccountMethod(now);
    case "TRANSFER":
      return { type: "PaymentMethodTransfer", bank: "KOOKMIN" };
    case "MOBILE":
      return {
        type: "PaymentMethodMobile",
        ...(details.phoneNumber ? { phoneNumber: details.phoneNumber } : {}),
      };
    case "EASY_PAY":
      return { type: "PaymentMethodEasyPay", provider: details.easyPayProvider ?? "KAKAOPAY" };
    case "GIFT_CERTIFICATE":
      return {
        type: "PaymentMethodGiftCertificate",
        giftCertificateType: "CULTURELAND",
        approvalNumber: String(Math.floor(Math.random() * 1e8)),
      };
    case "CONVENIENCE_STORE":
      return {
        type: "PaymentMethodConvenienceStore",
        paymentDeadline: new Date(now + 3 * DAY_MS).toISOString(),
      };
    default:
      // PayPal, Alipay and the like: PortOne reports no method details for them.
      return undefined;
  }
}
