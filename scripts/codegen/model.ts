/**
 * Turns the raw schema into what the emitters need: operations grouped by category, the
 * category each type lives in, and the discriminator literal each union member carries.
 */
import {
  type OpenApiDocument,
  type OperationObject,
  type ParameterObject,
  refName,
  type SchemaObject,
} from "./openapi.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface OperationField {
  name: string;
  required: boolean;
  schema: SchemaObject;
  title: string | undefined;
}

export interface OperationModel {
  id: string;
  category: string;
  method: HttpMethod;
  path: string;
  title: string | undefined;
  unstable: boolean;
  pathParams: OperationField[];
  /** Query parameter names in schema order; `requestBody` marks where the JSON body goes. */
  queryNames: string[];
  queryParams: OperationField[];
  bodyFields: OperationField[] | undefined;
  bodyInQuery: boolean;
  response: { kind: "json"; schema: SchemaObject } | { kind: "text" } | { kind: "none" };
  errorTypes: string[];
  errorClass: string;
}

export interface SchemaModel {
  operations: OperationModel[];
  /** Every category that has operations, plus the ancestors of those, sorted. */
  categories: string[];
  /** type name -> category folder it is emitted in */
  typeCategory: Map<string, string>;
  /** member type name -> discriminator property -> literal */
  discriminatorLiterals: Map<string, Map<string, string>>;
  /** schema names that exist only as an operation's error union (they become error classes) */
  errorUnions: Set<string>;
  schemas: Record<string, SchemaObject>;
}

/** Operations without `x-portone-category` belong here, as in the official SDK. */
const DEFAULT_CATEGORY = "platform";

/**
 * Two types sit where the category rule would not put them; @portone/server-sdk 0.19 places
 * them here, and keeping its placement keeps `@portone/server-sdk/<category>` imports working.
 */
const PLACEMENT_KEPT_FROM_OFFICIAL_SDK: Record<string, string> = {
  BillingKeyPaymentInput: "common",
  PaymentNotFoundError: "payment",
};

const HTTP_METHODS: readonly string[] = ["get", "post", "put", "patch", "delete"];

export function buildModel(doc: OpenApiDocument): SchemaModel {
  const schemas = doc.components.schemas;
  const operations: OperationModel[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!HTTP_METHODS.includes(method)) continue;
      operations.push(buildOperation(path, method.toUpperCase() as HttpMethod, op, schemas));
    }
  }
  operations.sort((a, b) => compareText(a.id, b.id));

  const errorUnions = new Set<string>();
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      const ref = op["x-portone-error"]?.$ref;
      if (ref) errorUnions.add(refName(ref));
    }
  }

  const categories = new Set<string>();
  for (const op of operations) {
    const parts = op.category.split(".");
    for (let i = 1; i <= parts.length; i++) categories.add(parts.slice(0, i).join("."));
  }
  categories.add("common");

  const typeCategory = placeTypes(doc, operations, errorUnions);
  const discriminatorLiterals = collectDiscriminatorLiterals(schemas);
  return {
    operations,
    categories: [...categories].sort(compareText),
    typeCategory,
    discriminatorLiterals,
    errorUnions,
    schemas,
  };
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function buildOperation(
  path: string,
  method: HttpMethod,
  op: OperationObject,
  schemas: Record<string, SchemaObject>,
): OperationModel {
  const params = op.parameters ?? [];
  const field = (p: ParameterObject): OperationField => ({
    name: p.name,
    required: p.required === true,
    schema: p.schema ?? { type: "string" },
    title: p["x-portone-title"],
  });
  const bodyMarker = params.find((p) => p.in === "query" && p.name === "requestBody");
  const bodySchemaRef =
    op.requestBody?.content["application/json"]?.schema ??
    bodyMarker?.content?.["application/json"]?.schema;
  const bodyInQuery = bodySchemaRef !== undefined && (method === "GET" || method === "DELETE");

  const queryNames = params.filter((p) => p.in === "query").map((p) => p.name);
  if (bodyInQuery && !queryNames.includes("requestBody")) queryNames.push("requestBody");
  if (!bodyInQuery && queryNames.includes("requestBody")) {
    throw new Error(`${op.operationId}: a requestBody query parameter on a ${method} operation`);
  }
  for (const p of params) {
    if (p.in === "header" || p.in === "cookie") {
      throw new Error(`${op.operationId}: ${p.in} parameter "${p.name}" is not supported`);
    }
  }

  let bodyFields: OperationField[] | undefined;
  if (bodySchemaRef) {
    const bodySchema = resolve(bodySchemaRef, schemas);
    const required = new Set(bodySchema.required ?? []);
    bodyFields = Object.entries(bodySchema.properties ?? {}).map(([name, schema]) => ({
      name,
      required: required.has(name),
      schema,
      title: schema["x-portone-title"] ?? schema.title,
    }));
  }

  const ok = op.responses["200"] ?? op.responses["201"] ?? op.responses["204"];
  const content = ok?.content ?? {};
  let response: OperationModel["response"];
  if (content["application/json"]) {
    response = { kind: "json", schema: content["application/json"].schema };
  } else if (Object.keys(content).length > 0) {
    response = { kind: "text" };
  } else {
    response = { kind: "none" };
  }

  const errorRef = op["x-portone-error"]?.$ref;
  const errorUnion = errorRef ? schemas[refName(errorRef)] : undefined;
  const errorTypes = (errorUnion?.oneOf ?? []).map((m) => refName(m.$ref ?? ""));
  const paramNames = new Set(params.map((p) => p.name));
  for (const field of bodyFields ?? []) {
    // The runtime sends every option that is not a path or query parameter in the body.
    if (paramNames.has(field.name)) {
      throw new Error(`${op.operationId}: "${field.name}" is both a parameter and a body field`);
    }
  }
  return {
    id: op.operationId,
    category: op["x-portone-category"] ?? DEFAULT_CATEGORY,
    method,
    path,
    title: op["x-portone-title"],
    unstable: op["x-portone-unstable"] === true,
    pathParams: params.filter((p) => p.in === "path").map(field),
    queryNames,
    queryParams: params.filter((p) => p.in === "query" && p.name !== "requestBody").map(field),
    bodyFields,
    bodyInQuery,
    response,
    errorTypes,
    // Named after the error schema, as the official SDK does (so `getAllPaymentsByCursor`
    // throws `GetAllPaymentsError`).
    errorClass: errorRef
      ? refName(errorRef)
      : `${op.operationId[0]?.toUpperCase()}${op.operationId.slice(1)}Error`,
  };
}

