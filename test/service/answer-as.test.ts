import { initTRPC } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { answerAs } from "../../src/router/trpc.js";

const view = z.object({ paymentId: z.string(), status: z.enum(["PAID", "FAILED"]) });

describe("answerAs: a procedure's answer checked by its schema in the resolver", () => {
  it("strips what the schema does not name, so an internal field never reaches the browser", async () => {
    const answer = { paymentId: "pay-1", status: "PAID" as const, guestTokenHash: "secret-hash" };
    await expect(answerAs(view)(Promise.resolve(answer))).resolves.toEqual({
      paymentId: "pay-1",
      status: "PAID",
    });
  });

  it("turns an answer that breaks its schema into an internal error, as .output() did", async () => {
    const t = initTRPC.create();
    const broken = t.router({
      get: t.procedure.query(() =>
        answerAs(view)(Promise.resolve({ paymentId: "pay-1", status: "LOST" } as never)),
      ),
    });
    const failure = await t
      .createCallerFactory(broken)({})
      .get()
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "INTERNAL_SERVER_ERROR" });
    expect((failure as Error).cause).toBeInstanceOf(z.ZodError);
  });
});
