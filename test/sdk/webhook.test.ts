import { once } from "node:events";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook as OfficialWebhook } from "@portone/server-sdk";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PortOneError } from "../../src/sdk/runtime/port-one-error.js";
import * as Webhook from "../../src/sdk/webhook/index.js";

const rawKey = new Uint8Array(32).map((_, i) => (i * 7 + 3) & 0xff);
const base64Secret = btoa(String.fromCharCode(...rawKey));
const secret = `whsec_${base64Secret}`;
const otherSecret = `whsec_${btoa("another secret of 32 bytes......")}`;

const paidBody = JSON.stringify({
  type: "Transaction.Paid",
  timestamp: "2024-04-25T10:00:00.000Z",
  data: { storeId: "store-1", paymentId: "order-1", transactionId: "tx-1" },
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  const error = await failureOf(promise);
  expect(error).toBeInstanceOf(Webhook.WebhookVerificationError);
  return (error as Webhook.WebhookVerificationError).reason;
}

describe("verify", () => {
  it("accepts what sign produced and returns the parsed body", async () => {
    const headers = await Webhook.sign(secret, paidBody, { id: "msg_1" });
    expect(headers["webhook-id"]).toBe("msg_1");
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    const webhook = await Webhook.verify(secret, paidBody, headers);
    expect(webhook).toEqual(JSON.parse(paidBody));
  });

  it("verifySignature returns the signed id and timestamp", async () => {
    const timestamp = nowSeconds() - 42;
    const headers = await Webhook.sign(secret, paidBody, { id: "msg_meta", timestamp });
    expect(headers["webhook-timestamp"]).toBe(String(timestamp));
    expect(await Webhook.verifySignature(secret, paidBody, headers)).toEqual({
      id: "msg_meta",
      timestamp,
    });
  });

  it("accepts the secret with or without whsec_, and as raw bytes", async () => {
    const headers = await Webhook.sign(base64Secret, paidBody);
    await expect(Webhook.verify(secret, paidBody, headers)).resolves.toBeTypeOf("object");
    await expect(Webhook.verify(base64Secret, paidBody, headers)).resolves.toBeTypeOf("object");
    await expect(Webhook.verify(rawKey, paidBody, headers)).resolves.toBeTypeOf("object");
  });

  it('accepts { format: "raw" } string secrets, as the standardwebhooks package does', async () => {
    // Also valid base64 text, so that reading it the wrong way gives another key, not an error.
    const rawSecret = "PlainTextSecretAbcd1234";
    const headers = await Webhook.sign(rawSecret, paidBody, { format: "raw" });
    await expect(
      Webhook.verify(rawSecret, paidBody, headers, { format: "raw" }),
    ).resolves.toBeTypeOf("object");
    const theirs = new StandardWebhook(rawSecret, { format: "raw" });
    expect(theirs.verify(paidBody, headers)).toEqual(JSON.parse(paidBody));
    expect(await reasonOf(Webhook.verify(rawSecret, paidBody, headers))).toBe(
      "NO_MATCHING_SIGNATURE",
    );
  });

  it("rejects a tampered body, id or timestamp", async () => {
    const headers = await Webhook.sign(secret, paidBody, { id: "msg_1" });
    const tamperedBody = paidBody.replace("order-1", "order-2");
    expect(await reasonOf(Webhook.verify(secret, tamperedBody, headers))).toBe(
      "NO_MATCHING_SIGNATURE",
    );
    expect(
      await reasonOf(Webhook.verify(secret, paidBody, { ...headers, "webhook-id": "msg_2" })),
    ).toBe("NO_MATCHING_SIGNATURE");
    const shifted = String(Number(headers["webhook-timestamp"]) - 1);
    expect(
      await reasonOf(
        Webhook.verify(secret, paidBody, { ...headers, "webhook-timestamp": shifted }),
      ),
    ).toBe("NO_MATCHING_SIGNATURE");
  });

  it("rejects a signature made with another secret, and one with a flipped bit", async () => {
    const headers = await Webhook.sign(otherSecret, paidBody);
    expect(await reasonOf(Webhook.verify(secret, paidBody, headers))).toBe("NO_MATCHING_SIGNATURE");
    const good = await Webhook.sign(secret, paidBody);
    const bytes = Uint8Array.from(atob(good["webhook-signature"].slice(3)), (c) => c.charCodeAt(0));
    bytes[31] = (bytes[31] as number) ^ 1;
    const flipped = `v1,${btoa(String.fromCharCode(...bytes))}`;
    expect(
      await reasonOf(Webhook.verify(secret, paidBody, { ...good, "webhook-signature": flipped })),
    ).toBe("NO_MATCHING_SIGNATURE");
  });

  it("accepts any secret of an array (rotation), and signs with every one of them", async () => {
    const signedWithNew = await Webhook.sign(otherSecret, paidBody);
    await expect(
      Webhook.verify([secret, otherSecret], paidBody, signedWithNew),
    ).resolves.toBeTypeOf("object");
    expect(await reasonOf(Webhook.verify([secret], paidBody, signedWithNew))).toBe(
      "NO_MATCHING_SIGNATURE",
    );

    const signedWithBoth = await Webhook.sign([secret, otherSecret], paidBody);
    expect(signedWithBoth["webhook-signature"].split(" ")).toHaveLength(2);
    await expect(Webhook.verify(secret, paidBody, signedWithBoth)).resolves.toBeTypeOf("object");
    await expect(Webhook.verify(otherSecret, paidBody, signedWithBoth)).resolves.toBeTypeOf(
      "object",
    );
    await expect(OfficialWebhook.verify(otherSecret, paidBody, signedWithBoth)).resolves.toEqual(
      JSON.parse(paidBody),
    );
  });

  it("skips signatures of other versions and undecodable entries", async () => {
    const good = await Webhook.sign(secret, paidBody);
    const listed = `v2,${good["webhook-signature"].slice(3)} v1,not*base64 v1 ${good["webhook-signature"]}`;
    await expect(
      Webhook.verify(secret, paidBody, { ...good, "webhook-signature": listed }),
    ).resolves.toBeTypeOf("object");
    expect(
      await reasonOf(
        Webhook.verify(secret, paidBody, { ...good, "webhook-signature": "v1,not*base64" }),
      ),
    ).toBe("NO_MATCHING_SIGNATURE");
  });

  it("enforces 300 seconds of tolerance in both directions", async () => {
    const at = async (offset: number) =>
      Webhook.verify(
        secret,
        paidBody,
        await Webhook.sign(secret, paidBody, { timestamp: nowSeconds() + offset }),
      );
    expect(await reasonOf(at(-400))).toBe("TIMESTAMP_TOO_OLD");
    expect(await reasonOf(at(400))).toBe("TIMESTAMP_TOO_NEW");
    // A few seconds of margin so that a slow second tick cannot flip these.
    await expect(at(-290)).resolves.toBeTypeOf("object");
    await expect(at(290)).resolves.toBeTypeOf("object");
    const signedAsDate = await Webhook.sign(secret, paidBody, {
      timestamp: new Date(Date.now() - 10 * 60_000),
    });
    expect(await reasonOf(Webhook.verify(secret, paidBody, signedAsDate))).toBe(
      "TIMESTAMP_TOO_OLD",
    );
  });

  it("reports a timestamp that is not whole seconds as INVALID_SIGNATURE", async () => {
    const headers = await Webhook.sign(secret, paidBody);
    for (const timestamp of ["soon", "12abc", "1.5", "-5", " "]) {
      expect(
        await reasonOf(
          Webhook.verify(secret, paidBody, { ...headers, "webhook-timestamp": timestamp }),
        ),
      ).toBe("INVALID_SIGNATURE");
    }
  });

  it("reports each missing or empty header", async () => {
    const headers = await Webhook.sign(secret, paidBody);
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"] as const) {
      const { [name]: _removed, ...rest } = headers;
      expect(await reasonOf(Webhook.verify(secret, paidBody, rest))).toBe(
        "MISSING_REQUIRED_HEADERS",
      );
      expect(await reasonOf(Webhook.verify(secret, paidBody, { ...headers, [name]: "" }))).toBe(
        "MISSING_REQUIRED_HEADERS",
      );
    }
    expect(await reasonOf(Webhook.verify(secret, paidBody, {}))).toBe("MISSING_REQUIRED_HEADERS");
  });

  it("matches header names case-insensitively", async () => {
    const headers = await Webhook.sign(secret, paidBody);
    const shouting = {
      "Webhook-Id": headers["webhook-id"],
      "WEBHOOK-TIMESTAMP": headers["webhook-timestamp"],
      "Webhook-Signature": headers["webhook-signature"],
      "Content-Type": "application/json",
    };
    await expect(Webhook.verify(secret, paidBody, shouting)).resolves.toBeTypeOf("object");
  });

  it("rejects duplicated headers in every shape they arrive in", async () => {
    const headers = await Webhook.sign(secret, paidBody);
    const other = await Webhook.sign(otherSecret, paidBody);
    const shapes: Record<string, Webhook.WebhookHeaders> = {
      "array of two": { ...headers, "webhook-signature": [headers["webhook-signature"], "v1,x"] },
      "two spellings": { ...headers, "Webhook-Id": "msg_other" },
      "joined by Node": { ...headers, "webhook-id": `${headers["webhook-id"]}, msg_other` },
    };
    const fetchHeaders = new Headers(headers);
    fetchHeaders.append("webhook-signature", other["webhook-signature"]);
    shapes["Fetch Headers appended"] = fetchHeaders;
    for (const [shape, duplicated] of Object.entries(shapes)) {
      expect(await reasonOf(Webhook.verify(secret, paidBody, duplicated)), shape).toBe(
        "MISSING_REQUIRED_HEADERS",
      );
    }
    // An array holding one value, and undefined entries, are not duplicates.
    const single = { ...headers, "webhook-id": [headers["webhook-id"]], "Webhook-Id": undefined };
    await expect(Webhook.verify(secret, paidBody, single)).resolves.toBeTypeOf("object");
  });

  it("reads a Fetch Headers object", async () => {
    const headers = new Headers(await Webhook.sign(secret, paidBody));
    headers.set("content-type", "application/json");
    await expect(Webhook.verify(secret, paidBody, headers)).resolves.toEqual(JSON.parse(paidBody));
  });

  it("verifies bytes payloads, including non-ASCII bodies", async () => {
    const body = JSON.stringify({
      type: "BillingKey.Issued",
      timestamp: "2024-04-25T10:00:00.000Z",
      data: { storeId: "상점-1", billingKey: "키-😀" },
    });
    const bytes = new TextEncoder().encode(body);
    const signedFromString = await Webhook.sign(secret, body);
    const signedFromBytes = await Webhook.sign(secret, bytes, {
      id: signedFromString["webhook-id"],
      timestamp: Number(signedFromString["webhook-timestamp"]),
    });
    expect(signedFromBytes).toEqual(signedFromString);
    await expect(Webhook.verify(secret, bytes, signedFromString)).resolves.toEqual(
      JSON.parse(body),
    );
    await expect(Webhook.verify(secret, body, signedFromBytes)).resolves.toEqual(JSON.parse(body));
  });

  it("verifies long payloads (the Web Crypto path) the same way", async () => {
    const body = JSON.stringify({ type: "Transaction.Paid", padding: "x".repeat(20_000) });
    const headers = await Webhook.sign(secret, body);
    await expect(Webhook.verify(secret, body, headers)).resolves.toEqual(JSON.parse(body));
    await expect(OfficialWebhook.verify(secret, body, headers)).resolves.toEqual(JSON.parse(body));
    expect(await reasonOf(Webhook.verify(secret, `${body} `, headers))).toBe(
      "NO_MATCHING_SIGNATURE",
    );
  });

  it("keeps concurrent verifications of short and long bodies apart", async () => {
    const bodies = Array.from({ length: 60 }, (_, i) =>
      JSON.stringify({ type: "Transaction.Paid", n: i, pad: "y".repeat(i % 3 === 0 ? 5_000 : i) }),
    );
    const signed = await Promise.all(
      bodies.map((body, i) => Webhook.sign(i % 2 ? secret : otherSecret, body)),
    );
    const results = await Promise.all(
      bodies.map((body, i) =>
        Webhook.verify(i % 2 ? secret : otherSecret, body, signed[i] as Webhook.WebhookHeaders),
      ),
    );
    expect(results).toEqual(bodies.map((body) => JSON.parse(body)));
    const crossed = await Promise.all(
      bodies.map((body, i) =>
        reasonOf(
          Webhook.verify(secret, body, signed[(i + 1) % bodies.length] as Webhook.WebhookHeaders),
        ),
      ),
    );
    expect(new Set(crossed)).toEqual(new Set(["NO_MATCHING_SIGNATURE"]));
  });

  it("keeps working when more secrets are used than the key cache holds", async () => {
    const secrets = Array.from({ length: 40 }, (_, i) => btoa(`secret number ${i}`));
    for (let round = 0; round < 2; round++) {
      for (const one of secrets) {
        const headers = await Webhook.sign(one, paidBody);
        await expect(Webhook.verify(one, paidBody, headers)).resolves.toBeTypeOf("object");
        expect(await reasonOf(Webhook.verify(secret, paidBody, headers))).toBe(
          "NO_MATCHING_SIGNATURE",
        );
      }
    }
  });

  it("refuses a bad secret with InvalidInputError that does not echo it", async () => {
    const headers = await Webhook.sign(secret, paidBody);
    for (const bad of ["whsec_not base64 at all!", "whsec_", "", [] as string[]]) {
      const error = await failureOf(Webhook.verify(bad, paidBody, headers));
      expect(error).toBeInstanceOf(Webhook.InvalidInputError);
      expect(error).toBeInstanceOf(PortOneError);
      expect((error as Error).message).toMatch(/secret/);
      if (typeof bad === "string" && bad.length > 6) {
        expect((error as Error).message).not.toContain(bad.slice(6));
      }
    }
    expect(await failureOf(Webhook.verify(new Uint8Array(0), paidBody, headers))).toBeInstanceOf(
      Webhook.InvalidInputError,
    );
    // A bad secret is reported even when the request is also bad, so misconfiguration shows up.
    expect(await failureOf(Webhook.verify("%%%", paidBody, {}))).toBeInstanceOf(
      Webhook.InvalidInputError,
    );
  });

  it("refuses a payload that is neither string nor bytes, and a body that is not a JSON object", async () => {
    const headers = await Webhook.sign(secret, paidBody);
    const parsed = JSON.parse(paidBody) as unknown as string;
    expect(await failureOf(Webhook.verify(secret, parsed, headers))).toBeInstanceOf(
      Webhook.InvalidInputError,
    );
    for (const body of ["payment_id=p&tx_id=t&status=Paid", "[1,2]", "null"]) {
      const signed = await Webhook.sign(secret, body);
      expect(await failureOf(Webhook.verify(secret, body, signed))).toBeInstanceOf(
        Webhook.InvalidInputError,
      );
    }
  });
});

