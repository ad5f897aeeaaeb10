// Writes the README's sandbox operations table from what a fresh sandbox reports at
// GET /sandbox/operations, so the table and the sandbox cannot drift apart
// (test/sandbox/operations-catalogue.test.ts checks it). Run: npx tsx scripts/sandbox/operations-table.ts
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type CatalogueEntry,
  catalogueMarkdown,
} from "../../src/sandbox/http/operation-catalogue.js";
import { createSandbox } from "../../src/sandbox/index.js";

export const TABLE_START =
  "<!-- sandbox-operations:start (npx tsx scripts/sandbox/operations-table.ts) -->";
export const TABLE_END = "<!-- sandbox-operations:end -->";

/** The table a sandbox with default options would report. */
export async function currentTable(): Promise<string> {
  const sandbox = await createSandbox();
  try {
    const response = await sandbox.app.inject({ method: "GET", url: "/sandbox/operations" });
    const { operations } = response.json() as { operations: CatalogueEntry[] };
    return catalogueMarkdown(operations);
  } finally {
    await sandbox.close();
  }
}

/** The table between the markers of a README text, or undefined without markers. */
export function tableIn(readme: string): string | undefined {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end < start) return undefined;
  return readme.slice(start + TABLE_START.length, end).trim();
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const readmePath = resolve(dirname(fileURLToPath(import.meta.url)), "../../README.md");
  const readme = readFileSync(readmePath, "utf8");
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end < start)
    throw new Error(`README.md has no ${TABLE_START} ... ${TABLE_END}`);
  const table = await currentTable();
  writeFileSync(
    readmePath,
    `${readme.slice(0, start + TABLE_START.length)}\n${table}\n${readme.slice(end)}`,
  );
  console.log("README.md sandbox operations table updated");
}
