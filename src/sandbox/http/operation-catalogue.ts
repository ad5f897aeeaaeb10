import { type OperationRoute, operationRoutes } from "../generated/operations.js";
import type { ApiHandlers } from "./portone-api.js";
import { retiredOperations } from "./retired-operations.js";

/** One row of GET /sandbox/operations and of the README's operations table. */
export interface CatalogueEntry {
  operationId: string;
  method: string;
  /** As the schema writes it (`{name}` parameters). */
  path: string;
  category: string;
  /** A stateful implementation; otherwise a typed error from the operation's own vocabulary. */
  emulated: boolean;
  /** Only in `@portone/server-sdk` 0.19, no longer in PortOne's schema. */
  retired?: true;
}

const schemaPath = (route: OperationRoute) => route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

/** Every operation the sandbox routes, in schema order, then the retired ones. */
export function operationCatalogue(handlers: ApiHandlers): CatalogueEntry[] {
  const entry = (route: OperationRoute): CatalogueEntry => ({
    operationId: route.operationId,
    method: route.method,
    path: schemaPath(route),
    category: route.category,
    emulated: Object.hasOwn(handlers, route.operationId),
  });
  return [
    ...operationRoutes.map(entry),
    ...retiredOperations.map((route) => ({ ...entry(route), retired: true as const })),
  ];
}

/** Emulated / all, per top-level category (payment.billingKey counts under payment). */
export function countsByCategory(entries: readonly CatalogueEntry[]) {
  const counts = new Map<string, { emulated: number; total: number }>();
  for (const entry of entries) {
    if (entry.retired) continue;
    const category = entry.category.split(".")[0] as string;
    const count = counts.get(category) ?? { emulated: 0, total: 0 };
    count.total += 1;
    if (entry.emulated) count.emulated += 1;
    counts.set(category, count);
  }
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** The README table: a summary by category, then every operation, grouped by category. */
export function catalogueMarkdown(entries: readonly CatalogueEntry[]): string {
  const schemaEntries = entries.filter((entry) => !entry.retired);
  const emulated = schemaEntries.filter((entry) => entry.emulated).length;
  const lines = [
    `${emulated} of the schema's ${schemaEntries.length} operations are emulated statefully; the others answer a typed error of their own \`x-portone-error\` vocabulary.`,
    "",
    "| Category | Emulated |",
    "| --- | --- |",
    ...countsByCategory(entries).map(
      ([category, c]) => `| ${category} | ${c.emulated} / ${c.total} |`,
    ),
    "",
    "| Category | Operation | Route | Emulated |",
    "| --- | --- | --- | --- |",
  ];
  const sorted = [...entries].sort(
    (a, b) => a.category.localeCompare(b.category) || a.operationId.localeCompare(b.operationId),
  );
  for (const entry of sorted) {
    const status = entry.retired ? "retired (FORBIDDEN)" : entry.emulated ? "yes" : "no";
    lines.push(
      `| ${entry.category} | \`${entry.operationId}\` | \`${entry.method} ${entry.path}\` | ${status} |`,
    );
  }
  return lines.join("\n");
}
