import { connect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import type { ServiceModule } from "../../src/server.js";
import { useServiceStack } from "../support/service-stack.js";

/**
 * The attacks: a client that sends headers and then nothing (or never finishes its headers)
 * held its connection forever (requestTimeout was 0); a hanging dependency hung /readyz;
 * 503s from tRPC said nothing about when to come back.
 */

/** A dependency that never answers, as a partitioned database would. */
const hangingDependency: ServiceModule = {
  name: "hanging-dependency",
  setup(context) {
    context.addReadinessCheck({ name: "hanging", check: () => new Promise<boolean>(() => {}) });
    return undefined;
  },
};

const stack = useServiceStack({
  env: {
    LOG_LEVEL: "warn",
    REQUEST_TIMEOUT_MS: "600",
    HEADERS_TIMEOUT_MS: "300",
    READINESS_TIMEOUT_MS: "200",
    // The identity provider's keys cannot be fetched: every token check is an outage.
    AUTH_JWT_SECRET: "",
    AUTH_JWKS_URL: "http://127.0.0.1:9/jwks.json",
  },
  deps: { modules: [hangingDependency] },
  shop: false,
});

/** Opens a raw socket, writes `text`, then stays silent; resolves with what came back once the server closed it. */
function sendAndGoSilent(text: string): Promise<{ answer: string; socket: Socket }> {
  const { port, hostname } = new URL(stack.running.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ port: Number(port), host: hostname }, () => socket.write(text));
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      answer += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => resolve({ answer, socket }));
  });
}

describe("slow clients", () => {
  it("headers sent, then nothing: the server answers 408 and disconnects", async () => {
    const { answer } = await sendAndGoSilent(
      `POST /trpc/payment.complete HTTP/1.1\r\nHost: ${new URL(stack.running.url).host}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it("headers never finished: the server answers 408 and disconnects", async () => {
    const { answer } = await sendAndGoSilent(`GET /healthz HTTP/1.1\r\nHost: x\r\nx-slow: `);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });
});

describe("bounded dependencies", () => {
  it("/readyz answers 503 when a check hangs, naming it", async () => {
    const ready = await fetch(`${stack.running.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: "not ready",
      checks: { store: "ok", hanging: "timeout" },
    });
  });

  it("a tRPC 503 carries Retry-After", async () => {
    // A well-formed RS256 token: verifying it needs the unreachable JWKS.
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
    const token = `${encode({ alg: "RS256", kid: "k1" })}.${encode({ sub: "alice" })}.c2ln`;
    const response = await fetch(
      `${stack.running.url}/trpc/payment.get?input=${encodeURIComponent(JSON.stringify({ paymentId: "p-1" }))}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    const body = (await response.json()) as { error: { data: { code: string } } };
    expect(body.error.data.code).toBe("SERVICE_UNAVAILABLE");
  });
});
