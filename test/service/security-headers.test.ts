import fastifyHelmet from "@fastify/helmet";
import Fastify, { type FastifyInstance } from "fastify";
import type { HelmetOptions } from "helmet";
import { afterAll, describe, expect, it } from "vitest";
import { securityHeadersPlugin } from "../../src/ops/security-headers-plugin.js";

// The service's helmet plugin builds the middleware once; it must set exactly the headers that
// @fastify/helmet sets for the same options.

const servers: FastifyInstance[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function headersOf(register: (app: FastifyInstance) => Promise<void>) {
  const app = Fastify();
  servers.push(app);
  await register(app);
  app.get("/thing", async () => ({ ok: true }));
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  const response = await fetch(`${url}/thing`);
  await response.text();
  const headers = Object.fromEntries(response.headers);
  delete headers.date;
  delete headers["keep-alive"];
  return headers;
}

const cases: { name: string; options: HelmetOptions }[] = [
  { name: "defaults", options: {} },
  {
    name: "the service's API-only CSP",
    options: {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
    },
  },
];

describe("security headers", () => {
  it.each(cases)("$name: same headers as @fastify/helmet", async ({ options }) => {
    const expected = await headersOf(async (app) => {
      // @fastify/helmet types helmet's options from its CommonJS build: the same shape, another type.
      await app.register(fastifyHelmet, { global: true, ...(options as object) });
    });
    const actual = await headersOf(async (app) => {
      await app.register(securityHeadersPlugin, { helmet: options });
    });
    expect(expected["x-content-type-options"]).toBe("nosniff");
    expect(actual).toEqual(expected);
  });
});
