/**
 * `npm run docs`: the SDK's API reference, generated with TypeDoc from src/sdk into docs/api
 * (not committed). One module per subpath of the package, named as users import it
 * (`@portone-bff/sdk/payment/billingKey`, not `generated/payment/billingKey`): each is a
 * one-line re-export written to node_modules/.cache, which TypeDoc reads as that module.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Application, OptionDefaults } from "typedoc";
import { isEntryPoint } from "../../src/is-entry-point.js";
import { defaultSchemaPath } from "../codegen/main.js";
import { SDK_PACKAGE_NAME, SERVER_SDK_COMPATIBILITY, sdkSubpaths } from "./layout.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const DOCS_DIR = join(repoRoot, "docs/api");

const cacheDir = join(repoRoot, "node_modules/.cache");

/** Writes one re-export per subpath and a tsconfig that holds them, into `entriesDir`. */
async function writeEntryPoints(entriesDir: string, rootExports: Record<string, unknown>) {
  const entries: string[] = [];
  for (const { name, module } of sdkSubpaths(rootExports)) {
    const importName = name === "." ? SDK_PACKAGE_NAME : `${SDK_PACKAGE_NAME}${name.slice(1)}`;
    const file = join(entriesDir, `${importName.replaceAll("/", "_")}.ts`);
    const target = join(repoRoot, "src/sdk", `${module}.js`);
    await writeFile(
      file,
      `/** @module ${importName} */\nexport * from ${JSON.stringify(target)};\n`,
    );
    entries.push(file);
  }
  await writeFile(
    join(entriesDir, "tsconfig.json"),
    JSON.stringify({
      extends: join(repoRoot, "tsconfig.sdk.json"),
      compilerOptions: { rootDir: repoRoot, noEmit: true },
      // `files`, not `include`: include patterns never match inside node_modules.
      files: entries,
      include: [join(repoRoot, "src/sdk")],
    }),
  );
  return { entries, tsconfig: join(entriesDir, "tsconfig.json") };
}

export async function buildDocs(outDir: string = DOCS_DIR): Promise<void> {
  const root = JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8"));
  const schema = JSON.parse(await readFile(defaultSchemaPath(), "utf8"));
  await mkdir(cacheDir, { recursive: true });
  // A directory of its own per run, so that two builds at once do not share entry files.
  const entriesDir = await mkdtemp(join(cacheDir, "portone-sdk-docs-"));
  try {
    await generate(
      outDir,
      root.version,
      schema.info.version,
      await writeEntryPoints(entriesDir, root.exports),
    );
  } finally {
    await rm(entriesDir, { recursive: true, force: true });
  }
}

async function generate(
  outDir: string,
  version: string,
  schemaVersion: string,
  { entries, tsconfig }: { entries: string[]; tsconfig: string },
) {
  const app = await Application.bootstrapWithPlugins({
    entryPoints: entries,
    entryPointStrategy: "resolve",
    tsconfig,
    name: `${SDK_PACKAGE_NAME} ${version} (PortOne API ${schemaVersion}, compatible with @portone/server-sdk ${SERVER_SDK_COMPATIBILITY})`,
    readme: "none",
    out: outDir,
    // The generator marks operations PortOne has not stabilised with @unstable.
    blockTags: [...OptionDefaults.blockTags, "@unstable"],
    excludePrivate: true,
    excludeInternal: true,
    // The generated reference documents every schema type; a missing comment is not an error.
    validation: { notExported: false, invalidLink: true, notDocumented: false },
    logLevel: "Warn",
    treatWarningsAsErrors: false,
  });
  const project = await app.convert();
  if (!project) throw new Error("typedoc could not convert src/sdk");
  await app.generateDocs(project, outDir);
  if (app.logger.hasErrors()) throw new Error("typedoc reported errors");
}

if (isEntryPoint(import.meta.url)) {
  await buildDocs();
  console.log(`docs: ${DOCS_DIR}`);
}
