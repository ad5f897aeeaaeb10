/**
 * Sandbox-only parts of the page. A shop running against PortOne itself has neither the
 * config route nor a way to make a bank deposit; copy the rest, not this file.
 */

import type { ShopConfig } from "../shop-plugin.js";

/** Plays the customer's bank: pays the full amount into the payment's virtual account. */
export async function deposit(config: ShopConfig, paymentId: string): Promise<void> {
  const response = await fetch(
    `${config.sandboxUrl}/sandbox/payments/${encodeURIComponent(paymentId)}/deposit`,
    { method: "POST", headers: { "content-type": "application/json" }, body: "{}" },
  );
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    throw new Error(body.message ?? `HTTP ${response.status}`);
  }
}
