import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PortOneClient, paginate } from "../../src/sdk/index.js";
import {
  json,
  type RecordedRequest,
  type ScriptedServer,
  startScriptedServer,
} from "./scripted-server.js";

const TOTAL = 23;
const ids = Array.from({ length: TOTAL }, (_, i) => `payment-${i}`);

function requestBody(request: RecordedRequest): Record<string, unknown> {
  const query = new URLSearchParams(request.url.split("?")[1] ?? "");
  return JSON.parse(query.get("requestBody") ?? "{}");
}

/** A list endpoint that pages over `ids` the way PortOne does. */
function answer(request: RecordedRequest) {
  const path = request.url.split("?")[0];
  const body = requestBody(request);
  if (path === "/payments") {
    const page = (body.page ?? {}) as { number?: number; size?: number };
    const number = page.number ?? 0;
    const size = page.size ?? 10;
    const items = ids
      .slice(number * size, (number + 1) * size)
      .map((id) => ({ status: "PAID", id }));
    return json(200, { items, page: { number, size, totalCount: TOTAL } });
  }
  if (path === "/payments-by-cursor") {
    const size = (body.size as number | undefined) ?? 10;
    const start = typeof body.cursor === "string" ? ids.indexOf(body.cursor) + 1 : 0;
    const items = ids
      .slice(start, start + size)
      .map((id) => ({ payment: { status: "PAID", id }, cursor: id }));
    return json(200, { items });
  }
  return json(404, { type: "NOT_FOUND" });
}

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer(answer);
});
afterAll(() => server.close());

describe("paginate", () => {
  it("walks page-based lists to the end, keeping the caller's filter", async () => {
    const client = PortOneClient({ secret: "s", baseUrl: server.baseUrl });
    server.requests.length = 0;
    const seen: string[] = [];
    for await (const payment of paginate(client.payment.getPayments, {
      page: { number: 0, size: 5 },
      filter: { storeId: "store-1" },
    })) {
      seen.push(payment.status === "PAID" ? payment.id : "?");
    }
    expect(seen).toEqual(ids);
    expect(server.requests).toHaveLength(5);
    for (const request of server.requests) {
      expect(requestBody(request).filter).toEqual({ storeId: "store-1" });
    }
  });

  it("walks cursor-based lists, passing on the last item's cursor", async () => {
    const client = PortOneClient({ secret: "s", baseUrl: server.baseUrl });
    server.requests.length = 0;
    const seen: string[] = [];
    for await (const item of paginate(client.payment.getAllPaymentsByCursor, { size: 10 })) {
      seen.push(item.cursor);
    }
    expect(seen).toEqual(ids);
    // three full or partial pages, then an empty one that ends the walk
    expect(server.requests.map((r) => requestBody(r).cursor)).toEqual([
      undefined,
      "payment-9",
      "payment-19",
      "payment-22",
    ]);
  });

  it("stops early when the caller breaks out", async () => {
    const client = PortOneClient({ secret: "s", baseUrl: server.baseUrl });
    server.requests.length = 0;
    let count = 0;
    for await (const _ of paginate(client.payment.getPayments, { page: { size: 5 } })) {
      if (++count === 7) break;
    }
    expect(server.requests).toHaveLength(2);
  });
});
