/** The slice of OpenAPI 3 that PortOne's schema uses, as read by the generator. */

export interface SchemaObject {
  $ref?: string;
  type?: string;
  format?: string;
  title?: string;
  enum?: string[];
  properties?: Record<string, SchemaObject>;
  required?: string[];
  items?: SchemaObject;
  additionalProperties?: SchemaObject | boolean;
  oneOf?: SchemaObject[];
  discriminator?: { propertyName: string; mapping: Record<string, string> };
  "x-portone-title"?: string;
  "x-portone-enum"?: Record<string, { title?: string }>;
  "x-portone-discriminator"?: Record<string, { title?: string }>;
}

export interface ParameterObject {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: SchemaObject;
  content?: Record<string, { schema: SchemaObject }>;
  "x-portone-title"?: string;
}

export interface ResponseObject {
  content?: Record<string, { schema: SchemaObject }>;
}

export interface OperationObject {
  operationId: string;
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content: Record<string, { schema: SchemaObject }> };
  responses: Record<string, ResponseObject>;
  "x-portone-category"?: string;
  "x-portone-title"?: string;
  "x-portone-unstable"?: boolean;
  "x-portone-error"?: SchemaObject;
}

export interface OpenApiDocument {
  info: { version: string };
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, SchemaObject> };
}

export function refName(ref: string): string {
  const name = ref.split("/").pop();
  if (!name) throw new Error(`malformed $ref "${ref}"`);
  return name;
}
