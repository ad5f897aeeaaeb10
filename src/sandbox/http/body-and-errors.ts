import type { FastifyError, FastifyInstance } from "fastify";
import { PortOneApiError } from "./api-error.js";

/**
 * PortOne reads every body as JSON whatever its Content-Type: the official SDK sends JSON as
 * text/plain (fetch's default for a string body), and an empty body means "no fields".
 */
export function acceptJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === "") {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(
        new PortOneApiError("INVALID_REQUEST", "The request body is not valid JSON."),
        undefined,
      );
    }
  });
}

/** Every error leaves as a PortOne-shaped JSON body, never as Fastify's default or HTML. */
export function answerErrorsLikePortOne(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | PortOneApiError, request, reply) => {
    if (error instanceof PortOneApiError) {
      return reply.code(error.status).send(error.toBody());
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(400).send({ type: "INVALID_REQUEST", message: error.message });
    }
    request.log.error({ err: error }, "sandbox request failed");
    return reply.code(500).send({
      type: "INTERNAL_SERVER_ERROR",
      message: "The sandbox failed on this request; see its log.",
    });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0];
    return reply.code(404).send({
      type: "NOT_FOUND",
      message: `No PortOne API operation at ${request.method} ${path}.`,
    });
  });
}
