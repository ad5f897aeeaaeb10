import { PortOneClient as OfficialPortOneClient } from "@portone/server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PortOneUnavailableError } from "../../src/payments/errors.js";
import { classifyPortOneError, PortOneRejection } from "../../src/payments/portone-failure.js";
import { ANSWER_BY_KIND } from "../../src/router/map-error.js";
import { PortOneClient } from "../../src/sdk/index.js";
import { ServiceError, type ServiceErrorKind } from "../../src/service-error.js";
import {
  configFromEnv,
  type RunningSandbox,
  type RunningService,
  serviceEnv,
  signToken,
  startSandbox,
  startService,
  trpcClient,
  trpcErrorOf,
} from "./support/harness.js";

/** A port that nothing listens on (discard): connections are refused at once. */
const NOWHERE = "http://127.0.0.1:9";

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.sandbox.close();
});

async function failureOf(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return classifyPortOneError("getPayment", error);
  }
  throw new Error("expected the call to fail");
}

describe("PortOne failures are classified by the SDKs' error classes, not by names or messages", () => {
  it("src/sdk: a PortOne error body, a refused connection, a timeout", async () => {
    const client = (baseUrl: string, timeoutMs = 2_000) =>
      PortOneClient({ secret: sandbox.sandbox.apiSecret, baseUrl, timeoutMs, maxRetries: 0 })
        .payment;
    const rejected = await failureOf(() => client(sandbox.url).getPayment({ paymentId: "nope" }));
    expect(rejected).toBeInstanceOf(PortOneRejection);
    expect((rejected as PortOneRejection).type).toBe("PAYMENT_NOT_FOUND");
    const refused = await failureOf(() => client(NOWHERE).getPayment({ paymentId: "x" }));
    expect(refused).toMatchObject({ failure: "unreachable", kind: "bad-gateway" });
    await fetch(`${sandbox.url}/sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rules: [{ kind: "latency", ms: 1_000, route: "getPayment" }] }),
    });
    try {
      const slow = await failureOf(() => client(sandbox.url, 200).getPayment({ paymentId: "x" }));
      expect(slow).toBeInstanceOf(PortOneUnavailableError);
      expect(slow).toMatchObject({ failure: "timeout", kind: "timeout" });
    } finally {
      await fetch(`${sandbox.url}/sandbox/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ rules: [] }),
      });
    }
  });

  it("@portone/server-sdk, recognised by shape: its RestError body and a failed fetch", async () => {
    const official = (baseUrl: string) =>
      OfficialPortOneClient({ secret: sandbox.sandbox.apiSecret, baseUrl }).payment;
    const rejected = await failureOf(() => official(sandbox.url).getPayment({ paymentId: "nope" }));
    expect(rejected).toBeInstanceOf(PortOneRejection);
    expect((rejected as PortOneRejection).type).toBe("PAYMENT_NOT_FOUND");
    const refused = await failureOf(() => official(NOWHERE).getPayment({ paymentId: "x" }));
    expect(refused).toMatchObject({ failure: "unreachable" });
  });

  it("a bug is not an outage: errors of our own code come back unchanged", () => {
    const bug = new TypeError("undefined is not a function");
    expect(classifyPortOneError("getPayment", bug)).toBe(bug);
    const renamed = Object.assign(new Error("looks like one"), { name: "NetworkError" });
    expect(classifyPortOneError("getPayment", renamed)).toBe(renamed);
  });
});

describe("every kind of ServiceError has its one tRPC code, over HTTP", () => {
  const EXPECTED: Record<ServiceErrorKind, [string, number]> = {
    unauthenticated: ["UNAUTHORIZED", 401],
    "invalid-input": ["BAD_REQUEST", 400],
    "not-found": ["NOT_FOUND", 404],
    conflict: ["CONFLICT", 409],
    unavailable: ["SERVICE_UNAVAILABLE", 503],
    timeout: ["GATEWAY_TIMEOUT", 504],
    "bad-gateway": ["BAD_GATEWAY", 502],
  };
  let running: RunningService;

  class KindError extends ServiceError {
    constructor(readonly kind: ServiceErrorKind) {
      super(`The ${kind} answer, in the service's own words.`);
    }
    override operatorDetails() {
      return { dependency: "order-source", probe: `details-for-${this.kind}` };
    }
  }

  beforeAll(async () => {
    running = await startService(configFromEnv(serviceEnv(sandbox, undefined)), {
      orderSource: {
        async getOrder(orderId) {
          throw new KindError(orderId as ServiceErrorKind);
        },
      },
    });
  });
  afterAll(async () => {
    await running?.service.close();
  });

  it("maps each kind by the table, with the error's message, and logs only dependency failures", async () => {
    expect(Object.keys(ANSWER_BY_KIND).sort()).toEqual(Object.keys(EXPECTED).sort());
    const client = trpcClient(running.url, await signToken("kinds"));
    for (const [kind, [code, status]] of Object.entries(EXPECTED)) {
      const error = await trpcErrorOf(client.payment.prepare.mutate({ orderId: kind }));
      expect({ kind, code: error.code, status: error.httpStatus, message: error.message }).toEqual({
        kind,
        code,
        status,
        message: `The ${kind} answer, in the service's own words.`,
      });
    }
    const logged = running.logs.text();
    for (const kind of ["unavailable", "timeout", "bad-gateway"])
      expect(logged).toContain(`details-for-${kind}`);
    for (const kind of ["unauthenticated", "invalid-input", "not-found", "conflict"])
      expect(logged).not.toContain(`details-for-${kind}`);
  });
});
