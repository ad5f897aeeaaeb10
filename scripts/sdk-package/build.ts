/**
 * `npm run build:sdk`: writes packages/sdk, the SDK alone as a publishable package (npm and
 * JSR) with no dependencies. src/sdk stays the only source: this compiles it to ESM and
 * CommonJS, copies the TypeScript for JSR, and stamps the schema version it was generated from.
 */
import { execFileSync } from "node:child_process";
import { cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isEntryPoint } from "../../src/is-entry-point.js";
import { defaultSchemaPath } from "../codegen/main.js";
import { jsrJson, type PackageFacts, packageJson, sdkSubpaths } from "./layout.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SDK_PACKAGE_DIR = join(repoRoot, "packages/sdk");

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
}

async function packageFacts(): Promise<PackageFacts> {
  const root = await readJson(join(repoRoot, "package.json"));
  const schema = await readJson(defaultSchemaPath());
  const schemaVersion = (schema.info as { version?: unknown } | undefined)?.version;
  if (typeof schemaVersion !== "string" || schemaVersion === "") {
    throw new Error(`${defaultSchemaPath()} has no info.version`);
  }
  return {
    version: root.version as string,
    schemaVersion,
    subpaths: sdkSubpaths(root.exports as Record<string, unknown>),
  };
}

function compile(tsconfig: string): void {
  const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", tsconfig], { cwd: repoRoot, stdio: "inherit" });
}

/** Relative `./x.js` specifiers as written for tsc/Node, pointed at the `.ts` files JSR serves. */
export function toTsSpecifiers(source: string): string {
  return source.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"']*)\.js\2/g,
    "$1$2$3.ts$2",
  );
}

async function copyTypeScriptSources(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) await copyTypeScriptSources(source, target);
    else if (entry.name.endsWith(".ts")) {
      await writeFile(target, toTsSpecifiers(await readFile(source, "utf8")));
    }
  }
}

async function readmeText(facts: PackageFacts): Promise<string> {
  const template = await readFile(join(repoRoot, "scripts/sdk-package/README.md"), "utf8");
  return template
    .replaceAll("{{version}}", facts.version)
    .replaceAll("{{schemaVersion}}", facts.schemaVersion);
}

export async function buildSdkPackage(): Promise<PackageFacts> {
  const facts = await packageFacts();
  await rm(SDK_PACKAGE_DIR, { recursive: true, force: true });
  await mkdir(SDK_PACKAGE_DIR, { recursive: true });
  compile("tsconfig.sdk.json");
  compile("tsconfig.sdk.cjs.json");
  // Without this marker the .js and .d.ts under dist/cjs would be read as ES modules.
  await writeFile(join(SDK_PACKAGE_DIR, "dist/cjs/package.json"), '{ "type": "commonjs" }\n');
  await copyTypeScriptSources(join(repoRoot, "src/sdk"), join(SDK_PACKAGE_DIR, "src"));
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  await writeFile(join(SDK_PACKAGE_DIR, "package.json"), json(packageJson(facts)));
  await writeFile(join(SDK_PACKAGE_DIR, "jsr.json"), json(jsrJson(facts)));
  await writeFile(join(SDK_PACKAGE_DIR, "README.md"), await readmeText(facts));
  for (const file of ["CHANGELOG.md", "LICENSE-APACHE", "LICENSE-MIT"]) {
    await cp(join(repoRoot, file), join(SDK_PACKAGE_DIR, file));
  }
  return facts;
}

if (isEntryPoint(import.meta.url)) {
  const facts = await buildSdkPackage();
  console.log(
    `packages/sdk: @portone-bff/sdk ${facts.version}, ${facts.subpaths.length} subpaths, OpenAPI ${facts.schemaVersion}`,
  );
}
