import pino, { type DestinationStream } from "pino";
import pretty from "pino-pretty";
import type { LogFormat } from "../config/http.js";

/** LOG_FORMAT when set; otherwise pretty for a terminal, JSON lines for anything else. */
export function chooseLogFormat(
  configured: LogFormat | undefined,
  stdoutIsTerminal: boolean = process.stdout.isTTY === true,
): LogFormat {
  return configured ?? (stdoutIsTerminal ? "pretty" : "json");
}

/** Where the service's log lines go: pino-pretty on standard output, or pino's own fast stream. */
export function logDestination(format: LogFormat): DestinationStream {
  if (format === "pretty")
    return pretty({
      colorize: process.stdout.isTTY === true,
      translateTime: "HH:MM:ss",
      ignore: "pid,hostname,service",
    });
  return pino.destination({ dest: 1, sync: false });
}
