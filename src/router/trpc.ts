import { getTRPCErrorFromUnknown, initTRPC } from "@trpc/server";
import { z } from "zod";
import type { Caller } from "../payments/access.js";
import type { RequestContext } from "./context.js";
import { toTRPCError } from "./map-error.js";
import { describeInvalidInput } from "./validation-message.js";

const t = initTRPC.context<RequestContext>().create({
  errorFormatter({ shape, error }) {
    // Stack traces and zod internals stay on the server; the message and code are the contract.
    const { stack: _stack, ...data } = shape.data;
    if (error.code === "BAD_REQUEST" && error.cause instanceof z.ZodError) {
      const invalid = describeInvalidInput(error.cause);
      return { ...shape, message: invalid.message, data: { ...data, fields: invalid.fields } };
    }
    return {
      ...shape,
      message: error.code === "INTERNAL_SERVER_ERROR" ? "Internal error." : shape.message,
      data,
    };
  },
});

export const router = t.router;

/**
 * Resolves the caller first: anonymous only in sandbox mode, otherwise a verified JWT. Its errors,
 * and the procedure's, leave through `toTRPCError`, so no upstream detail leaks; one middleware
 * instead of two stacked ones, because tRPC copies the call's options at every level.
 */
export const authedProcedure = t.procedure.use(async ({ ctx, next }) => {
  let caller: Caller;
  try {
    caller = await ctx.authenticate();
  } catch (cause) {
    throw toTRPCError(getTRPCErrorFromUnknown(cause), ctx.log);
  }
  const result = await next({ ctx: { caller } });
  if (!result.ok) throw toTRPCError(result.error, ctx.log);
  return result;
});

/**
 * Validates a procedure's answer against `schema` in the resolver, where `.output(schema)`
 * would add a middleware level: the same check (unknown keys stripped, a mismatch is an
 * internal error) and the same inferred type, one copy of the call's options fewer per level
 * tRPC walks.
 */
export function answerAs<Schema extends z.ZodType>(schema: Schema) {
  return async (answer: Promise<z.input<Schema>>): Promise<z.output<Schema>> =>
    schema.parse(await answer);
}
