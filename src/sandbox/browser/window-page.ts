import type { CheckoutSession } from "./sessions.js";

/**
 * The checkout window: what a PG's payment window is in real life, reduced to the choices a
 * test needs. Rendered on the server with every value escaped; its script and style are
 * separate files so the page runs under a CSP without 'unsafe-inline'.
 */

const escapeHtml = (value: unknown) =>
  String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON safe inside <script type="application/json">: no "</script>" or "<!--" can form. */
const jsonForHtml = (value: unknown) =>
  JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");

/** "₩12,000" or "$6.00": amounts are in the currency's minor unit, as in requestPayment. */
export function formatAmount(amount: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat("en-US", { style: "currency", currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 0;
    return format.format(amount / 10 ** digits);
  } catch {
    return `${amount} ${currency}`;
  }
}

export function windowCsp(openerOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "form-action 'none'",
    "base-uri 'none'",
    // Only the page that opened the checkout may frame it (IFRAME windows).
    `frame-ancestors ${openerOrigin}`,
  ].join("; ");
}

const payMethodNames: Record<string, string> = {
  CARD: "Card",
  VIRTUAL_ACCOUNT: "Virtual account",
  TRANSFER: "Bank transfer",
  MOBILE: "Mobile phone",
  GIFT_CERTIFICATE: "Gift certificate",
  EASY_PAY: "Easy pay",
  PAYPAL: "PayPal",
  ALIPAY: "Alipay",
  CONVENIENCE_STORE: "Convenience store",
  ALIPAY_PLUS: "Alipay+",
};

const declineCodes: [string, string][] = [
  ["SANDBOX_DECLINED", "The card issuer declined the payment."],
  ["REJECT_CARD_PAYMENT", "Over the card's limit or not enough balance."],
  ["INVALID_CARD_EXPIRATION", "The card has expired."],
  ["REJECT_CARD_COMPANY", "The card company refused the transaction."],
];

function declineSection(label: string): string {
  const options = declineCodes
    .map(([code, message]) => `<option value="${code}">${code}: ${escapeHtml(message)}</option>`)
    .join("");
  return `<details class="decline">
  <summary>Decline</summary>
  <label for="pgCode">PG code</label>
  <select id="pgCode" name="pgCode">${options}</select>
  <button type="button" class="button danger" data-choice="decline">${escapeHtml(label)}</button>
</details>`;
}

function paymentBody(request: Record<string, unknown>): string {
  const amount = formatAmount(Number(request.totalAmount), String(request.currency));
  const method = String(request.payMethod);
  const primary =
    method === "VIRTUAL_ACCOUNT"
      ? `<button type="button" class="button primary" data-choice="virtual-account">Issue a virtual account</button>
<p class="hint">The payment waits for a deposit: <code>POST /sandbox/payments/:paymentId/deposit</code>.</p>`
      : `<button type="button" class="button primary" data-choice="pay">Pay ${escapeHtml(amount)}</button>
<button type="button" class="button secondary" data-choice="authorize">Authenticate only (manual confirmation)</button>`;
  return `<dl class="summary">
  <dt>Order</dt><dd>${escapeHtml(request.orderName)}</dd>
  <dt>Payment ID</dt><dd><code>${escapeHtml(request.paymentId)}</code></dd>
  <dt>Method</dt><dd>${escapeHtml(payMethodNames[method] ?? method)}</dd>
</dl>
<p class="amount" data-testid="amount">${escapeHtml(amount)}</p>
${primary}
${declineSection("Decline the payment")}`;
}

