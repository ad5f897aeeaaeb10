import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../service/support/harness.js";
import { rawTrpc, type SecurityStack, STORES, startSecurityStack } from "./support/stack.js";

/**
 * Finding 5 of issue 8 (tRPC half): NUL in a paymentId was a 500 on PostgreSQL, a lone
 * surrogate in an orderId a 502 "shop unavailable". Ids are now checked at the edge, before a
 * database, a URL or a log sees them, with a 400 that says what is allowed.
 */
const ALLOWED =
  "printable ASCII characters (letters, digits, punctuation; no spaces or control characters)";

describe.each(STORES)("ids are checked at the edge (%s)", (store) => {
  let stack: SecurityStack;
  let token: string;

  beforeAll(async () => {
    stack = await startSecurityStack(store);
    token = await signToken("edge-alice");
  });
  afterAll(async () => {
    await stack?.close();
  });

  const expectBadRequest = (answer: { status: number; text: string }, field: string) => {
    expect(answer.status).toBe(400);
    const body = JSON.parse(answer.text) as { error: { message: string; data: { code: string } } };
    expect(body.error.data.code).toBe("BAD_REQUEST");
    expect(body.error.message).toContain(`${field} must be`);
    expect(answer.text).not.toMatch(
      /\bat \S+ \(|node_modules|invalid byte sequence|SQLITE|syntax error/,
    );
  };

  it("NUL in a paymentId is a 400 for get, complete and confirm (GET and POST)", async () => {
    const paymentId = "payment-\u0000-nul";
    // A query is a GET and a mutation a POST; the other method is tRPC's 405, tested by the fuzz suite.
    expectBadRequest(
      await rawTrpc(stack.service.url, "payment.get", { paymentId }, { token, method: "GET" }),
      "paymentId",
    );
    expectBadRequest(
      await rawTrpc(
        stack.service.url,
        "payment.complete",
        { paymentId },
        { token, method: "POST" },
      ),
      "paymentId",
    );
    expectBadRequest(
      await rawTrpc(
        stack.service.url,
        "payment.confirm",
        { paymentId, paymentToken: "t", txId: "x" },
        { token },
      ),
      "paymentId",
    );
  });

  it("a lone surrogate in an orderId is a 400, not a 502, and the shop is never asked", async () => {
    const before = stack.service.logs.text().length;
    for (const orderId of ["order-\ud800", "\udfff", "order-\ud83d-half"]) {
      expectBadRequest(
        await rawTrpc(stack.service.url, "payment.prepare", { orderId }, { token }),
        "orderId",
      );
    }
    expect(stack.service.logs.text().slice(before)).not.toContain('"dependency":"order-source"');
  });

  it("control characters, spaces, non-ASCII and over-long ids are 400s naming the rule", async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["payment.prepare", { orderId: "tab\there" }, "orderId"],
      ["payment.prepare", { orderId: "with space" }, "orderId"],
      ["payment.prepare", { orderId: "주문-1" }, "orderId"],
      ["payment.prepare", { orderId: "x".repeat(201) }, "orderId"],
      ["payment.prepare", { orderId: "\u007f" }, "orderId"],
      ["payment.prepare", { orderId: 42 }, "orderId"],
      ["payment.get", { paymentId: "p\r\nSet-Cookie: x" }, "paymentId"],
      ["payment.get", { paymentId: "" }, "paymentId"],
      ["payment.get", { paymentId: "\u202epayment" }, "paymentId"],
      ["payment.confirm", { paymentId: "p", paymentToken: "t\u0000", txId: "x" }, "paymentToken"],
      ["payment.confirm", { paymentId: "p", paymentToken: "t", txId: "x".repeat(201) }, "txId"],
      [
        "payment.confirm",
        { paymentId: "p", paymentToken: "t".repeat(4_097), txId: "x" },
        "paymentToken",
      ],
    ];
    for (const [procedure, input, field] of cases) {
      const answer = await rawTrpc(stack.service.url, procedure, input, { token });
      expectBadRequest(answer, field);
      expect(answer.text).toContain(ALLOWED);
    }
  });

  it("well-formed ids still reach the domain (an unknown one is NOT_FOUND)", async () => {
    const answer = await rawTrpc(
      stack.service.url,
      "payment.get",
      { paymentId: "payment-unknown_~!$'()*" },
      { token },
    );
    expect(answer.status).toBe(404);
    const prepare = await rawTrpc(
      stack.service.url,
      "payment.prepare",
      { orderId: "  padded-order  " },
      { token },
    );
    expect(prepare.status).toBe(404);
  });
});
