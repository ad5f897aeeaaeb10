import { initTRPC, TRPCError } from "@trpc/server";
import { resolveResponse } from "@trpc/server/http";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  answerFastRequest,
  type FastPathOptions,
  type FastRequestParts,
  planFastRequest,
} from "../../src/router/trpc-fast-path.js";

/**
 * The fast path against tRPC's own `resolveResponse`, on a router of its own that has every
 * kind of outcome (results, thrown TRPCErrors and plain errors, input that fails validation,
 * a stream-like result, a formatter that adds to the shape): for every request the fast path
 * plans, status, headers, body, what `onError` hears and what `createContext` is told must be
 * what `resolveResponse` gives; for the requests it must leave to `resolveResponse`, no plan.
 */

interface Ctx {
  readonly caller: string;
}

const t = initTRPC.context<Ctx>().create({
  // Everything the formatter is told shows in the shape, so that a difference in it shows too.
  errorFormatter: ({ shape, error, type, path, input, ctx }) => ({
    ...shape,
    data: { ...shape.data, stack: undefined, kind: error.cause?.name ?? "none" },
    told: { type, path, input, caller: ctx?.caller ?? null },
  }),
});
const byId = z.object({ id: z.string().min(1) });
const testRouter = t.router({
  item: t.router({
    get: t.procedure.input(byId).query(({ input, ctx }) => ({ id: input.id, caller: ctx.caller })),
    missing: t.procedure.query(() => {
      throw new TRPCError({ code: "NOT_FOUND", message: "no such item" });
    }),
    broken: t.procedure.query(() => {
      throw new Error("database on fire");
    }),
    streamy: t.procedure.query(() => ({ later: Promise.resolve(1) })),
    save: t.procedure.input(byId).mutation(({ input }) => ({ saved: input.id })),
    unavailable: t.procedure.mutation(() => {
      throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "try later" });
    }),
  }),
});

type Options = FastPathOptions<Ctx, undefined>;
const plain: Options = { router: testRouter, createContext: () => ({ caller: "ann" }) };

