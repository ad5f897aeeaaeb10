/**
 * A one-page stand-in for PortOne's payment window: fill in requestPayment's parameters, pick
 * an outcome, and see what the browser SDK would resolve with.
 *
 * Inside the service (a shop URL is known), a payment must be one the service prepared: the
 * page prepares a demo order through the service's `payment.prepare` first, unless the shop
 * sent it here with a prepared paymentId, because a payment the service never prepared is
 * one it answers NOT_FOUND for. Standing alone, the sandbox pays whatever it is given.
 */
export function checkoutPage(defaults: {
  storeId: string;
  channelKey: string;
  shopUrl?: string | undefined;
}): string {
  const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const serviceUrl = defaults.shopUrl ? new URL(defaults.shopUrl).origin : "";
  const intro = serviceUrl
    ? `<p>Try a whole purchase in the <a id="shop-link" href="${escapeHtml(defaults.shopUrl ?? "")}">demo shop</a>: it opens this sandbox's checkout window through PortOne's browser SDK.</p>
<p id="flow">Or pay a demo order here. How the flow goes: (1) the shop asks the service to
<code>payment.prepare</code> an order (the service prices it and answers a paymentId),
(2) the browser pays that paymentId (this form plays PortOne's payment window),
(3) PortOne (this sandbox) sends its webhook to the service, which verifies it and records the
payment. Demo orders are <code>coffee-&lt;id&gt;</code>, <code>tshirt-&lt;id&gt;</code> and
<code>sneakers-&lt;id&gt;</code> (id: 1 to 64 of <code>A-Z a-z 0-9 _ -</code>). Change the amount
to see the service refuse it (MISMATCH).</p>
`
    : `<p id="flow">This sandbox runs on its own: it pays any paymentId you give it and sends its
webhooks to the endpoints it was started with (<code>--webhook-url</code>). Query parameters
(<code>?paymentId=...&amp;totalAmount=...&amp;orderName=...</code>) prefill the form.</p>
`;
  const orderField = serviceUrl
    ? `  <label for="orderId">demo order</label><input id="orderId" name="orderId" pattern="(coffee|tshirt|sneakers)-[A-Za-z0-9_\\-]{1,64}">
`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>PortOne sandbox checkout</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 34rem; margin: 2rem auto; padding: 0 1rem; }
  label { display: block; margin: .6rem 0 .2rem; font-weight: 600; }
  input, select, button { font: inherit; width: 100%; padding: .4rem; box-sizing: border-box; }
  button { margin-top: 1rem; cursor: pointer; }
  pre { background: #f4f4f4; padding: 1rem; overflow: auto; white-space: pre-wrap; }
</style>
</head>
<body>
<h1>PortOne sandbox checkout</h1>
${intro}<form id="checkout">
${orderField}  <label for="storeId">storeId</label><input id="storeId" name="storeId" value="${escapeHtml(defaults.storeId)}">
  <label for="channelKey">channelKey</label><input id="channelKey" name="channelKey" value="${escapeHtml(defaults.channelKey)}">
  <label for="paymentId">paymentId</label><input id="paymentId" name="paymentId" ${serviceUrl ? 'placeholder="prepared by the service when you pay"' : "required"}>
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
  const serviceUrl = ${JSON.stringify(serviceUrl)};
${CHECKOUT_FORM_SCRIPT}
</script>
</body>
</html>
`;
}

/**
 * The form's behaviour: prefill from the query, prepare through the service when embedded, post
 * the checkout, show the answer. It reads `serviceUrl`, which the page defines before it.
 */
const CHECKOUT_FORM_SCRIPT = `  const form = document.getElementById("checkout");
  const result = document.getElementById("result");
  const params = new URLSearchParams(location.search);
  for (const [key, value] of params) if (form.elements[key]) form.elements[key].value = value;
  if (form.elements.orderId && !form.elements.orderId.value)
    form.elements.orderId.value = "coffee-" + crypto.randomUUID().slice(0, 8);
  const show = (value) => { result.textContent = typeof value === "string" ? value : JSON.stringify(value, null, 2); };

  // The service knows only the payments it prepared: prepare the demo order first.
  async function prepared() {
    const response = await fetch(serviceUrl + "/trpc/payment.prepare", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ orderId: form.elements.orderId.value.trim() }),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error("The service refused the order: " + (answer.error?.message ?? response.status));
    const payment = answer.result.data;
    form.elements.paymentId.value = payment.paymentId;
    form.elements.orderName.value = payment.orderName;
    form.elements.currency.value = payment.currency;
    form.elements.storeId.value = payment.storeId;
    form.elements.channelKey.value = payment.channelKey;
    if (!params.has("totalAmount") && form.elements.totalAmount.dataset.edited !== "yes")
      form.elements.totalAmount.value = String(payment.totalAmount);
  }
  form.elements.totalAmount.addEventListener("input", () => { form.elements.totalAmount.dataset.edited = "yes"; });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      if (serviceUrl && !params.has("paymentId")) await prepared();
      // Query parameters the form has no field for (taxFreeAmount, customData, customer as JSON,
      // paidAmount, ...) are passed through, as requestPayment would receive them.
      const body = Object.fromEntries([...params].filter(([key]) => key !== "redirectUrl"));
      Object.assign(body, Object.fromEntries(new FormData(form)));
      delete body.orderId;
      for (const key of ["totalAmount", "taxFreeAmount", "vatAmount", "paidAmount"]) {
        if (body[key] !== undefined) body[key] = Number(body[key]);
      }
      if (typeof body.customer === "string") {
        try {
          body.customer = JSON.parse(body.customer);
        } catch {
          throw new Error('customer must be JSON, e.g. ?customer={"fullName":"Kim"}; got ' + body.customer.slice(0, 80));
        }
      }
      const response = await fetch("/sandbox/checkout", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const answer = await response.json();
      show(answer);
      const redirectUrl = params.get("redirectUrl");
      if (redirectUrl) {
        const target = new URL(redirectUrl, location.href);
        for (const [key, value] of Object.entries(answer)) target.searchParams.set(key, String(value));
        location.href = target.toString();
      }
    } catch (error) {
      show(error instanceof Error ? error.message : String(error));
    }
  });`;
