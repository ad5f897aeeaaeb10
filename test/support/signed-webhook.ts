import { sign } from "../../src/sdk/webhook/index.js";

/** POSTs `body` to a service's PortOne webhook route, signed with `secret` as PortOne signs. */
export async function postSignedWebhook(
  serviceUrl: string,
  secret: string,
  body: string,
  id: string,
): Promise<Response> {
  return fetch(`${serviceUrl}/webhooks/portone`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(await sign(secret, body, { id })) },
    body,
  });
}
