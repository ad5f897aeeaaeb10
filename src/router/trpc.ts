import { initTRPC } from "@trpc/server";
import type { Caller } from "../payments/access.js";
import type { RequestContext } from "./context.js";
import { toTRPCError } from "./map-error.js";

const t = initTRPC.context<RequestContext>().create({
  errorFormatter({ shape, error }) {
    // Stack traces and zod internals stay on the server; the message and code are the contract.
    const { stack: _stack, ...data } = shape.data;
    return {
      ...shape,
      message: error.code === "INTERNAL_SERVER_ERROR" ? "Internal error." : shape.message,
      data,
    };
  },
});

export const router = t.router;

/** Every procedure's errors leave through `toTRPCError`, so no upstream detail leaks. */
export const publicProcedure = t.procedure.use(async ({ ctx, next }) => {
  const result = await next();
  if (!result.ok) throw toTRPCError(result.error, ctx.log);
  return result;
});

/** Resolves the caller first: anonymous only in sandbox mode, otherwise a verified JWT. */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const caller: Caller = await ctx.authenticate();
  return next({ ctx: { caller } });
});
