import type { PaymentSessionRecord } from "../state/records.js";

const escapeHtml = (value: unknown) =>
  String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page a payment session's `url` shows: the order, and pay / decline buttons. */
export function paymentSessionPage(session: PaymentSessionRecord): string {
  const amount = `${escapeHtml(session.totalAmount)} ${escapeHtml(session.currency)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PortOne sandbox checkout</title></head>
<body>
<h1>${escapeHtml(session.storeName ?? "PortOne sandbox checkout")}</h1>
<p id="order">${escapeHtml(session.orderName)}: <strong>${amount}</strong></p>
<p>Payment ${escapeHtml(session.paymentId)}, session expires at ${escapeHtml(session.expiresAt)}.</p>
<button type="button" data-outcome="paid">Pay</button>
<button type="button" data-outcome="failed">Decline</button>
<pre id="result"></pre>
<script>
for (const button of document.querySelectorAll("button[data-outcome]")) {
  button.addEventListener("click", async () => {
    const response = await fetch(location.pathname + "/complete", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outcome: button.dataset.outcome }),
    });
    const result = await response.json();
    if (result.redirectUrl) location.href = result.redirectUrl;
    else document.getElementById("result").textContent = JSON.stringify(result, null, 2);
  });
}
</script>
</body></html>
`;
}
