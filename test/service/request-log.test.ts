import { describe, expect, it } from "vitest";
import { useServiceStack } from "../support/service-stack.js";
import { signToken } from "./support/harness.js";

const stack = useServiceStack({ env: { LOG_LEVEL: "info" } });

interface LogLine {
  msg: string;
  requestId?: string;
  req?: { method: string; url: string; remoteAddress: string };
  res?: { statusCode: number };
  responseTime?: number;
}

describe("request logging at info", () => {
  it("writes one line per request, with what it asked and how it ended, and no credentials", async () => {
    const token = await signToken("logged-customer");
    const requestId = "log-line-request-0001";
    const before = stack.running.logs.lines.length;
    const input = encodeURIComponent(
      JSON.stringify({ paymentId: "never-prepared", guestToken: "guest-secret-in-query" }),
    );
    const response = await fetch(`${stack.running.url}/trpc/payment.get?input=${input}`, {
      headers: { authorization: `Bearer ${token}`, "x-request-id": requestId },
    });
    expect(response.status).toBe(400);
    await response.arrayBuffer();
    // The line is written once the answer is out; give the logger's turn of the loop a chance.
    await new Promise((resolve) => setTimeout(resolve, 50));

    const written = stack.running.logs.lines.slice(before);
    const lines = written
      .map((line) => JSON.parse(line) as LogLine)
      .filter((line) => line.requestId === requestId);
    expect(lines.map((line) => line.msg)).toEqual(["request completed"]);
    expect(lines[0]).toMatchObject({
      req: { method: "GET", url: "/trpc/payment.get", remoteAddress: "127.0.0.1" },
      res: { statusCode: 400 },
    });
    expect(typeof lines[0]?.responseTime).toBe("number");
    // The whole line, field by field, as the service's logger writes every line.
    expect(Object.keys(lines[0] ?? {})).toEqual([
      "level",
      "time",
      "service",
      "requestId",
      "req",
      "res",
      "responseTime",
      "msg",
    ]);
    expect(Object.keys(lines[0]?.req ?? {})).toEqual([
      "method",
      "url",
      "host",
      "remoteAddress",
      "remotePort",
    ]);
    expect(lines[0]?.res).toEqual({ statusCode: 400 });
    const text = written.join("");
    expect(text).not.toContain(token);
    expect(text).not.toContain("guest-secret-in-query");
  });

  it("writes one line per status change, with the change and nothing else", async () => {
    const customer = await stack.client("status-logged-customer");
    const { prepared } = await stack.payNewOrder(customer, "status-logged-customer");
    const before = stack.running.logs.lines.length;
    const completed = await customer.payment.complete.mutate({ paymentId: prepared.paymentId });
    expect(completed.status).toBe("PAID");
    await new Promise((resolve) => setTimeout(resolve, 50));

    const changes = stack.running.logs.lines
      .slice(before)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === "payment status changed");
    expect(changes).toEqual([
      {
        level: 30,
        time: expect.any(String),
        service: "portone-bff",
        paymentId: prepared.paymentId,
        orderId: expect.any(String),
        previousStatus: "PREPARED",
        status: "PAID",
        msg: "payment status changed",
      },
    ]);
  });
});
