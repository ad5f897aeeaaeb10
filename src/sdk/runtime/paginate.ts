/**
 * Iterates every item of a list operation, page after page:
 * - page-based operations (`page: { number, size }` in, `page: { number, size, totalCount }` out);
 * - cursor-based operations (`cursor` in, one `cursor` per item out).
 *
 * `for await (const payment of paginate(client.payment.getPayments, { filter })) { ... }`
 */
import type { CallOptions } from "./options.js";

/** Element type of the array field of a list response (`items`, `transferSummaries`, ...). */
export type PageItem<Response> = {
  [K in keyof Response]-?: NonNullable<Response[K]> extends readonly (infer Item)[] ? Item : never;
}[keyof Response];

type ListArguments = {
  page?: { number?: number; size?: number };
  cursor?: string;
  size?: number;
};

interface PageInfo {
  number: number;
  size: number;
  totalCount: number;
}

export async function* paginate<Args extends ListArguments | undefined, Response extends object>(
  list: (args: Args, callOptions?: CallOptions) => Promise<Response>,
  args: Args,
  callOptions?: CallOptions,
): AsyncGenerator<PageItem<Response>, void, undefined> {
  let current: ListArguments = { ...(args ?? {}) };
  for (;;) {
    const response = await list(current as Args, callOptions);
    const items = arrayField(response);
    for (const item of items) yield item as PageItem<Response>;
    if (items.length === 0) return;
    const page = (response as { page?: PageInfo }).page;
    if (page && typeof page.number === "number") {
      if ((page.number + 1) * page.size >= page.totalCount) return;
      current = { ...current, page: { number: page.number + 1, size: page.size } };
      continue;
    }
    const last = items[items.length - 1] as { cursor?: unknown } | undefined;
    if (typeof last?.cursor !== "string" || last.cursor === current.cursor) return;
    current = { ...current, cursor: last.cursor };
  }
}

function arrayField(response: object): unknown[] {
  for (const value of Object.values(response)) if (Array.isArray(value)) return value;
  throw new TypeError(
    "paginate: the operation's response has no list field; pass a list operation",
  );
}
