import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { webhooksModule } from "../../src/webhooks/module.js";
import {
  configFromEnv,
  type RunningSandbox,
  type RunningService,
  serviceEnv,
  startSandbox,
  startService,
} from "../service/support/harness.js";

/**
 * The attack: /metrics and the dead-letter admin routes sat on the public port, unthrottled,
 * one leaked or guessed admin token away from replaying deliveries. They now live on an
 * internal listener (loopback by default) and are gone from the public one.
 */

const ADMIN_TOKEN = "admin-token-for-internal-listener-tests";
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

let sandbox: RunningSandbox;
let running: RunningService;

beforeAll(async () => {
  sandbox = await startSandbox();
  running = await startService(
    configFromEnv(serviceEnv(sandbox, undefined, { LOG_LEVEL: "warn", ADMIN_TOKEN })),
    { modules: [webhooksModule()] },
  );
});

afterAll(async () => {
  await running?.service.close();
  await sandbox?.sandbox.close();
});

describe("internal listener", () => {
  it("binds loopback by default, on a port of its own", () => {
    expect(loadConfig({}).internal).toEqual({ host: "127.0.0.1", port: 3002 });
    const address = running.service.internalApp.server.address() as AddressInfo;
    expect(address.address).toBe("127.0.0.1");
    expect(new URL(running.internalUrl).port).not.toBe(new URL(running.url).port);
  });

  it("the public port has no /metrics and no admin routes, even with the admin token", async () => {
    expect((await fetch(`${running.url}/metrics`)).status).toBe(404);
    const list = await fetch(`${running.url}/admin/webhooks/dead-letters`, { headers: admin });
    expect(list.status).toBe(404);
    const replay = await fetch(`${running.url}/admin/webhooks/replay`, {
      method: "POST",
      headers: { ...admin, "content-type": "application/json" },
      body: "{}",
    });
    expect(replay.status).toBe(404);
  });

  it("the internal port serves /metrics and the admin routes (still behind the token)", async () => {
    const metrics = await fetch(`${running.internalUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# HELP /m);
    expect((await fetch(`${running.internalUrl}/admin/webhooks/dead-letters`)).status).toBe(401);
    const list = await fetch(`${running.internalUrl}/admin/webhooks/dead-letters`, {
      headers: admin,
    });
    expect(list.status).toBe(200);
  });

  it("the public webhook route stays public, and the probes answer on both", async () => {
    const inbound = await fetch(`${running.url}/webhooks/portone`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    // Unsigned: refused, but by the route (it exists), not a 404.
    expect(inbound.status).not.toBe(404);
    expect(inbound.status).toBeLessThan(500);
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${running.internalUrl}/healthz`)).status).toBe(200);
  });
});
