/**
 * The same package from CommonJS: `import` compiles to `require`, which must find the
 * package's CommonJS build and its own declarations.
 */
import { Payment, PortOneClient, RestError } from "@portone-bff/sdk";
import { isUnrecognizedAddress } from "@portone-bff/sdk/common";
import * as Webhook from "@portone-bff/sdk/webhook";

declare const process: { argv: string[] };
declare function require(id: string): unknown;

async function main() {
  const [baseUrl, secret, storeId] = process.argv.slice(2) as [string, string, string];
  const portone = PortOneClient({ secret, baseUrl, storeId, timeoutMs: 10_000 });
  let missing = "";
  try {
    await portone.payment.getPayment({ paymentId: "consumer-cjs-missing" });
  } catch (error) {
    if (error instanceof Payment.GetPaymentError && error instanceof RestError)
      missing = String(error.data.type);
  }
  // A second require of the same subpath is the same module: one class identity.
  const again = require("@portone-bff/sdk") as { Payment: typeof Payment };
  console.log(
    JSON.stringify({
      missing,
      sameClass: again.Payment.GetPaymentError === Payment.GetPaymentError,
      guard: typeof isUnrecognizedAddress,
      verify: typeof Webhook.verify,
    }),
  );
}

void main();