function billingKeyBody(request: Record<string, unknown>, andPay: boolean): string {
  const amount =
    andPay && typeof request.totalAmount === "number"
      ? `<p class="amount">${escapeHtml(formatAmount(request.totalAmount, String(request.currency)))}</p>`
      : "";
  const title = andPay
    ? String(request.orderName)
    : String(request.issueName ?? "Card registration");
  return `<dl class="summary">
  <dt>${andPay ? "Order" : "For"}</dt><dd>${escapeHtml(title)}</dd>
  ${andPay ? `<dt>Payment ID</dt><dd><code>${escapeHtml(request.paymentId)}</code></dd>` : ""}
</dl>
${amount}
<label for="cardNumber">Card</label>
<select id="cardNumber" name="cardNumber">
  <option value="5365100000001234">Test card 5365 10** **** 1234 (accepted)</option>
  <option value="4000000000000002">Test card 4000 00** **** 0002 (declined by the issuer)</option>
</select>
<button type="button" class="button primary" data-choice="${andPay ? "pay" : "issue"}">${andPay ? "Register the card and pay" : "Register the card"}</button>
${declineSection(andPay ? "Decline" : "Decline the registration")}`;
}

function identityBody(request: Record<string, unknown>): string {
  const customer = (request.customer ?? {}) as Record<string, unknown>;
  const name = typeof customer.fullName === "string" ? customer.fullName : "Hong Gildong";
  const phone = typeof customer.phoneNumber === "string" ? customer.phoneNumber : "01012345678";
  return `<dl class="summary">
  <dt>Verification ID</dt><dd><code>${escapeHtml(request.identityVerificationId)}</code></dd>
</dl>
<fieldset class="person">
  <legend>Verify as</legend>
  <label for="name">Name</label><input id="name" name="name" maxlength="100" value="${escapeHtml(name)}" required>
  <label for="phoneNumber">Phone number</label><input id="phoneNumber" name="phoneNumber" inputmode="tel" maxlength="15" value="${escapeHtml(phone)}">
  <label for="birthDate">Birth date</label><input id="birthDate" name="birthDate" type="date" value="1990-01-01">
  <label for="gender">Gender</label>
  <select id="gender" name="gender"><option value="MALE">Male</option><option value="FEMALE">Female</option></select>
  <label for="operator">Carrier</label>
  <select id="operator" name="operator">
    <option>SKT</option><option>KT</option><option>LGU</option><option>SKT_MVNO</option><option>KT_MVNO</option><option>LGU_MVNO</option>
  </select>
</fieldset>
<button type="button" class="button primary" data-choice="verify">Verify</button>
${declineSection("Fail the verification")}`;
}

const titles: Record<string, string> = {
  PAYMENT: "Payment",
  ISSUE_BILLING_KEY: "Register a card",
  ISSUE_BILLING_KEY_AND_PAY: "Register a card and pay",
  IDENTITY_VERIFICATION: "Identity verification",
};

export function windowPage(session: CheckoutSession): string {
  const { transactionType, request, windowType, openerOrigin } = session.checkout;
  const body =
    transactionType === "PAYMENT"
      ? paymentBody(request)
      : transactionType === "IDENTITY_VERIFICATION"
        ? identityBody(request)
        : billingKeyBody(request, transactionType === "ISSUE_BILLING_KEY_AND_PAY");
  const config = {
    sessionId: session.id,
    transactionType,
    windowType,
    openerOrigin,
    ...(session.response ? { completed: true } : {}),
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(titles[transactionType])}: PortOne sandbox</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/sandbox/browser/window.css">
<script type="application/json" id="portone-sandbox-session">${jsonForHtml(config)}</script>
<script src="/sandbox/browser/window.js" defer></script>
</head>
<body>
<main class="window" data-transaction-type="${transactionType}">
  <header>
    <span class="badge">PortOne sandbox · test mode</span>
    <button type="button" class="close" data-choice="close" aria-label="Close the window">×</button>
  </header>
  <h1>${escapeHtml(titles[transactionType])}</h1>
  <section class="choices">
${body}
  </section>
  <p class="status" role="status" aria-live="polite" id="status"></p>
  <footer>No money moves: this window belongs to the local PortOne sandbox.</footer>
</main>
</body>
</html>
`;
}

export function expiredWindowPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Checkout expired: PortOne sandbox</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/sandbox/browser/window.css">
</head>
<body>
<main class="window">
  <header><span class="badge">PortOne sandbox · test mode</span></header>
  <h1>This checkout window has expired</h1>
  <p>Checkout windows last 30 minutes and do not survive a sandbox restart. Start the checkout again from the shop.</p>
</main>
</body>
</html>
`;
}