describe("sign", () => {
  it("refuses ids that would break the header and impossible timestamps", async () => {
    for (const options of [
      { id: "" },
      { id: "a b" },
      { id: "a,b" },
      { timestamp: -1 },
      { timestamp: 1.5 },
    ]) {
      expect(await failureOf(Webhook.sign(secret, paidBody, options))).toBeInstanceOf(
        Webhook.InvalidInputError,
      );
    }
    expect(
      await failureOf(Webhook.sign(secret, paidBody, { timestamp: new Date(Number.NaN) })),
    ).toBeInstanceOf(Webhook.InvalidInputError);
  });

  it("creates a fresh id and the current time when none are given", async () => {
    const before = nowSeconds();
    const a = await Webhook.sign(secret, paidBody);
    const b = await Webhook.sign(secret, paidBody);
    expect(a["webhook-id"]).not.toBe(b["webhook-id"]);
    expect(Number(a["webhook-timestamp"])).toBeGreaterThanOrEqual(before);
    expect(Number(a["webhook-timestamp"])).toBeLessThanOrEqual(nowSeconds());
  });
});

describe("compatibility with @portone/server-sdk and standardwebhooks", () => {
  it("the official verify and standardwebhooks accept what we sign", async () => {
    const headers = await Webhook.sign(secret, paidBody);
    await expect(OfficialWebhook.verify(secret, paidBody, headers)).resolves.toEqual(
      JSON.parse(paidBody),
    );
    await expect(OfficialWebhook.verify(rawKey, paidBody, headers)).resolves.toEqual(
      JSON.parse(paidBody),
    );
    expect(new StandardWebhook(secret).verify(paidBody, headers)).toEqual(JSON.parse(paidBody));
  });

  it("we accept what standardwebhooks signs", async () => {
    const sender = new StandardWebhook(secret);
    const id = "msg_from_standardwebhooks";
    const at = new Date();
    const headers = {
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": sender.sign(id, at, paidBody),
    };
    await expect(Webhook.verify(secret, paidBody, headers)).resolves.toEqual(JSON.parse(paidBody));
    await expect(Webhook.verify(rawKey, paidBody, headers)).resolves.toEqual(JSON.parse(paidBody));
  });

  it("agrees with the official verify on every vector", async () => {
    const good = await Webhook.sign(secret, paidBody, { id: "msg_vec" });
    const vectors: Array<[string, string, Record<string, string | string[] | undefined>]> = [
      ["valid", paidBody, good],
      ["tampered body", `${paidBody} `, good],
      ["tampered id", paidBody, { ...good, "webhook-id": "msg_other" }],
      ["wrong secret", paidBody, await Webhook.sign(otherSecret, paidBody)],
      [
        "too old",
        paidBody,
        await Webhook.sign(secret, paidBody, { timestamp: nowSeconds() - 600 }),
      ],
      [
        "too new",
        paidBody,
        await Webhook.sign(secret, paidBody, { timestamp: nowSeconds() + 600 }),
      ],
      ["not a number", paidBody, { ...good, "webhook-timestamp": "later" }],
      ["missing id", paidBody, { ...good, "webhook-id": undefined }],
      ["duplicate array", paidBody, { ...good, "webhook-id": ["msg_vec", "msg_vec"] }],
      ["two spellings", paidBody, { ...good, "WEBHOOK-ID": "msg_vec" }],
      [
        "other version only",
        paidBody,
        { ...good, "webhook-signature": `v2,${good["webhook-signature"].slice(3)}` },
      ],
      [
        "upper-case names",
        paidBody,
        {
          "WEBHOOK-ID": good["webhook-id"],
          "WEBHOOK-TIMESTAMP": good["webhook-timestamp"],
          "WEBHOOK-SIGNATURE": good["webhook-signature"],
        },
      ],
    ];
    const outcome = async (promise: Promise<unknown>): Promise<string> => {
      try {
        await promise;
        return "accepted";
      } catch (error) {
        return (error as { reason?: string }).reason ?? (error as Error).name;
      }
    };
    for (const [name, body, headers] of vectors) {
      const ours = await outcome(Webhook.verify(secret, body, headers));
      const official = await outcome(OfficialWebhook.verify(secret, body, headers));
      expect(ours, name).toBe(official);
    }
  });
});

