/**
 * A one-page stand-in for PortOne's payment window: fill in requestPayment's parameters, pick
 * an outcome, and see what the browser SDK would resolve with.
 */
export function checkoutPage(defaults: {
  storeId: string;
  channelKey: string;
  shopUrl?: string | undefined;
}): string {
  const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const shopLink = defaults.shopUrl
    ? `<p>Try a whole purchase in the <a id="shop-link" href="${escapeHtml(defaults.shopUrl)}">demo shop</a>: it opens this sandbox's checkout window through PortOne's browser SDK.</p>\n`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>PortOne sandbox checkout</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 34rem; margin: 2rem auto; padding: 0 1rem; }
  label { display: block; margin: .6rem 0 .2rem; font-weight: 600; }
  input, select, button { font: inherit; width: 100%; padding: .4rem; box-sizing: border-box; }
  button { margin-top: 1rem; cursor: pointer; }
  pre { background: #f4f4f4; padding: 1rem; overflow: auto; }
</style>
</head>
<body>
<h1>PortOne sandbox checkout</h1>
${shopLink}<p>Plays the browser SDK's <code>requestPayment</code> against this sandbox. Query parameters
(<code>?paymentId=...&amp;totalAmount=...&amp;orderName=...</code>) prefill the form.</p>
<form id="checkout">
  <label for="storeId">storeId</label><input id="storeId" name="storeId" value="${escapeHtml(defaults.storeId)}">
  <label for="channelKey">channelKey</label><input id="channelKey" name="channelKey" value="${escapeHtml(defaults.channelKey)}">
  <label for="paymentId">paymentId</label><input id="paymentId" name="paymentId" required>
  <label for="orderName">orderName</label><input id="orderName" name="orderName" value="Sandbox order" required>
  <label for="totalAmount">totalAmount</label><input id="totalAmount" name="totalAmount" type="number" min="0" value="1000" required>
  <label for="currency">currency</label><input id="currency" name="currency" value="KRW" required>
  <label for="payMethod">payMethod</label>
  <select id="payMethod" name="payMethod">
    <option>CARD</option><option>VIRTUAL_ACCOUNT</option><option>TRANSFER</option><option>MOBILE</option><option>EASY_PAY</option>
  </select>
  <label for="outcome">outcome</label>
  <select id="outcome" name="outcome">
    <option value="paid">paid</option>
    <option value="failed">failed</option>
    <option value="virtual-account-issued">virtual account issued</option>
    <option value="pay-pending">pay pending</option>
    <option value="awaiting-confirm">awaiting confirm (manual confirmation)</option>
  </select>
  <button type="submit">Pay</button>
</form>
<h2>Result</h2>
<pre id="result">-</pre>
<script>
  const form = document.getElementById("checkout");
  const params = new URLSearchParams(location.search);
  for (const [key, value] of params) if (form.elements[key]) form.elements[key].value = value;
  if (!form.elements.paymentId.value) form.elements.paymentId.value = "payment-" + crypto.randomUUID();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // Query parameters the form has no field for (taxFreeAmount, customData, customer as JSON,
    // paidAmount, ...) are passed through, as requestPayment would receive them.
    const body = Object.fromEntries([...params].filter(([key]) => key !== "redirectUrl"));
    Object.assign(body, Object.fromEntries(new FormData(form)));
    for (const key of ["totalAmount", "taxFreeAmount", "vatAmount", "paidAmount"]) {
      if (body[key] !== undefined) body[key] = Number(body[key]);
    }
    if (typeof body.customer === "string") body.customer = JSON.parse(body.customer);
    const response = await fetch("/sandbox/checkout", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const result = await response.json();
    document.getElementById("result").textContent = JSON.stringify(result, null, 2);
    const redirectUrl = params.get("redirectUrl");
    if (redirectUrl) {
      const target = new URL(redirectUrl, location.href);
      for (const [key, value] of Object.entries(result)) target.searchParams.set(key, String(value));
      location.href = target.toString();
    }
  });
</script>
</body>
</html>
`;
}
