/**
 * Every value @portone/server-sdk 0.19 exports (root, namespaces, category subpaths) exists in
 * portone-bff/sdk under the same name and of the same kind, so that only import paths change.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** Exports tied to the four partner operations PortOne's current schema no longer has. */
const REMOVED_FROM_SCHEMA = new Set([
  "ConnectBulkPartnerMemberCompanyError",
  "ConnectPartnerMemberCompanyError",
  "DisconnectBulkPartnerMemberCompanyError",
  "DisconnectPartnerMemberCompanyError",
]);

function isNamespace(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === "Module"
  );
}

/** `path -> typeof` for every export, descending into namespace re-exports. */
function surface(module: Record<string, unknown>, prefix = "", into = new Map<string, string>()) {
  for (const [name, value] of Object.entries(module)) {
    if (REMOVED_FROM_SCHEMA.has(name)) continue;
    if (isNamespace(value)) surface(value, `${prefix}${name}.`, into);
    else into.set(`${prefix}${name}`, typeof value);
  }
  return into;
}

const officialPackage = JSON.parse(
  readFileSync(
    new URL("../../node_modules/@portone/server-sdk/package.json", import.meta.url),
    "utf8",
  ),
) as { exports: Record<string, unknown> };

const ourEntry = (subpath: string) =>
  subpath === "."
    ? "../../src/sdk/index.js"
    : subpath === "./webhook"
      ? "../../src/sdk/webhook/index.js"
      : `../../src/sdk/generated/${subpath.slice(2)}/index.js`;

describe("export surface compared with @portone/server-sdk 0.19", () => {
  for (const subpath of Object.keys(officialPackage.exports)) {
    it(`has every export of ${subpath === "." ? "the package root" : subpath}`, async () => {
      const officialSpecifier =
        subpath === "." ? "@portone/server-sdk" : `@portone/server-sdk/${subpath.slice(2)}`;
      const official = surface(await import(officialSpecifier));
      const ours = surface(await import(ourEntry(subpath)));
      const differences = [...official]
        .filter(([name, kind]) => ours.get(name) !== kind)
        .map(([name, kind]) => `${name}: official ${kind}, ours ${ours.get(name) ?? "missing"}`);
      expect(differences).toEqual([]);
      expect(official.size).toBeGreaterThan(0);
    });
  }
});
