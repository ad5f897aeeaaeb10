/** The generator's rules, on a small schema written for the purpose. */
import { describe, expect, it } from "vitest";
import { generate } from "../../scripts/codegen/generate.js";
import type { OpenApiDocument } from "../../scripts/codegen/openapi.js";

const LONG_PROSE = "This long explanation must never be copied into generated files.";

function schema(): OpenApiDocument {
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const json = (name: string) => ({ content: { "application/json": { schema: ref(name) } } });
  return {
    info: { version: "1" },
    paths: {
      "/things/{thingId}": {
        get: {
          operationId: "getThing",
          "x-portone-category": "shop",
          "x-portone-title": "Get one thing",
          description: LONG_PROSE,
          parameters: [
            { name: "thingId", in: "path", required: true, schema: { type: "string" } },
            { name: "storeId", in: "query", schema: { type: "string" } },
          ],
          responses: { "200": json("Thing"), "404": json("GetThingError") },
          "x-portone-error": ref("GetThingError"),
        },
      },
      "/things": {
        post: {
          operationId: "createThing",
          "x-portone-category": "shop.stock",
          "x-portone-unstable": true,
          requestBody: { required: true, ...json("CreateThingBody") },
          responses: { "200": json("A") },
          "x-portone-error": ref("CreateThingError"),
        },
      },
      "/list": {
        get: {
          operationId: "listThings",
          parameters: [{ name: "requestBody", in: "query", content: json("ListBody").content }],
          responses: { "200": json("ListResponse") },
          "x-portone-error": ref("ListThingsError"),
        },
      },
    },
    components: {
      schemas: {
        Thing: {
          title: "Thing",
          oneOf: [ref("A"), ref("B")],
          discriminator: {
            propertyName: "kind",
            mapping: { A: "#/components/schemas/A", B: "#/components/schemas/B" },
          },
        },
        A: {
          type: "object",
          required: ["kind", "color"],
          properties: { kind: { type: "string" }, color: ref("Color") },
        },
        B: {
          type: "object",
          required: ["kind"],
          properties: {
            kind: { type: "string" },
            note: { type: "string", description: LONG_PROSE },
          },
        },
        Color: {
          type: "string",
          enum: ["RED", "BLUE"],
          title: "Color",
          "x-portone-enum": { RED: { title: "red" } },
        },
        CreateThingBody: {
          type: "object",
          required: ["name"],
          properties: { storeId: { type: "string" }, name: { type: "string" } },
        },
        ListBody: { type: "object", properties: { page: ref("Page") } },
        Page: { type: "object", properties: { number: { type: "integer" } } },
        ListResponse: { type: "object", properties: { items: { type: "array", items: ref("A") } } },
        ThingNotFoundError: {
          type: "object",
          required: ["type"],
          properties: { type: { type: "string" }, message: { type: "string" } },
          "x-portone-title": "no such thing",
          description: LONG_PROSE,
          "x-portone-description": LONG_PROSE,
        },
        GetThingError: {
          oneOf: [ref("ThingNotFoundError")],
          discriminator: {
            propertyName: "type",
            mapping: { THING_NOT_FOUND: "#/components/schemas/ThingNotFoundError" },
          },
        },
        CreateThingError: {
          oneOf: [ref("ThingNotFoundError")],
          discriminator: {
            propertyName: "type",
            mapping: { THING_NOT_FOUND: "#/components/schemas/ThingNotFoundError" },
          },
        },
        ListThingsError: {
          oneOf: [ref("ThingNotFoundError")],
          discriminator: {
            propertyName: "type",
            mapping: { THING_NOT_FOUND: "#/components/schemas/ThingNotFoundError" },
          },
        },
      },
    },
  } as unknown as OpenApiDocument;
}

describe("generator rules", () => {
  const { files, operationCount } = generate(schema());
  const file = (path: string) => {
    const text = files.get(path);
    if (text === undefined) throw new Error(`${path} was not generated; got ${[...files.keys()]}`);
    return text;
  };

  it("groups operations by category, uncategorised ones under platform", () => {
    expect(operationCount).toBe(3);
    expect([...files.keys()]).toEqual(
      expect.arrayContaining([
        "shop/index.ts",
        "shop/stock/index.ts",
        "platform/index.ts",
        "common/index.ts",
        "category-errors.ts",
        "client.ts",
        "index.ts",
      ]),
    );
    expect(file("shop/index.ts")).toContain("stock: StockClient;");
    expect(file("client.ts")).toContain("platform: PlatformClient(init),");
    expect(file("index.ts")).toContain('export * as Shop from "./shop/index.js";');
  });

  it("adds an Unrecognized member and a guard to discriminated unions", () => {
    const types = file("shop/types.ts");
    expect(types).toContain("| { readonly kind: Unrecognized };");
    expect(types).toContain("export function isUnrecognizedThing(entity: Thing)");
    expect(types).toMatch(/export type B = \{\n {2}kind: "B";/);
  });

  it("leaves enums open to values added later", () => {
    const common = file("common/types.ts") + file("shop/types.ts");
    expect(common).toMatch(
      /export type Color =\n {2}\/\*\* red \*\/\n {2}\| "RED"\n {2}\| "BLUE"\n {2}\| \(string & \{\}\);/,
    );
  });

  it("writes one table row per operation with the placement of its parameters", () => {
    expect(file("shop/index.ts")).toContain(
      'getThing: ["GET /things/{thingId}?storeId", GetThingError],',
    );
    expect(file("shop/stock/index.ts")).toContain(
      'createThing: ["POST /things", CreateThingError, 3 /* body, default storeId */],',
    );
    expect(file("platform/index.ts")).toContain(
      'listThings: ["GET /list?requestBody", ListThingsError, 1 /* body */],',
    );
    expect(file("shop/stock/index.ts")).toContain("@unstable");
  });

  it("makes error classes from names, under their category's base", () => {
    expect(file("category-errors.ts")).toContain(
      'export const StockError: CategoryErrorClass<ThingNotFoundError, ShopError> = /*#__PURE__*/ defineCategoryError("Stock", ShopError);',
    );
    expect(file("shop/index.ts")).toContain(
      'export const GetThingError: OperationErrorClass<ThingNotFoundError, ShopError> = /*#__PURE__*/ defineOperationError("GetThing", ShopError);',
    );
  });

  it("keeps options optional only when every field is", () => {
    expect(file("platform/index.ts")).toContain("listThings: (options?: {");
    expect(file("shop/index.ts")).toContain("getThing: (options: {");
  });

  it("copies short titles, never long prose", () => {
    for (const [path, text] of files) expect(text, path).not.toContain(LONG_PROSE);
    expect(file("common/types.ts")).toContain("/** no such thing */");
    expect(file("shop/index.ts")).toContain("Get one thing");
  });

  it("refuses schema shapes it cannot represent, naming the culprit", () => {
    const withHeader = schema();
    withHeader.paths["/things/{thingId}"]?.get?.parameters?.push({ name: "X-Shop", in: "header" });
    expect(() => generate(withHeader)).toThrow(/getThing: header parameter "X-Shop"/);

    const undiscriminated = schema();
    delete undiscriminated.components.schemas.Thing?.discriminator;
    expect(() => generate(undiscriminated)).toThrow(/Thing: oneOf without a discriminator/);
  });
});
