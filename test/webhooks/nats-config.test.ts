import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { loadNatsConfig } from "../../src/webhooks/nats/config.js";
import { subjectFilterForPattern, subjectForEventType } from "../../src/webhooks/nats/subjects.js";
import {
  requiredDuplicateWindowMs,
  retryHorizonMs,
} from "../../src/webhooks/subscribers/nats-jetstream.js";

describe("NATS subjects", () => {
  it("derive from the event type", () => {
    expect(subjectForEventType("portone", "Transaction.Paid")).toBe("portone.transaction.paid");
    expect(subjectForEventType("portone", "PaymentStatusChanged")).toBe(
      "portone.payment.status_changed",
    );
    expect(subjectForEventType("portone", "Transaction.VirtualAccountIssued")).toBe(
      "portone.transaction.virtual_account_issued",
    );
    expect(subjectForEventType("shop.events", "BillingKey.Issued")).toBe(
      "shop.events.billing_key.issued",
    );
  });

  it("never let an odd (unknown, forwarded) type inject wildcards or extra tokens", () => {
    for (const type of ["Transaction.>", "A.*", "a b.c", "x.y.z.w", "", "..", "Évé.nt"]) {
      const subject = subjectForEventType("p", type);
      expect(subject, type).toMatch(/^p(\.[a-z0-9_]+){1,2}$/);
    }
  });

  it("turn subscription patterns into stream filters", () => {
    expect(subjectFilterForPattern("portone", "*")).toBe("portone.>");
    expect(subjectFilterForPattern("portone", "Transaction.*")).toBe("portone.transaction.>");
    expect(subjectFilterForPattern("portone", "BillingKey.*")).toBe("portone.billing_key.>");
    expect(subjectFilterForPattern("portone", "Transaction.Paid")).toBe("portone.transaction.paid");
  });
});

describe("NATS configuration", () => {
  it("is absent without NATS_URL", () => {
    expect(loadNatsConfig({})).toEqual({ problems: [] });
    expect(loadConfig({}).webhooks.nats).toBeUndefined();
  });

  it("refuses NATS settings without NATS_URL instead of publishing nothing", () => {
    expect(loadNatsConfig({ NATS_STREAM: "EVENTS", NATS_TOKEN: "t" }).problems).toEqual([
      "NATS_URL: is required with NATS_STREAM, NATS_TOKEN",
    ]);
    // Variables of others that merely share the prefix (Kubernetes service links) do not count.
    expect(
      loadNatsConfig({ NATS_PORT: "tcp://10.0.0.9:4222", NATS_SERVICE_HOST: "10.0.0.9" }),
    ).toEqual({ problems: [] });
  });

  it("has defaults for the stream, the prefix and the timeout", () => {
    const { config } = loadNatsConfig({ NATS_URL: "nats://127.0.0.1:4222, 10.0.0.2:4222" });
    expect(config).toMatchObject({
      servers: ["nats://127.0.0.1:4222", "10.0.0.2:4222"],
      stream: "PORTONE_EVENTS",
      subjectPrefix: "portone",
      events: [],
      timeoutMs: 5_000,
      replicas: 1,
    });
    expect(config?.auth).toBeUndefined();
  });

  it("rejects credentials in the URL without echoing them", () => {
    const error = (() => {
      try {
        loadConfig({ NATS_URL: "nats://ops:hunter2-secret@127.0.0.1:4222" });
      } catch (caught) {
        return caught as ConfigError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toContain("NATS_URL: must not contain credentials");
    expect(error?.message).not.toContain("hunter2");
  });

  it("rejects wildcards in the prefix, bad stream names and foreign schemes", () => {
    const problems = loadNatsConfig({
      NATS_URL: "http://127.0.0.1:4222",
      NATS_SUBJECT_PREFIX: "portone.>",
      NATS_STREAM: "events.all",
      NATS_EVENTS: "Transaction.Paid, Bad Pattern",
    }).problems.join("\n");
    expect(problems).toContain("NATS_URL:");
    expect(problems).toContain("NATS_SUBJECT_PREFIX:");
    expect(problems).toContain("NATS_STREAM:");
    expect(problems).toContain("NATS_EVENTS:");
  });

  it("fails closed on half or doubled credentials", () => {
    const url = { NATS_URL: "nats://127.0.0.1:4222" };
    expect(loadNatsConfig({ ...url, NATS_USER: "svc" }).problems).toEqual([
      "NATS_PASSWORD: is required with NATS_USER",
    ]);
    expect(
      loadNatsConfig({ ...url, NATS_TOKEN: "t0ken", NATS_CREDS_FILE: "/x.creds" }).problems,
    ).toEqual(["NATS_TOKEN: set one of NATS_TOKEN, NATS_CREDS_FILE, not several"]);
    expect(loadNatsConfig({ ...url, NATS_TLS_CERT_FILE: "/c.pem" }).problems).toEqual([
      "NATS_TLS_KEY_FILE: NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together",
    ]);
    const both = loadNatsConfig({ ...url, NATS_USER: "svc", NATS_PASSWORD: "pw" });
    expect(both.config?.auth).toEqual({ kind: "user", user: "svc", password: "pw" });
  });

  it("is part of the service config", () => {
    const config = loadConfig({ NATS_URL: "nats://127.0.0.1:4222", NATS_STREAM: "SHOP" });
    expect(config.webhooks.nats?.stream).toBe("SHOP");
  });
});

describe("the stream's duplicate window", () => {
  const retry = { maxAttempts: 10, baseDelayMs: 5_000, maxDelayMs: 3_600_000 };

  it("covers every backoff at its cap plus a stalled lease per attempt", () => {
    // 5+10+...+1280 s of backoff, and 10 x (60 s lease + 1 s poll).
    expect(retryHorizonMs(retry, 60_000, 1_000)).toBe(2_555_000 + 610_000);
    expect(retryHorizonMs({ ...retry, maxDelayMs: 20_000 }, 60_000, 1_000)).toBe(
      5_000 + 10_000 + 7 * 20_000 + 610_000,
    );
  });

  it("defaults to the horizon rounded up to a minute, and refuses a shorter setting", () => {
    const base = loadNatsConfig({ NATS_URL: "nats://127.0.0.1:4222" }).config;
    if (!base) throw new Error("config expected");
    expect(requiredDuplicateWindowMs(base, 3_165_000)).toBe(3_180_000);
    expect(requiredDuplicateWindowMs(base, 1_000)).toBe(120_000);
    expect(() =>
      requiredDuplicateWindowMs({ ...base, duplicateWindowMs: 60_000 }, 3_165_000),
    ).toThrow(
      /NATS_DUPLICATE_WINDOW_MS \(60000\) must be at least the outbox's retry horizon of 3165000 ms/,
    );
  });
});
