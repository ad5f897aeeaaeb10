/**
 * `Webhook.sign` / `Webhook.verify` as runtime-neutral cases: round trips, an independent
 * HMAC-SHA256 through the runtime's own Web Crypto, and every refusal a forged or replayed
 * request gets. Long bodies take the SDK's Web Crypto path, short ones its JavaScript HMAC.
 */
import { Webhook } from "../../../src/sdk/index.js";
import { assert, assertEqual, assertInstance, type Case, rejection } from "./harness.js";

const rawSecret = new TextEncoder().encode("portable webhook secret, 32 byte");
const secret = `whsec_${btoa(String.fromCharCode(...rawSecret))}`;
const otherSecret = `whsec_${btoa("another secret of 32 bytes......")}`;

function paidBody(padding = ""): string {
  return JSON.stringify({
    type: "Transaction.Paid",
    timestamp: "2024-04-25T10:00:00.000Z",
    data: { storeId: "store-1", paymentId: "order-1", transactionId: "tx-1", padding },
  });
}

/** base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` computed without the SDK. */
async function independentSignature(id: string, timestamp: string, body: string) {
  const key = await crypto.subtle.importKey(
    "raw",
    rawSecret,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const content = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, content));
  return btoa(String.fromCharCode(...mac));
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  const error = await rejection(promise);
  assertInstance(error, Webhook.WebhookVerificationError);
  return (error as Webhook.WebhookVerificationError).reason;
}

function signatureMatchCase(label: string, body: string): Case {
  return {
    name: `webhook: sign matches an independent HMAC-SHA256 (${label}) and verify accepts it`,
    async run() {
      const headers = await Webhook.sign(secret, body, { id: "msg_portable" });
      const expected = await independentSignature(
        "msg_portable",
        headers["webhook-timestamp"],
        body,
      );
      assertEqual(headers["webhook-signature"], `v1,${expected}`, "signature header");
      const webhook = await Webhook.verify(secret, body, headers);
      assertEqual(webhook.type, "Transaction.Paid", "parsed type");
    },
  };
}

export const webhookCases: Case[] = [
  signatureMatchCase("short body", paidBody()),
  signatureMatchCase("body over 4 KiB", paidBody("x".repeat(6000))),
  {
    name: "webhook: verify takes bytes and a Fetch Headers object",
    async run() {
      const body = paidBody();
      const signed = await Webhook.sign(secret, body);
      const webhook = await Webhook.verify(
        secret,
        new TextEncoder().encode(body),
        new Headers(signed),
      );
      assert(webhook.type === "Transaction.Paid" && "data" in webhook, "parsed webhook");
    },
  },
  {
    name: "webhook: a tampered body, another id or a shifted timestamp is refused",
    async run() {
      const body = paidBody();
      const headers = await Webhook.sign(secret, body, { id: "msg_1" });
      const tampered = body.replace("order-1", "order-2");
      const shifted = String(Number(headers["webhook-timestamp"]) + 1);
      assertEqual(
        [
          await reasonOf(Webhook.verify(secret, tampered, headers)),
          await reasonOf(Webhook.verify(secret, body, { ...headers, "webhook-id": "msg_2" })),
          await reasonOf(
            Webhook.verify(secret, body, { ...headers, "webhook-timestamp": shifted }),
          ),
        ],
        ["NO_MATCHING_SIGNATURE", "NO_MATCHING_SIGNATURE", "NO_MATCHING_SIGNATURE"],
        "reasons",
      );
    },
  },
  {
    name: "webhook: another secret, a stale or future timestamp and missing headers are refused",
    async run() {
      const body = paidBody();
      const now = Math.floor(Date.now() / 1000);
      const byOther = await Webhook.sign(otherSecret, body);
      const stale = await Webhook.sign(secret, body, { timestamp: now - 3600 });
      const future = await Webhook.sign(secret, body, { timestamp: now + 3600 });
      assertEqual(
        [
          await reasonOf(Webhook.verify(secret, body, byOther)),
          await reasonOf(Webhook.verify(secret, body, stale)),
          await reasonOf(Webhook.verify(secret, body, future)),
          await reasonOf(Webhook.verify(secret, body, {})),
        ],
        [
          "NO_MATCHING_SIGNATURE",
          "TIMESTAMP_TOO_OLD",
          "TIMESTAMP_TOO_NEW",
          "MISSING_REQUIRED_HEADERS",
        ],
        "reasons",
      );
    },
  },
  {
    name: "webhook: a rotation signs with every secret and verify accepts any of them",
    async run() {
      const body = paidBody();
      const headers = await Webhook.sign([secret, otherSecret], body);
      assertEqual(headers["webhook-signature"].split(" ").length, 2, "signatures");
      await Webhook.verify(otherSecret, body, headers);
      await Webhook.verify(secret, body, headers);
    },
  },
];
