/**
 * The service's PortOne transport (node:http with keep-alive instead of the global fetch) under
 * the SDK's own portable transport cases: wire format, retries, typed errors, a reset
 * connection, timeouts (a hanging request, a body that stops halfway) and aborts, against the
 * real local server that fails on purpose. The cases call the global `fetch`, which the SDK
 * looks up per call: here it sends the SDK's requests through the transport, and the cases'
 * own requests to the control server through the real fetch.
 */
import { getEventListeners } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPortOneTransport } from "../../src/server/portone-transport.js";
import { type ControlServer, startControlServer } from "../sdk/portable/control-server.js";
import { runAndReport } from "../sdk/portable/harness.js";
import { transportCases } from "../sdk/portable/transport-cases.js";

describe("the PortOne transport under the SDK's transport cases", () => {
  let control: ControlServer;
  const realFetch = globalThis.fetch;
  const transport = createPortOneTransport();
  let sentThroughTransport = 0;

  beforeAll(async () => {
    control = await startControlServer();
    globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
      const url = String(input);
      if (new URL(url).pathname.startsWith("/__control")) return realFetch(input, init);
      sentThroughTransport++;
      return transport(url, init ?? {});
    }) as typeof fetch;
  });
  afterAll(async () => {
    globalThis.fetch = realFetch;
    await control?.close();
  });

  it("passes every case", async () => {
    const report = await runAndReport("node-portone-transport", control.baseUrl, transportCases);
    expect(report.failed).toEqual([]);
    expect(report.passed).toHaveLength(transportCases.length);
    expect(sentThroughTransport).toBeGreaterThan(transportCases.length);
  }, 60_000);

  it("listens once to a signal that many requests in flight share, and aborts them all", async () => {
    await realFetch(`${control.baseUrl}/__control/script`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ path: "/shared-signal", replies: ["hang"] }),
    });
    const controller = new AbortController();
    const calls = Array.from({ length: 20 }, () =>
      transport(`${control.baseUrl}/shared-signal`, { signal: controller.signal }).then(
        () => "answered",
        (error: unknown) => (error instanceof Error ? error.name : String(error)),
      ),
    );
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    controller.abort();
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 20 }, () => "AbortError"));
  });

  it("refuses what is not HTTP(S), and request bodies that are not text", async () => {
    await expect(transport("ftp://127.0.0.1/x", {})).rejects.toThrow(TypeError);
    await expect(
      transport(`${control.baseUrl}/x`, { method: "POST", body: new Uint8Array([1]) }),
    ).rejects.toThrow(TypeError);
  });
});
