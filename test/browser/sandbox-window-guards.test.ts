import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { mugPaymentRequest } from "./support/fixture.js";

/**
 * The checkout window's guards over HTTP, without a browser: what a hostile page or a
 * hand-made request could try against the routes the stand-in script uses.
 */
describe("checkout window guards", () => {
  let sandbox: Sandbox;
  let url: string;
  const opener = "http://127.0.0.1:5173";

  beforeAll(async () => {
    sandbox = await createSandbox();
    url = await sandbox.listen();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  // biome-ignore lint/suspicious/noExplicitAny: reads arbitrary JSON answers
  type Json = Record<string, any>;
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${url}${path}`, { method: "POST", body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const paymentRequest = (extra?: Record<string, unknown>) => mugPaymentRequest(sandbox, extra);
  const openSession = async (request: Record<string, unknown>, windowType = "IFRAME") => {
    const created = await post("/sandbox/browser/sessions", {
      transactionType: "PAYMENT",
      request,
      windowType,
      openerOrigin: opener,
    });
    expect(created.status).toBe(200);
    expect(created.body.refused).toBeUndefined();
    return created.body as { sessionId: string; windowPath: string };
  };
  const getPayment = async (paymentId: string) => {
    const response = await fetch(`${url}/payments/${paymentId}`, {
      headers: { authorization: `PortOne ${sandbox.apiSecret}` },
    });
    return (await response.json()) as Json;
  };

  it("serves the script as JavaScript that browsers will not sniff as anything else", async () => {
    const response = await fetch(`${url}/v2/browser-sdk.js`);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await response.text()).toContain("window.PortOne = {");
  });

  it("puts the window under a strict CSP that only the opening page may frame", async () => {
    const session = await openSession(paymentRequest());
    const response = await fetch(`${url}${session.windowPath}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toBe(
      `default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'none'; base-uri 'none'; frame-ancestors ${opener}`,
    );
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await response.text();
    expect(html).not.toMatch(/<script>|<style>|\sstyle=|\son[a-z]+=/);
  });

  it("escapes what the merchant page sent: markup in orderName or paymentId stays text", async () => {
    const attack = '</script><script>alert(1)</script><img src=x onerror="alert(2)">';
    const session = await openSession(
      paymentRequest({ orderName: attack, paymentId: `p-${randomUUID()}</script><!--` }),
    );
    const html = await (await fetch(`${url}${session.windowPath}`)).text();
    expect(html).not.toContain("<script>alert(1)");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&#60;/script&#62;&#60;script&#62;alert(1)");
    // Exactly the two script elements the page has: its JSON config and window.js.
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
  });

  it("answers an unknown or malformed window id with the expired page, framable by no one", async () => {
    for (const id of ["A".repeat(24), "../../v2/browser-sdk.js", "x".repeat(60)]) {
      const response = await fetch(`${url}/sandbox/browser/window/${encodeURIComponent(id)}`);
      expect(response.status).toBe(404);
      expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(await response.text()).toContain("This checkout window has expired");
    }
    const completed = await post(`/sandbox/browser/sessions/${"B".repeat(24)}/complete`, {
      choice: "pay",
    });
    expect(completed).toEqual({
      status: 404,
      body: { code: "NotFound", message: "No such checkout window; it may have expired." },
    });
  });

  it("refuses an opener that is not an http(s) origin", async () => {
    for (const openerOrigin of ["javascript:alert(1)", "http://127.0.0.1:5173/path", "*", 42]) {
      const created = await post("/sandbox/browser/sessions", {
        transactionType: "PAYMENT",
        request: paymentRequest(),
        windowType: "IFRAME",
        openerOrigin,
      });
      expect(created.body.refused, String(openerOrigin)).toEqual({
        code: "BadRequest",
        message: "The page's origin is missing or not an http(s) origin.",
      });
    }
  });

  it("ignores sandbox-only fields smuggled into requestPayment (paidAmount, outcome)", async () => {
    const request = paymentRequest({ paidAmount: 1, outcome: "failed" });
    const session = await openSession(request);
    const completed = await post(`/sandbox/browser/sessions/${session.sessionId}/complete`, {
      choice: "pay",
    });
    expect(completed.status).toBe(200);
    expect(completed.body.response.code).toBeUndefined();
    const payment = await getPayment(request.paymentId);
    expect(payment).toMatchObject({ status: "PAID", amount: { total: 12_000, paid: 12_000 } });
  });

  it("lets a window decide once: a second choice gets the first answer and no new transaction", async () => {
    const request = paymentRequest();
    const session = await openSession(request);
    const path = `/sandbox/browser/sessions/${session.sessionId}/complete`;
    const first = await post(path, { choice: "pay" });
    const second = await post(path, { choice: "close" });
    expect(second).toEqual(first);
    const transactions = await fetch(`${url}/payments/${request.paymentId}/transactions`, {
      headers: { authorization: `PortOne ${sandbox.apiSecret}` },
    });
    expect(((await transactions.json()) as { items: unknown[] }).items).toHaveLength(1);
  });

  it("refuses choices the window does not offer, and PG codes that are not codes", async () => {
    const virtualAccount = await openSession(paymentRequest({ payMethod: "VIRTUAL_ACCOUNT" }));
    const card = await openSession(paymentRequest());
    const cases: [string, unknown, string][] = [
      [virtualAccount.sessionId, { choice: "pay" }, "payMethod VIRTUAL_ACCOUNT has no choice pay."],
      [
        card.sessionId,
        { choice: "virtual-account" },
        "payMethod CARD has no choice virtual-account.",
      ],
      [card.sessionId, { choice: "verify" }, "A PAYMENT window has no choice verify."],
      [card.sessionId, { choice: "steal" }, "choice: Invalid option"],
      [card.sessionId, { choice: "decline", pgCode: "<b>x</b>" }, "pgCode: must be 1 to 64"],
      [
        card.sessionId,
        { choice: "issue", cardNumber: "4111111111111111" },
        "cardNumber: Invalid option",
      ],
    ];
    for (const [sessionId, body, message] of cases) {
      const response = await post(`/sandbox/browser/sessions/${sessionId}/complete`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.code).toBe("BadRequest");
      expect(response.body.message).toContain(message);
    }
    // Nothing was decided by the refused choices.
    const paid = await post(`/sandbox/browser/sessions/${card.sessionId}/complete`, {
      choice: "pay",
    });
    expect(paid.body.response.code).toBeUndefined();
  });

  it("appends PortOne's parameters over same-named ones already in redirectUrl", async () => {
    const request = paymentRequest({
      redirectUrl: "https://shop.example/return?paymentId=forged&code=&keep=1",
    });
    const session = await openSession(request, "REDIRECTION");
    const completed = await post(`/sandbox/browser/sessions/${session.sessionId}/complete`, {
      choice: "pay",
    });
    const target = new URL(completed.body.redirectTo);
    expect(target.origin).toBe("https://shop.example");
    expect(target.searchParams.get("paymentId")).toBe(request.paymentId);
    expect(target.searchParams.get("keep")).toBe("1");
  });

  it("refuses bodies over 64 KiB", async () => {
    const response = await post("/sandbox/browser/sessions", {
      transactionType: "PAYMENT",
      request: paymentRequest({ customData: "x".repeat(70 * 1024) }),
      windowType: "IFRAME",
      openerOrigin: opener,
    });
    expect(response.status).toBe(400);
    expect(response.body.type).toBe("INVALID_REQUEST");
  });

  it("keeps at most 2000 open windows: a page opening windows in a loop cannot grow memory", async () => {
    const first = await openSession(paymentRequest());
    for (let batch = 0; batch < 100; batch++) {
      await Promise.all(Array.from({ length: 20 }, () => openSession(paymentRequest())));
    }
    const response = await fetch(`${url}${first.windowPath}`);
    expect(response.status).toBe(404);
  });
});

describe("the developer form's link to the shop", () => {
  it("links to the shop only when the sandbox knows its URL", async () => {
    const sandbox = await createSandbox();
    try {
      const without = await sandbox.app.inject({ method: "GET", url: "/sandbox/checkout" });
      expect(without.body).not.toContain('id="shop-link"');
      sandbox.setShopUrl("http://127.0.0.1:3000/");
      const withLink = await sandbox.app.inject({ method: "GET", url: "/sandbox/checkout" });
      expect(withLink.body).toContain(
        '<a id="shop-link" href="http://127.0.0.1:3000/">demo shop</a>',
      );
      expect(() => sandbox.setShopUrl("javascript:alert(1)")).toThrow(/absolute http\(s\) URL/);
    } finally {
      await sandbox.close();
    }
    await expect(createSandbox({ shopUrl: "data:text/html,hi" })).rejects.toThrow(/shopUrl/);
  });
});