describe("over a real node:http server (IncomingHttpHeaders and Buffer bodies)", () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        Webhook.verify(secret, Buffer.concat(chunks), req.headers).then(
          (webhook) => {
            res.writeHead(200, { "content-type": "application/json" });
            res.end(JSON.stringify({ type: webhook.type }));
          },
          (error: unknown) => {
            res.writeHead(400, { "content-type": "application/json" });
            res.end(JSON.stringify({ reason: (error as Webhook.WebhookVerificationError).reason }));
          },
        );
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.close();
    await once(server, "close");
  });

  function post(
    headers: Record<string, string | string[]>,
    body: string,
  ): Promise<{ status: number; json: unknown }> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, method: "POST", path: "/", headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              json: JSON.parse(Buffer.concat(chunks).toString("utf8")),
            }),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  it("accepts a genuine webhook", async () => {
    const headers = await Webhook.sign(secret, paidBody);
    const answer = await post({ ...headers, "content-type": "application/json" }, paidBody);
    expect(answer).toEqual({ status: 200, json: { type: "Transaction.Paid" } });
  });

  it("refuses a webhook-signature header sent twice", async () => {
    const headers = await Webhook.sign(secret, paidBody);
    const answer = await post(
      { ...headers, "webhook-signature": [headers["webhook-signature"], "v1,AAAA"] },
      paidBody,
    );
    expect(answer).toEqual({ status: 400, json: { reason: "MISSING_REQUIRED_HEADERS" } });
  });

  it("refuses a tampered body", async () => {
    const headers = await Webhook.sign(secret, paidBody);
    const answer = await post(headers, paidBody.replace("tx-1", "tx-2"));
    expect(answer).toEqual({ status: 400, json: { reason: "NO_MATCHING_SIGNATURE" } });
  });
});