function resolve(schema: SchemaObject, schemas: Record<string, SchemaObject>): SchemaObject {
  if (!schema.$ref) return schema;
  const target = schemas[refName(schema.$ref)];
  if (!target) throw new Error(`unknown schema ${schema.$ref}`);
  return target;
}

function collectRefs(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, into);
  } else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") into.add(refName(value));
      else collectRefs(value, into);
    }
  }
}

/**
 * A type used by the operations of one category lives in that category; a type shared by
 * several categories lives in `platform` when they are all platform categories, else in
 * `common`. This reproduces the official SDK's folders for every type it has (see the two
 * kept exceptions above).
 */
function placeTypes(
  doc: OpenApiDocument,
  operations: OperationModel[],
  errorUnions: Set<string>,
): Map<string, string> {
  const schemas = doc.components.schemas;
  const usedBy = new Map<string, Set<string>>();
  const byId = new Map(operations.map((op) => [op.id, op]));
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      const model = byId.get(op.operationId);
      if (!model) continue;
      const reached = new Set<string>();
      const pending = new Set<string>();
      collectRefs([op.parameters, op.requestBody, op.responses, op["x-portone-error"]], pending);
      const stack = [...pending];
      while (stack.length > 0) {
        const name = stack.pop() as string;
        if (reached.has(name)) continue;
        reached.add(name);
        const refs = new Set<string>();
        collectRefs(schemas[name], refs);
        stack.push(...refs);
      }
      for (const name of reached) {
        let set = usedBy.get(name);
        if (!set) {
          set = new Set();
          usedBy.set(name, set);
        }
        set.add(model.category);
      }
    }
  }
  const placement = new Map<string, string>();
  for (const [name, cats] of [...usedBy].sort(([a], [b]) => compareText(a, b))) {
    if (errorUnions.has(name)) continue;
    const kept = PLACEMENT_KEPT_FROM_OFFICIAL_SDK[name];
    if (kept) {
      placement.set(name, kept);
      continue;
    }
    const list = [...cats];
    if (list.length === 1) {
      placement.set(name, list[0] as string);
      continue;
    }
    const roots = new Set(list.map((c) => c.split(".")[0]));
    placement.set(name, roots.size === 1 && roots.has("platform") ? "platform" : "common");
  }
  return placement;
}

function collectDiscriminatorLiterals(
  schemas: Record<string, SchemaObject>,
): Map<string, Map<string, string>> {
  const literals = new Map<string, Map<string, string>>();
  for (const [unionName, schema] of Object.entries(schemas)) {
    const discriminator = schema.discriminator;
    if (!discriminator) continue;
    for (const [literal, ref] of Object.entries(discriminator.mapping)) {
      const member = refName(ref);
      let props = literals.get(member);
      if (!props) {
        props = new Map();
        literals.set(member, props);
      }
      const existing = props.get(discriminator.propertyName);
      if (existing !== undefined && existing !== literal) {
        throw new Error(
          `${member}.${discriminator.propertyName} is "${existing}" in one union and "${literal}" in ${unionName}`,
        );
      }
      props.set(discriminator.propertyName, literal);
    }
  }
  return literals;
}
