/**
 * The runtime builds URLs by concatenation; they must equal what `new URL(path + query, base)`
 * (the official SDK's way) gives for the same encodeURIComponent'd values, including the
 * values and base URLs where URL parsing rewrites something.
 */
import { describe, expect, it } from "vitest";
import { compileOperation, DEFAULT_STORE_ID, HAS_BODY } from "../../src/sdk/runtime/operation.js";
import { RestError } from "../../src/sdk/runtime/rest-error.js";
import { buildWireRequest } from "../../src/sdk/runtime/wire-request.js";

class TestError extends RestError {}

const getThing = compileOperation("getThing", [
  "GET /shops/{shopId}/things/{thingId}?storeId&q",
  TestError,
]);
const listThings = compileOperation("listThings", ["GET /things?requestBody", TestError, HAS_BODY]);
const createThing = compileOperation("createThing", [
  "POST /things/{thingId}",
  TestError,
  HAS_BODY | DEFAULT_STORE_ID,
]);

const values = [
  "order-1",
  ".",
  "..",
  "...",
  "",
  "it's",
  "a b/c?d#e",
  "%2e%2e",
  "결제-1",
  "~!*()'",
  "back\\slash",
  "{braces}",
];
const bases = [
  "https://api.portone.io",
  "https://api.portone.io/",
  "http://127.0.0.1:8080/some/prefix/",
  "https://user:pw@example.com:8443/x?y#z",
  "HTTPS://API.PORTONE.IO",
  "custom-scheme://host/path",
];

function expectedUrl(path: string, query: string, base: string) {
  return new URL(query ? `${path}?${query}` : path, base).href;
}

describe("buildWireRequest", () => {
  it("builds the same URL as new URL() for every tricky path and query value", () => {
    for (const base of bases) {
      for (const value of values) {
        const wire = buildWireRequest({ baseUrl: base }, getThing, {
          shopId: value,
          thingId: `${value}x`,
          storeId: value,
          q: value,
        });
        const e = encodeURIComponent;
        const path = `/shops/${e(value)}/things/${e(`${value}x`)}`;
        expect(wire.url, `${base} ${JSON.stringify(value)}`).toBe(
          expectedUrl(path, `storeId=${e(value)}&q=${e(value)}`, base),
        );
        expect(wire.body).toBeUndefined();
      }
    }
  });

  it("puts a GET body in the requestBody query parameter, apostrophes included", () => {
    const args = { filter: { text: "it's 100% <ok>" }, page: { number: 0 } };
    const wire = buildWireRequest({}, listThings, args);
    const json = JSON.stringify(args);
    expect(wire.url).toBe(
      expectedUrl("/things", `requestBody=${encodeURIComponent(json)}`, "https://api.portone.io"),
    );
    expect(JSON.parse(new URL(wire.url).searchParams.get("requestBody") ?? "")).toEqual(args);
    expect(wire.body).toBeUndefined();
  });

  it("sends every option that is not a parameter in the body, with the client's storeId", () => {
    const wire = buildWireRequest({ storeId: "store-a" }, createThing, {
      thingId: "t-1",
      name: "n",
      missing: undefined,
    });
    expect(wire.url).toBe("https://api.portone.io/things/t-1");
    expect(JSON.parse(wire.body ?? "")).toEqual({ name: "n", storeId: "store-a" });
    const own = buildWireRequest({ storeId: "store-a" }, createThing, {
      thingId: "t-1",
      storeId: "store-b",
    });
    expect(JSON.parse(own.body ?? "")).toEqual({ storeId: "store-b" });
  });

  it("names the operation and the parameter when a path parameter is missing", () => {
    expect(() => buildWireRequest({}, getThing, { shopId: "s" })).toThrow(
      'getThing: missing path parameter "thingId" in the options',
    );
  });

  it("rejects a base URL that is not a URL", () => {
    expect(() =>
      buildWireRequest({ baseUrl: "not a url" }, getThing, { shopId: "s", thingId: "t" }),
    ).toThrow(TypeError);
  });
});
