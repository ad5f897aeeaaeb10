/** Names and paths derived from a category id such as `payment.billingKey`. */

export function categoryFolder(category: string): string {
  return category.split(".").join("/");
}

function lastSegment(category: string): string {
  return category.split(".").pop() ?? category;
}

export function pascal(text: string): string {
  return `${text[0]?.toUpperCase() ?? ""}${text.slice(1)}`;
}

/** `payment.billingKey` -> `BillingKey` (namespace export name) */
export function namespaceName(category: string): string {
  return pascal(lastSegment(category));
}

export function clientName(category: string): string {
  return `${namespaceName(category)}Client`;
}

export function categoryErrorName(category: string): string {
  return `${namespaceName(category)}Error`;
}

/** Property key under which a sub-client hangs on its parent: `payment.billingKey` -> `billingKey` */
export function childKey(category: string): string {
  return lastSegment(category);
}

export function parentCategory(category: string): string | undefined {
  const parts = category.split(".");
  return parts.length > 1 ? parts.slice(0, -1).join(".") : undefined;
}

/** Relative import specifier from one generated folder to a file in another. */
export function relativeImport(fromFolder: string, toFolder: string, file: string): string {
  const from = fromFolder === "" ? [] : fromFolder.split("/");
  const to = toFolder === "" ? [] : toFolder.split("/");
  let common = 0;
  while (common < from.length && common < to.length && from[common] === to[common]) common++;
  const up = from.length - common;
  const prefix = up === 0 ? "./" : "../".repeat(up);
  const rest = to.slice(common);
  return `${prefix}${[...rest, file].join("/")}`;
}

/**
 * A short label for a doc comment: the schema's `x-portone-title`, first line only and
 * bounded, so long prose from the schema never lands in the repository.
 */
export function docLabel(title: string | undefined): string | undefined {
  if (!title) return undefined;
  const line = title.split("\n")[0]?.trim() ?? "";
  if (line === "") return undefined;
  const bounded = line.length > 80 ? `${line.slice(0, 79)}…` : line;
  return bounded.replace(/\*\//g, "*\\/");
}

export function docComment(indent: string, lines: Array<string | undefined>): string {
  const present = lines.filter((l): l is string => l !== undefined && l !== "");
  if (present.length === 0) return "";
  if (present.length === 1) return `${indent}/** ${present[0]} */\n`;
  return `${indent}/**\n${present.map((l) => `${indent} * ${l}`).join("\n")}\n${indent} */\n`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}
