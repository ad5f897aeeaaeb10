/**
 * Emits the runtime-facing part of each category: error classes (made by the runtime's error
 * factories from names), the operation table, and the client type and factory (which hand the
 * table to the runtime's one generic client builder).
 */

import {
  DEFAULT_STORE_ID,
  HAS_BODY,
  NO_RESPONSE,
  TEXT_RESPONSE,
} from "../../src/sdk/runtime/operation.js";
import { GENERATED_HEADER } from "./emit-types.js";
import {
  compareText,
  type OperationField,
  type OperationModel,
  type SchemaModel,
} from "./model.js";
import {
  categoryErrorName,
  categoryFolder,
  childKey,
  clientName,
  docComment,
  docLabel,
  namespaceName,
  parentCategory,
  propertyKey,
  relativeImport,
} from "./naming.js";
import { TypeRenderer } from "./type-expressions.js";

export function operationsIn(model: SchemaModel, category: string): OperationModel[] {
  return model.operations.filter((op) => op.category === category);
}

export function childCategories(model: SchemaModel, category: string): string[] {
  return model.categories.filter((c) => parentCategory(c) === category);
}

function operationsUnder(model: SchemaModel, category: string): OperationModel[] {
  return model.operations.filter(
    (op) => op.category === category || op.category.startsWith(`${category}.`),
  );
}

function unionOf(names: Iterable<string>, renderer: TypeRenderer): string {
  const sorted = [...new Set(names)].sort(compareText);
  for (const name of sorted) renderer.used.add(name);
  return sorted.length === 0 ? "never" : sorted.join(" | ");
}

/**
 * `category-errors.ts`: the base error class of every category, in one module so that a
 * category and its sub-categories can share them without importing each other in a cycle.
 */
export function emitCategoryErrors(model: SchemaModel): string {
  const renderer = new TypeRenderer(model);
  let body = "";
  for (const category of model.categories) {
    const base = categoryErrorName(category);
    const parent = parentCategory(category);
    const parentBase = parent ? categoryErrorName(parent) : "RestError";
    const union = unionOf(
      operationsUnder(model, category).flatMap((op) => op.errorTypes),
      renderer,
    );
    body +=
      `\n/** Base of the errors thrown by the ${category} operations. */\n` +
      // The annotation, not type arguments, gives the class its type: JSR (and any tool that
      // reads declarations without inference) sees an explicit type on every export.
      `export const ${base}: CategoryErrorClass<${union}, ${parentBase}> = /*#__PURE__*/ defineCategoryError("${withoutErrorSuffix(base)}", ${parentBase});\n` +
      `export type ${base} = InstanceType<typeof ${base}>;\n`;
  }
  const imports =
    `import { type CategoryErrorClass, defineCategoryError } from "../runtime/error-classes.js";\n` +
    `import { RestError } from "../runtime/rest-error.js";\n` +
    renderer.importLines("", new Set());
  return `${GENERATED_HEADER}${imports}${body}`;
}

/** Error class names all end in `Error`; the runtime adds it back (a few bytes per class). */
function withoutErrorSuffix(className: string): string {
  if (!className.endsWith("Error")) {
    throw new Error(`error class ${className}: its name must end in "Error"`);
  }
  return className.slice(0, -"Error".length);
}

/**
 * `<category>/index.ts`: the category's error classes, its operation table, its client type
 * and factory, and the re-exports that make it a package subpath.
 */
