/** A real HTTP server for SDK tests: answers each request from a script and records it. */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  /** path and query exactly as received */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type ScriptedReply =
  | {
      status: number;
      headers?: Record<string, string>;
      body?: string;
      /** answer this long after the request arrived */
      delayMs?: number;
    }
  /** never answer (the client must time out or abort) */
  | "hang"
  /** destroy the connection without a response */
  | "reset"
  /** send status and headers, then never finish the body */
  | "stall-body";

export interface ScriptedServer {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Replies for requests whose path (without query) equals `path`, in order; the last repeats. */
  script(path: string, replies: ScriptedReply[]): void;
  close(): Promise<void>;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return {
    status,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

export async function startScriptedServer(
  fallback: (request: RecordedRequest) => ScriptedReply = () => json(200, {}),
): Promise<ScriptedServer> {
  const scripts = new Map<string, ScriptedReply[]>();
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(recorded);
      const path = recorded.url.split("?")[0] ?? "";
      const queue = scripts.get(path);
      const reply = queue ? (queue.length > 1 ? queue.shift() : queue[0]) : fallback(recorded);
      if (reply === undefined || reply === "hang") return;
      if (reply === "reset") {
        req.socket.destroy();
        return;
      }
      if (reply === "stall-body") {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"status":');
        return;
      }
      const answer = () => {
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? "");
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    script: (path, replies) => scripts.set(path, [...replies]),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
