/** The whole generator as one pure function: schema in, files (relative path -> text) out. */
import {
  childCategories,
  emitCategoryErrors,
  emitCategoryModule,
  operationsIn,
} from "./emit-client.js";
import { emitTypes, GENERATED_HEADER, typeNamesIn } from "./emit-types.js";
import { buildModel, compareText, type SchemaModel } from "./model.js";
import {
  categoryErrorName,
  categoryFolder,
  childKey,
  clientName,
  namespaceName,
  parentCategory,
} from "./naming.js";
import type { OpenApiDocument } from "./openapi.js";

export interface GeneratedFiles {
  files: Map<string, string>;
  operationCount: number;
  typeCount: number;
}

export function generate(doc: OpenApiDocument): GeneratedFiles {
  const model = buildModel(doc);
  const files = new Map<string, string>();
  for (const category of model.categories) {
    const folder = categoryFolder(category);
    const types = emitTypes(model, category);
    checkCategoryExports(model, category);
    files.set(`${folder}/types.ts`, types.text);
    files.set(`${folder}/index.ts`, emitCategoryModule(model, category, types.hasValues));
  }
  files.set("category-errors.ts", emitCategoryErrors(model));
  const roots = model.categories.filter((c) => parentCategory(c) === undefined);
  files.set("client.ts", emitPortOneClient(roots));
  files.set("index.ts", emitRootIndex(model, roots));
  return {
    files: new Map([...files.entries()].sort(([a], [b]) => compareText(a, b))),
    operationCount: model.operations.length,
    typeCount: model.typeCategory.size,
  };
}

/** Fails when two things a category exports would share a name. */
function checkCategoryExports(model: SchemaModel, category: string): void {
  const exported = new Map<string, string>();
  const claim = (name: string, from: string) => {
    const previous = exported.get(name);
    if (previous)
      throw new Error(`${category}: "${name}" exported by both ${previous} and ${from}`);
    exported.set(name, from);
  };
  for (const name of typeNamesIn(model, category)) claim(name, "a schema type");
  claim(categoryErrorName(category), "the category error");
  for (const op of operationsIn(model, category)) claim(op.errorClass, "an operation error");
  claim(clientName(category), "the client");
  for (const child of childCategories(model, category)) {
    claim(namespaceName(child), "a sub-category namespace");
  }
}

function emitPortOneClient(roots: string[]): string {
  const imports = roots
    .map((c) => `import { ${clientName(c)} } from "./${categoryFolder(c)}/index.js";\n`)
    .join("");
  const members = roots.map((c) => `  ${childKey(c)}: ${clientName(c)};`).join("\n");
  const values = roots.map((c) => `    ${childKey(c)}: ${clientName(c)}(init),`).join("\n");
  return (
    `${GENERATED_HEADER}import type { PortOneClientInit } from "../runtime/options.js";\n${imports}\n` +
    `export type PortOneClient = {\n${members}\n};\n\n` +
    `/** Creates a client for every PortOne V2 operation, grouped by category. */\n` +
    `export function PortOneClient(init: PortOneClientInit): PortOneClient {\n  return {\n${values}\n  };\n}\n`
  );
}

function emitRootIndex(model: SchemaModel, roots: string[]): string {
  let text = `${GENERATED_HEADER}export { PortOneClient } from "./client.js";\n`;
  for (const root of roots) {
    text += `export * as ${namespaceName(root)} from "./${categoryFolder(root)}/index.js";\n`;
  }
  const clients = model.categories
    .filter((c) => c !== "common" || operationsIn(model, c).length > 0)
    .map((c) => ({ name: clientName(c), folder: categoryFolder(c) }))
    .sort((a, b) => compareText(a.name, b.name));
  for (const { name, folder } of clients) {
    text += `export { ${name} } from "./${folder}/index.js";\n`;
  }
  return text;
}
