/**
 * Wire compatibility with @portone/server-sdk 0.19: both clients call every operation they
 * share with the same arguments against one local HTTP server, and the recorded requests must
 * agree on method, path, query (with `requestBody` decoded) and JSON body.
 *
 * Allowed differences (not compared):
 * - headers: ours adds `Content-Type: application/json` on bodies, an `Idempotency-Key` on
 *   mutating calls and names itself in `User-Agent` (all required by issue 2);
 * - a trailing `?` with nothing after it: the official client always appends `?${query}` even
 *   when the query is empty; a URL without it means the same request;
 * - JSON key order inside the body: the objects are compared, not their serialisation;
 * - parameters and body fields added to PortOne's schema after 0.19: the official client
 *   drops them, so each operation is first called on the official client with every field,
 *   and both clients are then compared on the fields the official client still sends.
 */
import { existsSync, readFileSync } from "node:fs";
import { PortOneClient as OfficialClient } from "@portone/server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSchemaPath } from "../../scripts/codegen/main.js";
import { PortOneClient } from "../../src/sdk/index.js";
import {
  json,
  type RecordedRequest,
  type ScriptedServer,
  startScriptedServer,
} from "./scripted-server.js";

interface Schema {
  $ref?: string;
  type?: string;
  enum?: string[];
  properties?: Record<string, Schema>;
  required?: string[];
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
  content?: Record<string, { schema: Schema }>;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** Operations of the official 0.19 client that PortOne's current schema (1.16.0) no longer has. */
const ONLY_IN_OFFICIAL = [
  "platform.partner.connectBulkPartnerMemberCompany",
  "platform.partner.connectPartnerMemberCompany",
  "platform.partner.disconnectBulkPartnerMemberCompany",
  "platform.partner.disconnectPartnerMemberCompany",
];

type Method = (args?: unknown) => Promise<unknown>;

function methodsOf(client: object, prefix: string[] = [], into = new Map<string, Method>()) {
  for (const [key, value] of Object.entries(client)) {
    if (typeof value === "function") into.set([...prefix, key].join("."), value as Method);
    else if (value && typeof value === "object") methodsOf(value, [...prefix, key], into);
  }
  return into;
}

const schemaPath = defaultSchemaPath();
const schemaPresent = existsSync(schemaPath);
if (!schemaPresent) {
  console.warn(`compat test skipped: PortOne schema not found at ${schemaPath}`);
}

describe.skipIf(!schemaPresent)("wire compatibility with @portone/server-sdk 0.19", () => {
  let server: ScriptedServer;
  let doc: Document;
  beforeAll(async () => {
    doc = JSON.parse(readFileSync(schemaPath, "utf8")) as Document;
    server = await startScriptedServer(() => json(200, {}));
  });
  afterAll(() => server.close());

  function resolve(schema: Schema): Schema {
    if (!schema.$ref) return schema;
    const name = schema.$ref.split("/").pop() ?? "";
    return doc.components.schemas[name] ?? {};
  }

  /** A value of the parameter's type, with characters that need percent-encoding. */
  function sample(name: string, schema: Schema | undefined): unknown {
    const resolved = resolve(schema ?? { type: "string" });
    if (resolved.enum) return resolved.enum[0];
    switch (resolved.type) {
      case "boolean":
        return true;
      case "integer":
      case "number":
        return 3;
      case "string":
        return `${name} ä/?&=#%`;
      case "array":
        return [{ of: name }, "둘"];
      default:
        return { nested: { name, list: [1, "two", null] } };
    }
  }

  function operations() {
    const byId = new Map<string, Operation>();
    for (const item of Object.values(doc.paths)) {
      for (const op of Object.values(item)) byId.set(op.operationId, op);
    }
    return byId;
  }

  /** Every parameter and body field (`full`), or only the required ones. */
  function argumentsFor(op: Operation, full: boolean): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    for (const p of op.parameters ?? []) {
      if (p.name === "requestBody") continue;
      if (full || p.required || p.in === "path") args[p.name] = sample(p.name, p.schema);
    }
    const marker = op.parameters?.find((p) => p.name === "requestBody");
    const bodyRef =
      op.requestBody?.content["application/json"]?.schema ??
      marker?.content?.["application/json"]?.schema;
    if (bodyRef) {
      const body = resolve(bodyRef);
      const required = new Set(body.required ?? []);
      for (const [name, schema] of Object.entries(body.properties ?? {})) {
        if (full || required.has(name)) args[name] = sample(name, schema);
      }
    }
    return args;
  }

  function normalise(request: RecordedRequest) {
    const [path, query = ""] = request.url.split(/\?(.*)/s);
    const params = new URLSearchParams(query);
    const entries = [...params.entries()].map(([key, value]) => [
      key,
      key === "requestBody" ? JSON.parse(value) : value,
    ]);
    return {
      method: request.method,
      path,
      query: entries,
      body: request.body === "" ? undefined : JSON.parse(request.body),
    };
  }

  function namesSent(request: ReturnType<typeof normalise>): Set<string> {
    const names = new Set<string>();
    for (const [key, value] of request.query) {
      if (key === "requestBody") for (const field of Object.keys(value)) names.add(field);
      else names.add(key as string);
    }
    for (const field of Object.keys(request.body ?? {})) names.add(field);
    return names;
  }

  async function record(call: () => Promise<unknown>) {
    const before = server.requests.length;
    await call();
    expect(server.requests.length).toBe(before + 1);
    return normalise(server.requests[before] as RecordedRequest);
  }

  it("shares every official operation except those the schema no longer has", () => {
    const official = methodsOf(OfficialClient({ secret: "s" }));
    const ours = methodsOf(PortOneClient({ secret: "s" }));
    const missing = [...official.keys()].filter((name) => !ours.has(name)).sort();
    expect(missing).toEqual(ONLY_IN_OFFICIAL);
    expect(ours.size).toBe(147);
  });

  for (const variant of ["all fields", "required fields only"] as const) {
    it(`sends the same requests for every shared operation (${variant})`, async () => {
      const init = { secret: "s3cr3t", baseUrl: server.baseUrl, storeId: "store-from-init" };
      const official = methodsOf(OfficialClient(init));
      const ours = methodsOf(PortOneClient({ ...init, maxRetries: 0 }));
      const byId = operations();
      let compared = 0;
      for (const [name, officialMethod] of official) {
        const ourMethod = ours.get(name);
        if (!ourMethod) continue;
        const op = byId.get(name.split(".").pop() ?? "");
        if (!op) throw new Error(`${name} is not in the schema`);
        const args = argumentsFor(op, variant === "all fields");
        const probe = await record(() => officialMethod(structuredClone(args)));
        const known = namesSent(probe);
        const shared = Object.fromEntries(
          Object.entries(args).filter(
            ([key]) =>
              known.has(key) || op.parameters?.some((p) => p.in === "path" && p.name === key),
          ),
        );
        const theirs = await record(() => officialMethod(structuredClone(shared)));
        const mine = await record(() => ourMethod(structuredClone(shared)));
        expect({ name, ...mine }).toEqual({ name, ...theirs });
        compared++;
      }
      expect(compared).toBe(official.size - ONLY_IN_OFFICIAL.length);
    });
  }
});
