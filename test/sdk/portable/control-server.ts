/**
 * The scripted HTTP server of the SDK tests, driven over HTTP so that a suite running in
 * another runtime (another process, or workerd) can script replies, read what was sent, and
 * hand back its report: `POST /__control/script`, `GET /__control/requests?path=`,
 * `POST /__control/report`.
 */

import {
  json,
  type RecordedRequest,
  type ScriptedReply,
  type ScriptedServer,
  startScriptedServer,
} from "../scripted-server.js";
import type { Report } from "./harness.js";

export interface ControlServer {
  baseUrl: string;
  /** The report the suite posted, once it has. */
  report(): Report | undefined;
  close(): Promise<void>;
}

const pathOf = (url: string) => url.split("?")[0] ?? "";

export async function startControlServer(): Promise<ControlServer> {
  let scripted: ScriptedServer | undefined;
  let report: Report | undefined;
  const control = (request: RecordedRequest): ScriptedReply => {
    const path = pathOf(request.url);
    if (request.method === "POST" && path === "/__control/script") {
      const { path: scriptedPath, replies } = JSON.parse(request.body) as {
        path: string;
        replies: ScriptedReply[];
      };
      scripted?.script(scriptedPath, replies);
      return json(200, {});
    }
    if (request.method === "GET" && path === "/__control/requests") {
      const wanted = new URLSearchParams(request.url.split("?")[1] ?? "").get("path");
      return json(
        200,
        (scripted?.requests ?? []).filter((seen) => pathOf(seen.url) === wanted),
      );
    }
    if (request.method === "POST" && path === "/__control/report") {
      report = JSON.parse(request.body) as Report;
      return json(200, {});
    }
    return json(404, { type: "NOT_SCRIPTED", message: `nothing scripted for ${path}` });
  };
  scripted = await startScriptedServer(control);
  const server = scripted;
  return {
    baseUrl: server.baseUrl,
    report: () => report,
    close: () => server.close(),
  };
}
