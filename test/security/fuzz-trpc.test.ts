import { request } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken, trpcClient } from "../service/support/harness.js";
import {
  authorizationHeader,
  deeplyNestedJson,
  hostileJson,
  hostileRecord,
  hostileString,
  oddContentType,
  oddMethod,
  plausibleId,
} from "./support/arbitraries.js";
import { type SecurityStack, STORES, startSecurityStack } from "./support/stack.js";

/**
 * Property-based fuzzing of every tRPC procedure, single and batched, GET and POST, over real
 * sockets against the service (sandbox as PortOne, SQLite, and PostgreSQL when
 * TEST_DATABASE_URL is set). Whatever arrives: no 5xx, nothing internal in the answer (stack
 * frames, module paths, error class names, SQL text), no error-level log line, and the
 * service still serves afterwards. Reproduce a failure with FUZZ_SEED=<printed seed>.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS: Record<(typeof STORES)[number], number> = {
  sqlite: Number(process.env.FUZZ_TRPC_RUNS ?? 3_500),
  postgres: Number(process.env.FUZZ_TRPC_PG_RUNS ?? 1_500),
};

const PROCEDURES = {
  "payment.prepare": ["orderId", "guestToken"],
  "payment.complete": ["paymentId", "guestToken"],
  "payment.confirm": ["paymentId", "paymentToken", "txId", "guestToken"],
  "payment.get": ["paymentId", "guestToken"],
} as const;
type Procedure = keyof typeof PROCEDURES;
const QUERIES: ReadonlySet<string> = new Set(["payment.get"]);

/** What only the server's insides would say. */
const INTERNAL_TEXT =
  /\bat [\w.<>[\]]+ \(|\bat (?:async )?(?:file|node):|node_modules|\/src\/|Error:|TypeError|ReferenceError|SQLITE_|syntax error at|invalid byte sequence|violates .* constraint|duplicate key|better-sqlite3|pg-protocol/;

interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

/** With the `u` flag only a lone surrogate half is `Cs` (a valid pair is one code point). */
const LONE_SURROGATE = /\p{Cs}/gu;

function percentEncode(text: string): string {
  // encodeURIComponent throws on a lone surrogate; UTF-8 would carry it as U+FFFD anyway.
  return encodeURIComponent(text.replace(LONE_SURROGATE, "\ufffd"));
}

function inputFor(procedure: string): fc.Arbitrary<unknown> {
  const fields = Object.hasOwn(PROCEDURES, procedure)
    ? PROCEDURES[procedure as Procedure]
    : ["paymentId"];
  return fc.oneof(
    { weight: 5, arbitrary: hostileRecord(fields) },
    {
      weight: 2,
      arbitrary: fc.record(Object.fromEntries(fields.map((field) => [field, plausibleId()])), {
        requiredKeys: [],
      }),
    },
    { weight: 2, arbitrary: hostileJson() },
  );
}

/** The body or `input` text: JSON of the input mostly, else deep nesting or raw junk. */
function inputText(input: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: input.map((value) => JSON.stringify(value) ?? "null") },
    { weight: 1, arbitrary: deeplyNestedJson() },
    { weight: 1, arbitrary: hostileString() },
  );
}

/** Built once per procedure name: building arbitraries (regexes, records) costs more than drawing. */
const inputTexts = new Map<string, fc.Arbitrary<string>>();
function inputTextFor(procedure: string): fc.Arbitrary<string> {
  let text = inputTexts.get(procedure);
  if (!text) {
    text = inputText(inputFor(procedure));
    inputTexts.set(procedure, text);
  }
  return text;
}

