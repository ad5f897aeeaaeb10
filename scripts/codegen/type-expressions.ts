/** Renders schema fragments as TypeScript type expressions, recording the names they use. */
import type { SchemaModel } from "./model.js";
import { categoryFolder, docComment, docLabel, propertyKey, relativeImport } from "./naming.js";
import { refName, type SchemaObject } from "./openapi.js";

export class TypeRenderer {
  /** Named schema types referenced so far (to import them). */
  readonly used = new Set<string>();

  constructor(private readonly model: SchemaModel) {}

  expression(schema: SchemaObject, indent: string): string {
    if (schema.$ref) {
      const name = refName(schema.$ref);
      this.used.add(name);
      return name;
    }
    if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
    switch (schema.type) {
      case "string":
        return "string";
      case "integer":
      case "number":
        return "number";
      case "boolean":
        return "boolean";
      case "array": {
        const item = this.expression(schema.items ?? {}, indent);
        return /[|&]/.test(item) && !item.startsWith("{") ? `(${item})[]` : `${item}[]`;
      }
      case "object":
        return this.objectExpression(schema, indent, new Map());
      default:
        return "unknown";
    }
  }

  objectExpression(
    schema: SchemaObject,
    indent: string,
    literals: ReadonlyMap<string, string>,
  ): string {
    const required = new Set(schema.required ?? []);
    const inner = `${indent}  `;
    const lines: string[] = [];
    const properties = { ...schema.properties };
    for (const name of literals.keys()) {
      if (!(name in properties)) properties[name] = { type: "string" };
    }
    for (const [name, prop] of Object.entries(properties)) {
      const literal = literals.get(name);
      const type = literal !== undefined ? JSON.stringify(literal) : this.expression(prop, inner);
      const optional = literal === undefined && !required.has(name) ? "?" : "";
      const label = docLabel(prop["x-portone-title"] ?? prop.title);
      lines.push(`${docComment(inner, [label])}${inner}${propertyKey(name)}${optional}: ${type};`);
    }
    const extra =
      typeof schema.additionalProperties === "object"
        ? `Record<string, ${this.expression(schema.additionalProperties, indent)}>`
        : undefined;
    if (lines.length === 0) return extra ?? "{}";
    const body = `{\n${lines.join("\n")}\n${indent}}`;
    return extra ? `${body} & ${extra}` : body;
  }

  /** `import type` lines for the used names that live outside `folder`'s own types file. */
  importLines(folder: string, ownNames: ReadonlySet<string>): string {
    const byFolder = new Map<string, string[]>();
    for (const name of [...this.used].sort()) {
      if (ownNames.has(name)) continue;
      const category = this.model.typeCategory.get(name);
      if (category === undefined) throw new Error(`type ${name} has no category`);
      const target = categoryFolder(category);
      const list = byFolder.get(target) ?? [];
      list.push(name);
      byFolder.set(target, list);
    }
    return [...byFolder.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(
        ([target, names]) =>
          `import type { ${names.join(", ")} } from "${relativeImport(folder, target, "types.js")}";\n`,
      )
      .join("");
  }
}
