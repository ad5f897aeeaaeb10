import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/**
 * The headers every answer of the public listener carries. The service only ever answers JSON:
 * nothing may load, frame or run from its responses. They are what helmet (8.x, via
 * @fastify/helmet) sets with its defaults and a CSP of `default-src 'none'; frame-ancestors
 * 'none'`; test/service/security-headers.test.ts holds the two side by side. Written out once
 * here because helmet recomputes them with two hooks (one a promise) on every request, for
 * headers that never change. Routes that need others (the demo shop) override them.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-security-policy": "default-src 'none';frame-ancestors 'none'",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "origin-agent-cluster": "?1",
  "referrer-policy": "no-referrer",
  "strict-transport-security": "max-age=31536000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-dns-prefetch-control": "off",
  "x-download-options": "noopen",
  "x-frame-options": "SAMEORIGIN",
  "x-permitted-cross-domain-policies": "none",
  "x-xss-protection": "0",
});

const HEADER_ENTRIES = Object.entries(SECURITY_HEADERS);

/** Sets `SECURITY_HEADERS` on every request's reply, before any route or error handler runs. */
export const securityHeadersPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook("onRequest", (_request, reply, done) => {
      for (const [name, value] of HEADER_ENTRIES) reply.header(name, value);
      done();
    });
  },
  { name: "security-headers" },
);
