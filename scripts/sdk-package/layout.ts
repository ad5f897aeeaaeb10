/**
 * The standalone SDK package's shape, derived from the root package.json so that one list of
 * subpaths (the root's `./sdk*` exports) decides what both packages export.
 */

export const SDK_PACKAGE_NAME = "@portone-bff/sdk";
/** The official package this one is call-compatible with (README, package.json `portone`). */
export const SERVER_SDK_COMPATIBILITY = "0.19";
export const LICENSE = "Apache-2.0 OR MIT";

interface RootExport {
  types: string;
  default: string;
}

export interface Subpath {
  /** subpath in the SDK package: ".", "./payment", "./webhook", ... */
  name: string;
  /** module path under src/sdk without extension: "index", "generated/payment/index", ... */
  module: string;
}

/** Every `./sdk` and `./sdk/*` export of the root package, renamed for the SDK package. */
export function sdkSubpaths(rootExports: Record<string, unknown>): Subpath[] {
  const subpaths: Subpath[] = [];
  for (const [key, value] of Object.entries(rootExports)) {
    if (key !== "./sdk" && !key.startsWith("./sdk/")) continue;
    const target = (value as RootExport).default;
    const match = /^\.\/dist\/sdk\/(.+)\.js$/.exec(target);
    if (!match?.[1]) throw new Error(`root export ${key} points outside dist/sdk: ${target}`);
    subpaths.push({
      name: key === "./sdk" ? "." : `.${key.slice("./sdk".length)}`,
      module: match[1],
    });
  }
  return subpaths;
}

/** npm exports: ESM and CommonJS each with its own declarations (what attw checks for). */
export function npmExports(subpaths: Subpath[]): Record<string, unknown> {
  const exports: Record<string, unknown> = {};
  for (const { name, module } of subpaths) {
    exports[name] = {
      import: { types: `./dist/esm/${module}.d.ts`, default: `./dist/esm/${module}.js` },
      require: { types: `./dist/cjs/${module}.d.ts`, default: `./dist/cjs/${module}.js` },
    };
  }
  exports["./package.json"] = "./package.json";
  return exports;
}

/** JSR publishes the TypeScript sources themselves. */
export function jsrExports(subpaths: Subpath[]): Record<string, string> {
  return Object.fromEntries(subpaths.map(({ name, module }) => [name, `./src/${module}.ts`]));
}

export interface PackageFacts {
  version: string;
  /** `info.version` of the OpenAPI schema src/sdk/generated was generated from */
  schemaVersion: string;
  subpaths: Subpath[];
}

export function packageJson({ version, schemaVersion, subpaths }: PackageFacts) {
  return {
    name: SDK_PACKAGE_NAME,
    version,
    description: `PortOne V2 server SDK with no dependencies, call-compatible with @portone/server-sdk ${SERVER_SDK_COMPATIBILITY}; runs on Node, Deno, Bun and Cloudflare Workers`,
    keywords: ["portone", "payments", "sdk", "korea", "iamport"],
    license: LICENSE,
    type: "module",
    sideEffects: false,
    engines: { node: ">=20" },
    main: "./dist/cjs/index.js",
    module: "./dist/esm/index.js",
    types: "./dist/cjs/index.d.ts",
    exports: npmExports(subpaths),
    files: ["dist", "README.md", "CHANGELOG.md", "LICENSE-APACHE", "LICENSE-MIT"],
    portone: {
      serverSdkCompatibility: SERVER_SDK_COMPATIBILITY,
      openapiVersion: schemaVersion,
    },
  };
}

export function jsrJson({ version, subpaths }: PackageFacts) {
  return {
    $schema: "https://jsr.io/schema/config-file.v1.json",
    name: SDK_PACKAGE_NAME,
    version,
    license: LICENSE,
    exports: jsrExports(subpaths),
    publish: {
      include: ["src/**/*.ts", "README.md", "CHANGELOG.md", "LICENSE-APACHE", "LICENSE-MIT"],
    },
  };
}
