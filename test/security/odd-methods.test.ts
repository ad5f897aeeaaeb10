import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { webhooksModule } from "../../src/webhooks/module.js";
import { useServiceStack } from "../support/service-stack.js";

/**
 * The attack: `TRACE /trpc/...` answered 500 and wrote an error-level stack to the log on
 * every request (a cheap way to flood the log and page someone). Any method no route answers
 * is now a 405 (or 404), on both listeners, logged at most as an ordinary request.
 */

const METHODS = [
  "TRACE",
  "PROPFIND",
  "PROPPATCH",
  "MKCOL",
  "LOCK",
  "UNLOCK",
  "COPY",
  "MOVE",
  "SEARCH",
  "PURGE",
  "PATCH",
  "PUT",
  "DELETE",
  "REPORT",
  "MKCALENDAR",
  "LINK",
  "UNLINK",
  "QUERY",
];
const PATHS = [
  "/trpc/payment.get",
  "/trpc/payment.prepare",
  "/webhooks/portone",
  "/healthz",
  "/readyz",
  "/no-such-route",
  "/",
];

const stack = useServiceStack({
  env: {
    LOG_LEVEL: "info",
    ADMIN_TOKEN: "admin-token-odd-methods-0123",
  },
  deps: { modules: [webhooksModule()] },
  shop: false,
});

function send(
  base: string,
  method: string,
  path: string,
): Promise<{ status: number; allow?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method }, (response) => {
      response.resume();
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          ...(response.headers.allow ? { allow: response.headers.allow } : {}),
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("odd HTTP methods", () => {
  it("are 404/405 on every path of both listeners, never 5xx, never an error in the log", async () => {
    const bases = [stack.running.url, stack.running.internalUrl];
    const paths = [...PATHS, "/metrics", "/admin/webhooks/dead-letters"];
    const results: { method: string; path: string; status: number; allow?: string }[] = [];
    for (const base of bases)
      for (const method of METHODS)
        for (const path of paths)
          results.push({ method, path, ...(await send(base, method, path)) });
    expect(results).toHaveLength(2 * METHODS.length * paths.length);
    const unexpected = results.filter((result) => result.status !== 405 && result.status !== 404);
    expect(unexpected).toEqual([]);
    expect(
      results
        .filter((result) => result.status === 405)
        .every((result) => result.allow === "GET, HEAD, POST, OPTIONS"),
    ).toBe(true);
    const levels = stack.running.logs.lines.map(
      (line) => (JSON.parse(line) as { level: number }).level,
    );
    expect(levels.filter((level) => level >= 50)).toEqual([]);
    expect(stack.running.logs.text()).not.toMatch(/"stack"/);
  });

  it("the methods the service does serve still work", async () => {
    expect((await send(stack.running.url, "GET", "/healthz")).status).toBe(200);
    expect((await send(stack.running.url, "HEAD", "/healthz")).status).toBe(200);
    expect((await send(stack.running.url, "OPTIONS", "/trpc/payment.get")).status).toBeLessThan(
      500,
    );
  });
});