describe("events and errors", () => {
  const knownTypes = [
    "Transaction.Ready",
    "Transaction.Paid",
    "Transaction.VirtualAccountIssued",
    "Transaction.Failed",
    "Transaction.PayPending",
    "Transaction.Confirm",
    "Transaction.DisputeCreated",
    "Transaction.DisputeResolved",
    "Transaction.PartialCancelled",
    "Transaction.Cancelled",
    "Transaction.CancelPending",
    "BillingKey.Ready",
    "BillingKey.Issued",
    "BillingKey.Failed",
    "BillingKey.Deleted",
    "BillingKey.Updated",
  ];

  it("recognises exactly the 2024-04-25 event types, as the official guard does", () => {
    for (const type of [...knownTypes, "Transaction.SomethingNew", "payment_id"]) {
      const webhook = { type, timestamp: "", data: {} } as unknown as Webhook.Webhook;
      expect(Webhook.isUnrecognizedWebhook(webhook), type).toBe(
        OfficialWebhook.isUnrecognizedWebhook(webhook as never),
      );
      expect(Webhook.isUnrecognizedWebhook(webhook)).toBe(!knownTypes.includes(type));
    }
    const legacy = { payment_id: "p", tx_id: "t", status: "Paid" } as unknown as Webhook.Webhook;
    expect(Webhook.isUnrecognizedWebhook(legacy)).toBe(true);
  });

  it("parses legacy 2024-01-01 bodies, JSON or form-encoded, after verifySignature", async () => {
    const form = "payment_id=order-1&tx_id=tx-1&status=Paid";
    const headers = await Webhook.sign(secret, form);
    await expect(Webhook.verifySignature(secret, form, headers)).resolves.toMatchObject({
      id: headers["webhook-id"],
    });
    const expected = { payment_id: "order-1", tx_id: "tx-1", status: "Paid" };
    expect(Webhook.parseLegacyWebhookBody(form)).toEqual(expected);
    expect(Webhook.parseLegacyWebhookBody(JSON.stringify({ ...expected, extra: 1 }))).toEqual(
      expected,
    );
    expect(Webhook.parseLegacyWebhookBody(paidBody)).toBeUndefined();
    expect(Webhook.parseLegacyWebhookBody("{not json")).toBeUndefined();
    expect(Webhook.parseLegacyWebhookBody("payment_id=p&status=Paid")).toBeUndefined();
  });

  it("error classes carry reason, name and the PortOneError base", () => {
    const reasons = [
      "MISSING_REQUIRED_HEADERS",
      "NO_MATCHING_SIGNATURE",
      "INVALID_SIGNATURE",
      "TIMESTAMP_TOO_OLD",
      "TIMESTAMP_TOO_NEW",
    ] as const;
    const messages = new Set<string>();
    for (const reason of reasons) {
      const error = new Webhook.WebhookVerificationError(reason);
      expect(error).toBeInstanceOf(PortOneError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe("WebhookVerificationError");
      expect(error.reason).toBe(reason);
      expect(error.message).toBe(Webhook.WebhookVerificationError.getMessage(reason));
      messages.add(error.message);
    }
    expect(messages.size).toBe(reasons.length);
    expect(new Webhook.InvalidInputError("x").name).toBe("InvalidInputError");
  });
});
