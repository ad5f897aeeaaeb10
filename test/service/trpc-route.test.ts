import { initTRPC, TRPCError } from "@trpc/server";
import { fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { trpcFastifyPlugin } from "../../src/router/trpc-fastify-plugin.js";

// The service's tRPC route must answer exactly like tRPC's stock Fastify adapter: same status,
// same tRPC headers, same body, for single calls, batches, errors and streamed batches.

interface Context {
  readonly caller: string | undefined;
}

const t = initTRPC.context<Context>().create({ isDev: false });
const router = t.router({
  echo: t.procedure.input(z.object({ text: z.string().min(1) })).query(({ input, ctx }) => ({
    text: input.text,
    caller: ctx.caller ?? null,
  })),
  save: t.procedure
    .input(z.object({ amount: z.number().int() }))
    .mutation(({ input }) => ({ saved: input.amount * 2 })),
  refuse: t.procedure.query(() => {
    throw new TRPCError({ code: "CONFLICT", message: "already settled" });
  }),
});

const createContext = (authorization: string | undefined): Context => ({ caller: authorization });

let stock: FastifyInstance;
let ours: FastifyInstance;
let stockUrl: string;
let oursUrl: string;

beforeAll(async () => {
  stock = Fastify();
  await stock.register(fastifyTRPCPlugin, {
    prefix: "/trpc",
    trpcOptions: {
      router,
      createContext: ({ req }: { req: FastifyRequest }) => createContext(req.headers.authorization),
    },
  });
  ours = Fastify();
  await ours.register(trpcFastifyPlugin<typeof router>, {
    prefix: "/trpc",
    router,
    createContext: (request) => createContext(request.headers.authorization),
  });
  stockUrl = await stock.listen({ port: 0, host: "127.0.0.1" });
  oursUrl = await ours.listen({ port: 0, host: "127.0.0.1" });
});

afterAll(async () => {
  await Promise.all([stock?.close(), ours?.close()]);
});

interface Call {
  readonly name: string;
  readonly path: string;
  readonly init?: RequestInit;
}

const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));
const batchInput = (values: unknown[]) =>
  input(Object.fromEntries(values.map((value, index) => [index, value])));
const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

const calls: Call[] = [
  { name: "query", path: `/trpc/echo?input=${input({ text: "hi" })}` },
  {
    name: "query with context",
    path: `/trpc/echo?input=${input({ text: "hi" })}`,
    init: { headers: { authorization: "Bearer abc" } },
  },
  { name: "invalid input", path: `/trpc/echo?input=${input({ text: "" })}` },
  { name: "malformed input", path: "/trpc/echo?input=%7Bnot-json" },
  { name: "procedure error", path: "/trpc/refuse" },
  { name: "unknown procedure", path: "/trpc/nothing.here" },
  { name: "mutation", path: "/trpc/save", init: json({ amount: 21 }) },
  { name: "mutation over GET", path: `/trpc/save?input=${input({ amount: 1 })}` },
  { name: "query over POST", path: "/trpc/echo", init: json({ text: "x" }) },
  {
    name: "batch",
    path: `/trpc/echo,refuse,echo?batch=1&input=${batchInput([{ text: "a" }, undefined, { text: "" }])}`,
  },
  {
    name: "streamed batch",
    path: `/trpc/echo,echo?batch=1&input=${batchInput([{ text: "a" }, { text: "b" }])}`,
    init: { headers: { "trpc-accept": "application/jsonl" } },
  },
  { name: "HEAD", path: "/trpc/echo", init: { method: "HEAD" } },
];

async function answer(base: string, call: Call) {
  const response = await fetch(`${base}${call.path}`, call.init);
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    vary: response.headers.get("vary"),
    allow: response.headers.get("allow"),
    body: await response.text(),
  };
}

describe("tRPC route", () => {
  it.each(calls)("$name: answers like the stock Fastify adapter", async (call) => {
    const expected = await answer(stockUrl, call);
    const actual = await answer(oursUrl, call);
    expect(actual).toEqual(expected);
  });

  it("sends a whole JSON answer with a Content-Length, not chunked", async () => {
    const response = await fetch(`${oursUrl}/trpc/echo?input=${input({ text: "hi" })}`);
    const body = await response.text();
    expect(response.headers.get("transfer-encoding")).toBeNull();
    expect(response.headers.get("content-length")).toBe(String(Buffer.byteLength(body)));
    expect(JSON.parse(body)).toEqual({ result: { data: { text: "hi", caller: null } } });
  });

  it("keeps streaming a streamed batch", async () => {
    const response = await fetch(
      `${oursUrl}/trpc/echo,echo?batch=1&input=${batchInput([{ text: "a" }, { text: "b" }])}`,
      { headers: { "trpc-accept": "application/jsonl" } },
    );
    expect(response.headers.get("transfer-encoding")).toBe("chunked");
    const body = await response.text();
    expect(body).toContain('"a"');
    expect(body).toContain('"b"');
  });
});
