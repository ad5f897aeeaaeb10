import {
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";

/**
 * One log line per request at info instead of Fastify's two: the line written when the answer
 * is sent carries the request (method, URL without its query, address), the status and the
 * time taken. The line Fastify writes on arrival stays available at debug, for chasing
 * requests that never finish; at info it costs nothing.
 *
 * The completed line is written by a child of the service's logger without redaction: it holds
 * only the fields built here (the request through the logger's own `req` serializer, the
 * status, the time, the request id), none of which redaction touches, and running the
 * redaction paths over it cost more than the rest of the line. Error lines, which carry
 * whatever the error holds, go through the request's own logger and its redaction.
 */
export class OneLinePerRequest extends LogController {
  readonly #completed: FastifyBaseLogger;

  constructor(options: ConstructorParameters<typeof LogController>[0], logger: FastifyBaseLogger) {
    super(options);
    this.#completed = logger.child({}, { redact: [] });
  }

  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, "incoming request");
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    if (error) {
      const line = { req: request, res: reply, responseTime: reply.elapsedTime, err: error };
      reply.log.error(line, "request errored");
      return;
    }
    this.#completed.info(
      {
        [this.requestIdLogLabel]: request.id,
        req: request,
        res: { statusCode: reply.statusCode },
        responseTime: reply.elapsedTime,
      },
      "request completed",
    );
  }
}
