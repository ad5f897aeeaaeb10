import type { FastifyInstance, FastifyReply } from "fastify";
import type { DomainContext } from "../domain/context.js";
import { completeCheckout, InvalidChoiceError, parseChoice, redirectTarget } from "./outcomes.js";
import { BrowserSdkError, parseCheckoutRequest, transactionTypes } from "./requests.js";
import { BROWSER_SDK_SCRIPT } from "./sdk-script.js";
import { type CheckoutSession, CheckoutSessions } from "./sessions.js";
import { WINDOW_SCRIPT, WINDOW_STYLE } from "./window-assets.js";
import { expiredWindowPage, windowCsp, windowPage } from "./window-page.js";

export interface BrowserCheckoutOptions {
  ctx: DomainContext;
}

/** A request* call's body is small; anything bigger is not a browser SDK request. */
const BODY_LIMIT = 64 * 1024;
const SESSION_ID = /^[A-Za-z0-9_-]{24}$/;

function answerFor(session: CheckoutSession) {
  const { redirectUrl } = session.checkout;
  const response = session.response as NonNullable<CheckoutSession["response"]>;
  return {
    response,
    ...(redirectUrl !== undefined ? { redirectTo: redirectTarget(redirectUrl, response) } : {}),
  };
}

function refuse(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ code, message });
}

/**
 * The browser half of the sandbox: PortOne's script path, the checkout sessions it opens, and
 * the checkout window. Every route answers any origin (no credentials are involved): the shop
 * page that loads the script lives on an origin of its own.
 */
export async function browserCheckout(app: FastifyInstance, options: BrowserCheckoutOptions) {
  const { ctx } = options;
  const sessions = new CheckoutSessions(ctx.clock);

  app.addHook("onRequest", async (_request, reply) => {
    reply.header("access-control-allow-origin", "*");
    reply.header("x-content-type-options", "nosniff");
  });

  app.get("/v2/browser-sdk.js", async (_request, reply) =>
    reply
      .type("text/javascript; charset=utf-8")
      .header("cache-control", "no-cache")
      .send(BROWSER_SDK_SCRIPT),
  );
  app.get("/sandbox/browser/window.js", async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").send(WINDOW_SCRIPT),
  );
  app.get("/sandbox/browser/window.css", async (_request, reply) =>
    reply.type("text/css; charset=utf-8").send(WINDOW_STYLE),
  );

  // A refused request is an answer, not a failed call: 200 with `refused`, so the merchant's
  // console shows no failed request for what is the SDK's ordinary error path.
  app.post("/sandbox/browser/sessions", { bodyLimit: BODY_LIMIT }, async (request) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const transactionType = transactionTypes.find((type) => type === body.transactionType);
    if (!transactionType) {
      return {
        refused: {
          code: "BadRequest",
          message: `transactionType must be one of ${transactionTypes.join(", ")}.`,
        },
      };
    }
    try {
      const checkout = parseCheckoutRequest(ctx, transactionType, body.request, {
        windowType: body.windowType,
        openerOrigin: body.openerOrigin,
      });
      const session = sessions.open(checkout);
      return {
        sessionId: session.id,
        windowPath: `/sandbox/browser/window/${session.id}`,
        forceRedirect: checkout.forceRedirect,
      };
    } catch (error) {
      if (error instanceof BrowserSdkError) {
        return { refused: { code: error.code, message: error.message } };
      }
      throw error;
    }
  });

  app.get<{ Params: { sessionId: string } }>(
    "/sandbox/browser/window/:sessionId",
    async (request, reply) => {
      const session = SESSION_ID.test(request.params.sessionId)
        ? sessions.find(request.params.sessionId)
        : undefined;
      reply.header("cache-control", "no-store").header("referrer-policy", "no-referrer");
      if (!session) {
        return reply
          .code(404)
          .header("content-security-policy", windowCsp("'none'"))
          .type("text/html; charset=utf-8")
          .send(expiredWindowPage());
      }
      return reply
        .header("content-security-policy", windowCsp(session.checkout.openerOrigin))
        .type("text/html; charset=utf-8")
        .send(windowPage(session));
    },
  );

  app.post<{ Params: { sessionId: string } }>(
    "/sandbox/browser/sessions/:sessionId/complete",
    { bodyLimit: BODY_LIMIT },
    async (request, reply) => {
      const session = SESSION_ID.test(request.params.sessionId)
        ? sessions.find(request.params.sessionId)
        : undefined;
      if (!session) {
        return refuse(reply, 404, "NotFound", "No such checkout window; it may have expired.");
      }
      // The first choice wins: a popup closed right after a choice gets that choice's answer.
      if (session.response) return answerFor(session);
      try {
        const choice = parseChoice(session, request.body);
        session.response = completeCheckout(ctx, session, choice);
      } catch (error) {
        if (error instanceof InvalidChoiceError) {
          return refuse(reply, 400, "BadRequest", error.message);
        }
        throw error;
      }
      return answerFor(session);
    },
  );
}
