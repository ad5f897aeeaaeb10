import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const openApiPath =
  process.env.PORTONE_OPENAPI_PATH ?? resolve(repoRoot, "../shared/portone/openapi.json");
export const hasOpenApi = existsSync(openApiPath);
export const missingOpenApiReason = `PortOne's openapi.json is not at ${openApiPath} (set PORTONE_OPENAPI_PATH): schema checks skipped`;

type Json = Record<string, unknown>;

export interface SchemaOperation {
  operationId: string;
  method: string;
  path: string;
  pattern: RegExp;
  successRef?: string;
  /** The success answer is a CSV file (text/csv), not JSON. */
  successIsCsv: boolean;
  errorRef?: string;
}

export interface OpenApiSchema {
  operations: SchemaOperation[];
  statusOfErrorType(operationId: string, type: string): number | undefined;
  /** Problems with a response body, or [] when it is what the schema says. */
  check(operationId: string, status: number, body: unknown): string[];
  match(method: string, path: string): SchemaOperation | undefined;
}

/**
 * ajv does not read OpenAPI's `discriminator.mapping`; without it a `oneOf` of objects that all
 * allow `type: string` matches several branches. Rewrite each into if/then on the discriminator.
 */
function rewriteDiscriminators(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteDiscriminators);
  if (!node || typeof node !== "object") return node;
  const object = node as Json;
  const result: Json = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === "oneOf" || key === "discriminator") continue;
    result[key] = rewriteDiscriminators(value);
  }
  const discriminator = object.discriminator as
    | { propertyName: string; mapping?: Record<string, string> }
    | undefined;
  if (object.oneOf && discriminator?.mapping) {
    const property = discriminator.propertyName;
    const mapping = discriminator.mapping;
    result.type = "object";
    result.required = [property];
    result.properties = { [property]: { enum: Object.keys(mapping) } };
    result.allOf = Object.entries(mapping).map(([value, ref]) => ({
      if: { properties: { [property]: { const: value } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword
      then: { $ref: ref },
    }));
  } else if (object.oneOf) {
    result.oneOf = rewriteDiscriminators(object.oneOf);
  }
  return result;
}

let cached: OpenApiSchema | undefined;

export function loadOpenApi(): OpenApiSchema {
  if (cached) return cached;
  const api = JSON.parse(readFileSync(openApiPath, "utf8")) as {
    paths: Record<string, Record<string, Json>>;
    components: { schemas: Record<string, Json> };
  };
  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void;
  addFormats(ajv);
  ajv.addFormat("int32", {
    type: "number",
    validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
  });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addSchema({
    $id: "portone",
    components: { schemas: rewriteDiscriminators(api.components.schemas) },
  });

  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (ref: string) => {
    let validate = validators.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: `portone${ref}` });
      validators.set(ref, validate);
    }
    return validate;
  };
  const schemas = api.components.schemas;
  const refName = (ref: string) => ref.slice(ref.lastIndexOf("/") + 1);

  const operations: SchemaOperation[] = [];
  for (const [path, item] of Object.entries(api.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (typeof operation.operationId !== "string") continue;
      const responses = operation.responses as Record<
        string,
        { content?: Record<string, { schema?: { $ref?: string } }> }
      >;
      const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}$`);
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path,
        pattern,
        successRef: responses["200"]?.content?.["application/json"]?.schema?.$ref,
        successIsCsv: responses["200"]?.content?.["text/csv"] !== undefined,
        errorRef: (operation["x-portone-error"] as { $ref?: string } | undefined)?.$ref,
      });
    }
  }
  // Literal segments win over parameters, as in the router.
  const byLiterals = [...operations].sort(
    (a, b) => b.path.replace(/\{[^}]+\}/g, "").length - a.path.replace(/\{[^}]+\}/g, "").length,
  );

  const statusOfErrorType = (operationId: string, type: string) => {
    const operation = operations.find((o) => o.operationId === operationId);
    if (!operation?.errorRef) return undefined;
    const union = schemas[refName(operation.errorRef)] as {
      discriminator?: { mapping?: Record<string, string> };
    };
    const ref = union.discriminator?.mapping?.[type];
    return ref ? (schemas[refName(ref)]?.["x-portone-status-code"] as number) : undefined;
  };

  cached = {
    operations,
    statusOfErrorType,
    match: (method, path) => byLiterals.find((o) => o.method === method && o.pattern.test(path)),
    check(operationId, status, body) {
      const operation = operations.find((o) => o.operationId === operationId);
      if (!operation) return [`unknown operation ${operationId}`];
      if (status >= 200 && status < 300) {
        if (!operation.successRef) return [];
        const validate = validatorFor(operation.successRef);
        return validate(body)
          ? []
          : (validate.errors ?? []).map(
              (e) =>
                `${operationId} 200 ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
            );
      }
      if (!operation.errorRef) return [`${operationId} has no error schema but answered ${status}`];
      const validate = validatorFor(operation.errorRef);
      if (!validate(body)) {
        return (validate.errors ?? []).map(
          (e) =>
            `${operationId} ${status} ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
        );
      }
      const type = (body as { type: string }).type;
      const expected = statusOfErrorType(operationId, type);
      return expected === status
        ? []
        : [`${operationId}: ${type} came with ${status}, the schema says ${expected}`];
    },
  };
  return cached;
}
