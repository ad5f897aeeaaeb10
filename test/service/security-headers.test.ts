import helmet from "@fastify/helmet";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECURITY_HEADERS, securityHeadersPlugin } from "../../src/server/security-headers.js";
import { useServiceStack } from "../support/service-stack.js";

/**
 * The service sets its security headers from a fixed list instead of running helmet per
 * request. Here helmet, configured as the service configured it before, and the list answer
 * the same requests side by side over real sockets: the security headers must be identical.
 */

const stack = useServiceStack({ env: { LOG_LEVEL: "warn" } });

/** Everything except what differs per answer or comes from the route itself. */
const PER_ANSWER = new Set(["date", "connection", "keep-alive", "content-length", "content-type"]);

async function appWith(register: (app: FastifyInstance) => Promise<void>): Promise<string> {
  const app = Fastify();
  await register(app);
  app.get("/ok", async () => ({ ok: true }));
  app.get("/fails", async () => {
    throw new Error("boom");
  });
  app.post("/echo", async (request) => ({ got: request.body }));
  apps.push(app);
  return app.listen({ port: 0, host: "127.0.0.1" });
}

const apps: FastifyInstance[] = [];
let viaHelmet: string;
let viaList: string;
beforeAll(async () => {
  viaHelmet = await appWith(async (app) => {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
    });
  });
  viaList = await appWith(async (app) => {
    await app.register(securityHeadersPlugin);
  });
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

async function headersOf(url: string, init?: RequestInit): Promise<Record<string, string>> {
  const response = await fetch(url, init);
  await response.arrayBuffer();
  const headers: Record<string, string> = { status: String(response.status) };
  for (const [name, value] of response.headers) if (!PER_ANSWER.has(name)) headers[name] = value;
  return headers;
}

describe("security headers", () => {
  const requests: [string, string, RequestInit?][] = [
    ["a route's answer", "/ok"],
    ["a 404", "/nowhere"],
    ["an error's 500", "/fails"],
    [
      "a refused body (400)",
      "/echo",
      { method: "POST", headers: { "content-type": "application/json" }, body: "{bad" },
    ],
    [
      "an unsupported media type (415)",
      "/echo",
      { method: "POST", headers: { "content-type": "text/x-odd" }, body: "x" },
    ],
  ];
  for (const [what, path, init] of requests) {
    it(`are helmet's on ${what}`, async () => {
      const [expected, actual] = await Promise.all([
        headersOf(`${viaHelmet}${path}`, init),
        headersOf(`${viaList}${path}`, init),
      ]);
      expect(actual).toEqual(expected);
      for (const [name, value] of Object.entries(SECURITY_HEADERS))
        expect(actual[name], name).toBe(value);
    });
  }

  it("reach every answer of the service: probes, tRPC, unknown paths", async () => {
    for (const path of ["/healthz", "/trpc/payment.get?input=%7B%7D", "/nowhere"]) {
      const response = await fetch(`${stack.running.url}${path}`);
      await response.arrayBuffer();
      for (const [name, value] of Object.entries(SECURITY_HEADERS))
        expect(response.headers.get(name), `${path} ${name}`).toBe(value);
      expect(response.headers.get("x-powered-by")).toBeNull();
    }
  });
});