function fuzzRequest(validToken: string): fc.Arbitrary<FuzzRequest> {
  const procedureName = fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...(Object.keys(PROCEDURES) as Procedure[])) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "payment.nope",
        "__proto__",
        "payment.__proto__",
        "payment",
        "",
        "payment.prepare.x",
      ),
    },
  );
  return fc
    .record({
      procedures: fc.array(procedureName, { minLength: 1, maxLength: 4 }),
      batched: fc.boolean(),
      methodChoice: fc.oneof(
        { weight: 6, arbitrary: fc.constant("natural") },
        { weight: 1, arbitrary: oddMethod() },
      ),
      // Mostly what a tRPC client sends, so most inputs get past the parsers to the procedures.
      contentType: fc.oneof(
        { weight: 4, arbitrary: fc.constant("application/json") },
        { weight: 1, arbitrary: oddContentType() },
      ),
      authorization: fc.oneof(
        { weight: 3, arbitrary: fc.constant(`Bearer ${validToken}`) },
        { weight: 1, arbitrary: authorizationHeader(validToken) },
      ),
      streaming: fc.boolean(),
      rawQuery: fc.option(
        fc.constantFrom("%ZZ", "%C0%80", "%FF%FE", "%00", "input=%E0%A4", "batch=1&batch=2"),
        {
          freq: 12,
        },
      ),
    })
    .chain((shape) => {
      const names = shape.batched ? shape.procedures : shape.procedures.slice(0, 1);
      const texts = fc.tuple(...names.map(inputTextFor));
      return texts.map((inputs): FuzzRequest => {
        const natural = names.every((name) => QUERIES.has(name)) ? "GET" : "POST";
        const method = shape.methodChoice === "natural" ? natural : shape.methodChoice;
        const payload = shape.batched
          ? `{${inputs.map((text, index) => `"${index}":${text}`).join(",")}}`
          : (inputs[0] as string);
        const query = [
          ...(shape.batched ? ["batch=1"] : []),
          ...(method === "GET" ? [`input=${percentEncode(payload)}`] : []),
          ...(shape.rawQuery ? [shape.rawQuery] : []),
        ].join("&");
        const headers: Record<string, string> = {};
        if (shape.authorization !== undefined) headers.authorization = shape.authorization;
        if (shape.contentType !== undefined) headers["content-type"] = shape.contentType;
        if (shape.streaming) headers["trpc-accept"] = "application/jsonl";
        return {
          method,
          path: `/trpc/${names.map(percentEncode).join(",")}${query ? `?${query}` : ""}`,
          headers,
          body: method === "GET" || method === "HEAD" ? undefined : payload,
        };
      });
    });
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

function send(base: URL, fuzz: FuzzRequest): Promise<Answer | { transportError: string }> {
  return new Promise((resolve) => {
    const req = request(
      {
        // A fresh connection per input: a connection the server closed after refusing one input
        // must not fail the next one.
        agent: false,
        host: base.hostname,
        port: base.port,
        method: fuzz.method,
        path: fuzz.path,
        // Node's client frames no body for DELETE or OPTIONS unless told its length; unframed
        // bytes after the headers would be a malformed request, not a hostile input.
        headers:
          fuzz.body === undefined
            ? fuzz.headers
            : { ...fuzz.headers, "content-length": String(Buffer.byteLength(fuzz.body)) },
        timeout: 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", (error) => resolve({ transportError: error.message }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("no answer within 15 s")));
    req.on("error", (error) => resolve({ transportError: error.message }));
    req.end(fuzz.body);
  });
}

/** The server may close the connection on a request it refuses outright (too large a body or URL). */
function mayBeCutOff(fuzz: FuzzRequest): boolean {
  return (fuzz.body?.length ?? 0) > 60_000 || fuzz.path.length > 8_000;
}

describe.each(STORES)("fuzzing every tRPC procedure (%s)", (store) => {
  let stack: SecurityStack;
  let token: string;

  beforeAll(async () => {
    stack = await startSecurityStack(store);
    token = await signToken(`fuzz-${store}`);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("no 5xx, no internal text, no error log, still serving", async () => {
    const base = new URL(stack.service.url);
    const runs = RUNS[store];
    console.log(
      `[fuzz-trpc] ${store}: ${runs} generated inputs, seed ${SEED} (FUZZ_SEED=${SEED} to replay)`,
    );
    const statuses = new Map<number, number>();
    let sent = 0;
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(fuzzRequest(token), async (fuzz) => {
        sent += 1;
        const answer = await send(base, fuzz);
        if ("transportError" in answer) {
          if (!mayBeCutOff(fuzz)) throw new Error(`transport error: ${answer.transportError}`);
          return;
        }
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status >= 500)
          throw new Error(`HTTP ${answer.status}: ${answer.text.slice(0, 500)}`);
        const leak = INTERNAL_TEXT.exec(answer.text);
        if (leak)
          throw new Error(
            `internal text ${JSON.stringify(leak[0])} in: ${answer.text.slice(0, 500)}`,
          );
      }),
      { seed: SEED, numRuns: runs, endOnFailure: true },
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `[fuzz-trpc] ${store}: ${sent} requests sent in ${seconds} s, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
    expect(sent).toBeGreaterThanOrEqual(runs);

    const errorLines = stack.service.logs.lines.filter((line) => /"level":(50|60)/.test(line));
    expect(errorLines.slice(0, 3)).toEqual([]);
    // Still up, and still correct for a well-behaved caller.
    expect((await fetch(`${stack.service.url}/healthz`)).status).toBe(200);
    const order = {
      orderId: `fuzz-after-${store}-${SEED}`,
      customerId: `fuzz-${store}`,
      orderName: "After",
      totalAmount: 1_000,
      currency: "KRW",
    };
    stack.shop.orders.set(order.orderId, order);
    const prepared = await trpcClient(stack.service.url, token).payment.prepare.mutate({
      orderId: order.orderId,
    });
    expect(prepared.totalAmount).toBe(1_000);
  }, 600_000);
});
