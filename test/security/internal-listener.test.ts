import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { webhooksModule } from "../../src/webhooks/module.js";
import { useServiceStack } from "../support/service-stack.js";

/**
 * The attack: /metrics and the dead-letter admin routes sat on the public port, unthrottled,
 * one leaked or guessed admin token away from replaying deliveries. They now live on an
 * internal listener (loopback by default) and are gone from the public one.
 */

const ADMIN_TOKEN = "admin-token-for-internal-listener-tests";
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

const stack = useServiceStack({
  env: { LOG_LEVEL: "warn", ADMIN_TOKEN },
  deps: { modules: [webhooksModule()] },
  shop: false,
});

describe("internal listener", () => {
  it("binds loopback by default, on a port of its own", () => {
    expect(loadConfig({}).internal).toEqual({ host: "127.0.0.1", port: 3002 });
    const address = stack.running.service.internalApp.server.address() as AddressInfo;
    expect(address.address).toBe("127.0.0.1");
    expect(new URL(stack.running.internalUrl).port).not.toBe(new URL(stack.running.url).port);
  });

  it("the public port has no /metrics and no admin routes, even with the admin token", async () => {
    expect((await fetch(`${stack.running.url}/metrics`)).status).toBe(404);
    const list = await fetch(`${stack.running.url}/admin/webhooks/dead-letters`, {
      headers: admin,
    });
    expect(list.status).toBe(404);
    const replay = await fetch(`${stack.running.url}/admin/webhooks/replay`, {
      method: "POST",
      headers: { ...admin, "content-type": "application/json" },
      body: "{}",
    });
    expect(replay.status).toBe(404);
  });

  it("the internal port serves /metrics and the admin routes (still behind the token)", async () => {
    const metrics = await fetch(`${stack.running.internalUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# HELP /m);
    expect((await fetch(`${stack.running.internalUrl}/admin/webhooks/dead-letters`)).status).toBe(
      401,
    );
    const list = await fetch(`${stack.running.internalUrl}/admin/webhooks/dead-letters`, {
      headers: admin,
    });
    expect(list.status).toBe(200);
  });

  it("the public webhook route stays public, and the probes answer on both", async () => {
    const inbound = await fetch(`${stack.running.url}/webhooks/portone`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    // Unsigned: refused, but by the route (it exists), not a 404.
    expect(inbound.status).not.toBe(404);
    expect(inbound.status).toBeLessThan(500);
    expect((await fetch(`${stack.running.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${stack.running.internalUrl}/healthz`)).status).toBe(200);
  });
});