export function emitCategoryModule(
  model: SchemaModel,
  category: string,
  typesHaveValues: boolean,
): string {
  const folder = categoryFolder(category);
  const renderer = new TypeRenderer(model);
  const ops = operationsIn(model, category);
  const children = childCategories(model, category);
  const name = clientName(category);
  const base = categoryErrorName(category);
  const tableName = `${childKey(category)}Operations`;
  const runtime = (file: string) => relativeImport(folder, "../runtime", file);

  const errors = ops
    .map(
      (op) =>
        `${docComment("", [`Thrown by \`${op.id}\`; \`data.type\` tells which failure it was.`])}` +
        `export const ${op.errorClass}: OperationErrorClass<${unionOf(op.errorTypes, renderer)}, ${base}> = /*#__PURE__*/ defineOperationError("${withoutErrorSuffix(op.errorClass)}", ${base});\n` +
        `export type ${op.errorClass} = InstanceType<typeof ${op.errorClass}>;\n`,
    )
    .join("");
  const table = ops.map((op) => `  ${op.id}: ${operationEntry(op)},`).join("\n");
  const members = [
    ...ops.map((op) => clientMember(op, renderer)),
    ...children.map(
      (child) =>
        `${docComment("  ", [`${child} operations`])}  ${childKey(child)}: ${clientName(child)};`,
    ),
  ].join("\n");
  const childFactories = children.map((c) => `${childKey(c)}: ${clientName(c)}`).join(", ");

  let imports = `import { createClient } from "${runtime("client-factory.js")}";\n`;
  if (ops.length > 0) {
    imports += `import { defineOperationError, type OperationErrorClass } from "${runtime("error-classes.js")}";\n`;
  }
  imports += `import type { OperationTable } from "${runtime("operation.js")}";\n`;
  imports += `import type { CallOptions, PortOneClientInit } from "${runtime("options.js")}";\n`;
  imports += `import { ${base} } from "${relativeImport(folder, "", "category-errors.js")}";\n`;
  for (const child of children) {
    imports += `import { ${clientName(child)} } from "${relativeImport(folder, categoryFolder(child), "index.js")}";\n`;
  }
  imports += renderer.importLines(folder, new Set());

  let exports = `export { ${base} };\n`;
  // Types without runtime values (no union guards) are re-exported as types only, so that
  // loading the category does not load an empty module.
  exports += typesHaveValues
    ? `export * from "./types.js";\n`
    : `export type * from "./types.js";\n`;
  for (const child of children) {
    exports += `export * as ${namespaceName(child)} from "./${childKey(child)}/index.js";\n`;
  }

  return (
    `${GENERATED_HEADER}${imports}\n${exports}\n${errors}${errors ? "\n" : ""}` +
    `/** Where each parameter of the ${category} operations goes on the wire. */\n` +
    `export const ${tableName}: OperationTable = {\n${table}${table ? "\n" : ""}};\n\n` +
    `export type ${name} = {\n${members}\n};\n\n` +
    `/** Creates a client for the ${category} operations. */\n` +
    `export const ${name} = (init: PortOneClientInit): ${name} =>\n` +
    `  createClient(init, ${tableName}, {${childFactories ? ` ${childFactories} ` : ""}}) as ${name};\n`
  );
}

/**
 * `["POST /payments/{paymentId}/cancel", CancelPaymentError, 3]`, plus a comment naming the
 * flags: the compact row the runtime's `Operation` type describes (runtime/operation.ts).
 */
function operationEntry(op: OperationModel): string {
  if (op.path.includes("?") || op.queryNames.some((name) => /[?&=]/.test(name))) {
    throw new Error(`${op.id}: "?", "&" or "=" in its path or query names cannot be tabled`);
  }
  const query = op.queryNames.length > 0 ? `?${op.queryNames.join("&")}` : "";
  const route = JSON.stringify(`${op.method} ${op.path}${query}`);
  let flags = 0;
  const names: string[] = [];
  if (op.bodyFields) {
    flags |= HAS_BODY;
    names.push("body");
    if (op.bodyFields.some((f) => f.name === "storeId")) {
      flags |= DEFAULT_STORE_ID;
      names.push("default storeId");
    }
  }
  if (op.response.kind === "text") {
    flags |= TEXT_RESPONSE;
    names.push("text response");
  } else if (op.response.kind === "none") {
    flags |= NO_RESPONSE;
    names.push("no response body");
  }
  const flagsPart = flags === 0 ? "" : `, ${flags} /* ${names.join(", ")} */`;
  return `[${route}, ${op.errorClass}${flagsPart}]`;
}

function clientMember(op: OperationModel, renderer: TypeRenderer): string {
  const fields = new Map<string, OperationField>();
  for (const field of [...op.pathParams, ...op.queryParams, ...(op.bodyFields ?? [])]) {
    const seen = fields.get(field.name);
    if (!seen || (field.required && !seen.required)) fields.set(field.name, field);
  }
  const inner = "    ";
  const lines = [...fields.values()].map((field) => {
    const label = docLabel(field.title);
    const type = renderer.expression(field.schema, inner);
    return `${docComment(inner, [label])}${inner}${propertyKey(field.name)}${field.required ? "" : "?"}: ${type};`;
  });
  const allOptional = [...fields.values()].every((f) => !f.required);
  const optionsType = lines.length > 0 ? `{\n${lines.join("\n")}\n  }` : "Record<string, never>";
  const result =
    op.response.kind === "json"
      ? renderer.expression(op.response.schema, "  ")
      : op.response.kind === "text"
        ? "string"
        : "void";
  const doc = docComment("  ", [
    docLabel(op.title),
    `@throws {@link ${op.errorClass}}`,
    op.unstable ? "@unstable carries no compatibility promise from PortOne" : undefined,
  ]);
  return `${doc}  ${op.id}: (options${allOptional ? "?" : ""}: ${optionsType}, callOptions?: CallOptions) => Promise<${result}>;`;
}
