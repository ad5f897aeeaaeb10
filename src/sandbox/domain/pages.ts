import { invalidRequest } from "../http/api-error.js";
import type { Input } from "../http/input.js";

/** PortOne's `PageInput` -> a slice, and the `PageInfo` that describes it. */
export function paginate<T>(items: T[], page: Input | undefined) {
  const number = page?.optionalInteger("number") ?? 0;
  const size = page?.optionalInteger("size") ?? 10;
  if (size < 1 || size > 1000) throw invalidRequest("page.size must be between 1 and 1000.");
  return {
    items: items.slice(number * size, number * size + size),
    page: { number, size, totalCount: items.length },
  };
}

export function compareBy<T>(key: (item: T) => string, order: "ASC" | "DESC") {
  const sign = order === "ASC" ? 1 : -1;
  return (a: T, b: T) => sign * key(a).localeCompare(key(b));
}