interface Sent {
  readonly method?: "GET" | "POST" | "HEAD" | "PUT";
  /** After the route's prefix: `<procedure path>[?query]`. */
  readonly target: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

interface Observed {
  readonly status: number;
  readonly headers: [string, string][];
  readonly body: string;
  readonly errors: unknown[];
  readonly infos: unknown[];
}

/** What the listeners of one exchange heard, in a form both paths can be compared on. */
function listeners(options: Options) {
  const errors: unknown[] = [];
  const infos: unknown[] = [];
  const observed: Options = {
    ...options,
    createContext: (info, request) => {
      infos.push({
        type: info.type,
        isBatchCall: info.isBatchCall,
        accept: info.accept,
        calls: info.calls.map((call) => [call.path, call.batchIndex, call.procedure?._def.type]),
        url: info.url?.href,
        aborted: info.signal.aborted,
      });
      return options.createContext(info, request);
    },
    onError: ({ error, path, input, type }) =>
      errors.push({ code: error.code, message: error.message, path, input, type }),
  };
  return { errors, infos, observed };
}

function partsOf(sent: Sent): FastRequestParts {
  const [path = ""] = sent.target.split("?");
  return {
    method: sent.method ?? "GET",
    url: `/trpc/${sent.target}`,
    headers: { host: "api.example", ...sent.headers },
    body: sent.body,
    path,
  };
}

async function viaFastPath(sent: Sent, options: Options): Promise<Observed | undefined> {
  const { errors, infos, observed } = listeners(options);
  const plan = planFastRequest(partsOf(sent), observed, "http:");
  if (!plan) return undefined;
  const answer = await answerFastRequest(plan, observed, undefined);
  return { ...answer, headers: [...answer.headers].map(([n, v]) => [n, v]), errors, infos };
}

async function viaResolveResponse(sent: Sent, options: Options): Promise<Observed> {
  const { errors, infos, observed } = listeners(options);
  const parts = partsOf(sent);
  const response = await resolveResponse({
    router: testRouter,
    req: new Request(`http://api.example${parts.url}`, {
      method: parts.method ?? "GET",
      headers: sent.headers ?? {},
      ...(sent.body !== undefined ? { body: sent.body } : {}),
    }),
    path: parts.path,
    error: null,
    createContext: async ({ info }) => observed.createContext(info, undefined),
    ...(observed.maxBatchSize !== undefined ? { maxBatchSize: observed.maxBatchSize } : {}),
    ...(observed.allowBatching !== undefined ? { allowBatching: observed.allowBatching } : {}),
    ...(observed.responseMeta ? { responseMeta: observed.responseMeta as never } : {}),
    onError: ({ error, path, input, type }) =>
      observed.onError?.({ error, path, input, ctx: undefined, type }, undefined),
  });
  return {
    status: response.status,
    headers: [...response.headers],
    body: await response.text(),
    errors,
    infos,
  };
}

const input = (value: unknown) => `input=${encodeURIComponent(JSON.stringify(value))}`;
const json = { "content-type": "application/json" };

/** Requests the fast path must answer itself, exactly as resolveResponse does. */
const planned: [string, Sent][] = [
  ["a query", { target: `item.get?${input({ id: "a" })}` }],
  ["a query with a JSON content-type", { target: `item.get?${input({ id: "a" })}`, headers: json }],
  ["a query failing validation", { target: `item.get?${input({ id: "" })}` }],
  ["a query without input", { target: "item.get" }],
  ["a query with empty input", { target: "item.get?input=" }],
  ["a query whose input is null", { target: "item.get?input=null" }],
  ["a query throwing a TRPCError", { target: "item.missing" }],
  ["a query throwing a plain error", { target: "item.broken" }],
  ["a stream-like result outside a stream", { target: "item.streamy" }],
  ["a percent-encoded path", { target: `item%2Eget?${input({ id: "a" })}` }],
  ["URLSearchParams decoding (+, %20)", { target: "item.get?input=%7B%22id%22:%22a+b%20c%22%7D" }],
  ["other query parameters", { target: `item.get?x=1&${input({ id: "a" })}&batch=0` }],
  [
    "a batch mixing results, errors and a stream-like result",
    {
      target: `item.get,item.missing,item.get,item.broken,item.streamy?batch=1&${input({
        0: { id: "a" },
        2: { id: "" },
      })}`,
    },
  ],
  [
    "a batch of results",
    { target: `item.get,item.get?batch=1&${input({ 0: { id: "a" }, 1: { id: "b" } })}` },
  ],
  ["a batch without input", { target: "item.missing,item.missing?batch=1" }],
  [
    "a mutation",
    { method: "POST", target: "item.save", headers: json, body: JSON.stringify({ id: "s" }) },
  ],
  [
    "a mutation with content-type parameters and capitals",
    {
      method: "POST",
      target: "item.save",
      headers: { "content-type": "Application/JSON; charset=utf-8" },
      body: JSON.stringify({ id: "s" }),
    },
  ],
  [
    "a mutation with an empty body",
    { method: "POST", target: "item.save", headers: json, body: "" },
  ],
  [
    "a batch of mutations, one failing",
    {
      method: "POST",
      target: "item.save,item.unavailable,item.save?batch=1",
      headers: json,
      body: JSON.stringify({ 0: { id: "s" }, 2: {} }),
    },
  ],
];

/** Requests that only resolveResponse answers (the fast path makes no plan for them). */
const leftAlone: [string, Sent][] = [
  ["HEAD", { method: "HEAD", target: "item.get" }],
  ["PUT", { method: "PUT", target: "item.save", headers: json, body: "{}" }],
  ["an unknown procedure", { target: "item.nope" }],
  ["a router path, not a procedure", { target: "item" }],
  ["an inherited property name", { target: "constructor" }],
  ["a batch with one unknown procedure", { target: "item.get,item.nope?batch=1" }],
  ["a mutation sent as GET", { target: `item.save?${input({ id: "s" })}` }],
  [
    "a query sent as POST",
    { method: "POST", target: "item.get", headers: json, body: JSON.stringify({ id: "a" }) },
  ],
  [
    "a batch mixing a query and a mutation",
    { method: "POST", target: "item.save,item.get?batch=1", headers: json, body: "{}" },
  ],
  ["input that is not JSON", { target: "item.get?input=%7B" }],
  ["a batch whose input is not an object", { target: "item.get?batch=1&input=%5B1%5D" }],
  ["a batch whose input is null", { target: "item.get?batch=1&input=null" }],
  ["a body that is not JSON", { method: "POST", target: "item.save", headers: json, body: "{" }],
  [
    "a text/plain body",
    { method: "POST", target: "item.save", headers: { "content-type": "text/plain" }, body: "{}" },
  ],
  ["a POST without content-type", { method: "POST", target: "item.save", body: "{}" }],
  [
    "a GET with another content-type",
    { target: "item.missing", headers: { "content-type": "text/plain" } },
  ],
  [
    "a streamed batch (trpc-accept)",
    { target: "item.missing?batch=1", headers: { "trpc-accept": "application/jsonl" } },
  ],
  [
    "a streamed batch (accept)",
    { target: "item.missing?batch=1", headers: { accept: "application/jsonl" } },
  ],
  [
    "streaming without a batch",
    { target: "item.missing", headers: { "trpc-accept": "application/jsonl" } },
  ],
  ["connection params", { target: "item.missing?connectionParams=%7B%7D" }],
  ["bad percent-encoding in the path", { target: "item%E0.get" }],
  ["a '#' in the target", { target: "item.missing?x=#y" }],
  ["a space in the target", { target: "item.missing?x= y" }],
];

describe("the tRPC fast path answers like resolveResponse", () => {
  it.each(planned)("%s", async (_name, sent) => {
    const fast = await viaFastPath(sent, plain);
    expect(fast, "the fast path should take this request").toBeDefined();
    expect(fast).toEqual(await viaResolveResponse(sent, plain));
  });

  it.each(planned)("tells responseMeta what resolveResponse tells it: %s", async (_name, sent) => {
    const options: Options = {
      ...plain,
      responseMeta: ({ errors, type, paths, data, eagerGeneration, ctx, info }) => ({
        headers: {
          "x-told": JSON.stringify({
            errors: errors.map((error) => error.code),
            type,
            paths,
            data,
            eagerGeneration,
            caller: ctx?.caller,
            calls: info?.calls.length,
          }),
        },
      }),
    };
    const fast = await viaFastPath(sent, options);
    expect(fast).toBeDefined();
    expect(fast).toEqual(await viaResolveResponse(sent, options));
  });

  it.each(leftAlone)("leaves %s to resolveResponse", (_name, sent) => {
    expect(planFastRequest(partsOf(sent), plain, "http:")).toBeUndefined();
  });

  const withMeta = (meta: ReturnType<NonNullable<Options["responseMeta"]>>): Options => ({
    ...plain,
    responseMeta: ({ errors }) => (errors.length > 0 ? meta : {}),
  });
  const failingBatch: Sent = {
    method: "POST",
    target: "item.unavailable,item.save?batch=1",
    headers: json,
    body: JSON.stringify({ 1: { id: "s" } }),
  };
  it.each([
    [
      "headers as an object, lists appended",
      withMeta({ headers: { "retry-after": "5", "x-a": ["1", "2"] } }),
    ],
    [
      "headers as Headers, appended to tRPC's vary",
      withMeta({
        headers: new Headers([
          ["vary", "x-b"],
          ["x-c", "3"],
        ]),
      }),
    ],
    ["a status of its own", withMeta({ status: 418 })],
  ] as const)("applies responseMeta: %s", async (_name, options) => {
    for (const sent of [failingBatch, { target: "item.missing" }]) {
      const fast = await viaFastPath(sent, options);
      expect(fast).toBeDefined();
      expect(fast).toEqual(await viaResolveResponse(sent, options));
    }
  });

  it("answers every call with the error createContext threw", async () => {
    const options: Options = {
      ...plain,
      createContext: () => {
        throw new TRPCError({ code: "UNAUTHORIZED", message: "who are you" });
      },
    };
    for (const sent of [{ target: `item.get?${input({ id: "a" })}` }, failingBatch]) {
      const fast = await viaFastPath(sent, options);
      expect(fast?.status).toBe(401);
      expect(fast).toEqual(await viaResolveResponse(sent, options));
    }
  });

  it("leaves batches to resolveResponse when batching is off or over the limit", async () => {
    const batch: Sent = { target: "item.missing,item.missing,item.missing?batch=1" };
    for (const options of [
      { ...plain, allowBatching: false },
      { ...plain, maxBatchSize: 2 },
    ]) {
      expect(planFastRequest(partsOf(batch), options, "http:")).toBeUndefined();
      expect((await viaResolveResponse(batch, options)).status).toBe(400);
    }
    expect(planFastRequest(partsOf(batch), { ...plain, maxBatchSize: 3 }, "http:")).toBeDefined();
    expect(
      planFastRequest(
        partsOf({ target: "item.missing" }),
        { ...plain, allowBatching: false },
        "http:",
      ),
    ).toBeDefined();
  });

  it("leaves method override and unusual hosts to resolveResponse", () => {
    const sent = { target: "item.missing" };
    expect(
      planFastRequest(partsOf(sent), { ...plain, allowMethodOverride: true }, "http:"),
    ).toBeUndefined();
    for (const host of [
      "API.example",
      "api.example:80",
      "a b",
      "x@api.example",
      "api.example?x=1",
      "api.example:99999",
    ]) {
      const parts = { ...partsOf(sent), headers: { host } };
      expect(planFastRequest(parts, plain, "http:"), host).toBeUndefined();
    }
    const https = { ...partsOf(sent), headers: { host: "api.example:8443" } };
    expect(planFastRequest(https, plain, "https:")).toBeDefined();
  });

  it("tells createContext the request's URL and a signal that is not aborted", async () => {
    const sent = { target: `item.get?${input({ id: "a" })}` };
    const fast = await viaFastPath(sent, plain);
    expect(fast?.infos).toEqual([
      expect.objectContaining({
        url: `http://api.example/trpc/${sent.target}`,
        aborted: false,
        calls: [["item.get", 0, "query"]],
      }),
    ]);
  });
});
