/**
 * `npm run codegen`: reads the PortOne OpenAPI schema and rewrites src/sdk/generated.
 *
 * Schema path: env PORTONE_OPENAPI_PATH, else ../shared/portone/openapi.json next to the repo.
 * Output folder: `--out <dir>` (used by the up-to-date test), else src/sdk/generated.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "./generate.js";
import type { OpenApiDocument } from "./openapi.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export function defaultSchemaPath(): string {
  return process.env.PORTONE_OPENAPI_PATH ?? resolve(repoRoot, "../shared/portone/openapi.json");
}

export const DEFAULT_OUTPUT_DIR = join(repoRoot, "src/sdk/generated");

export async function writeGenerated(schemaPath: string, outDir: string) {
  const doc = JSON.parse(await readFile(schemaPath, "utf8")) as OpenApiDocument;
  const result = generate(doc);
  await rm(outDir, { recursive: true, force: true });
  for (const [relative, text] of result.files) {
    const target = join(outDir, relative);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  }
  return result;
}

async function main() {
  const outFlag = process.argv.indexOf("--out");
  const outDir = outFlag >= 0 ? resolve(process.argv[outFlag + 1] ?? "") : DEFAULT_OUTPUT_DIR;
  const schemaPath = defaultSchemaPath();
  const result = await writeGenerated(schemaPath, outDir);
  console.log(
    `codegen: ${result.operationCount} operations, ${result.typeCount} types, ` +
      `${result.files.size} files -> ${outDir}`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
