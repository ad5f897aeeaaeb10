/** src/sdk runs on any runtime with Fetch and Web Crypto: it imports no `node:` module and no package. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const sdkRoot = new URL("../../src/sdk/", import.meta.url).pathname;

function sourceFiles(dir: string, into: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) sourceFiles(full, into);
    else if (full.endsWith(".ts")) into.push(full);
  }
  return into;
}

/** Every module specifier in import/export-from statements, dynamic imports and require calls. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) found.push(match[1] as string);
  }
  return found;
}

describe("src/sdk dependencies", () => {
  it("recognises the import forms it polices", () => {
    expect(
      specifiers(
        'import a from "node:fs";\nexport { b } from "pkg";\nimport type { C } from "./c.js";\n' +
          'import "side";\nconst d = await import("dyn");\nrequire("req");',
      ).sort(),
    ).toEqual(["./c.js", "dyn", "node:fs", "pkg", "req", "side"]);
  });

  it("imports only relative modules", () => {
    const files = sourceFiles(sdkRoot);
    expect(files.length).toBeGreaterThan(50);
    const offenders: string[] = [];
    for (const file of files) {
      for (const specifier of specifiers(readFileSync(file, "utf8"))) {
        if (!specifier.startsWith("./") && !specifier.startsWith("../")) {
          offenders.push(`${relative(sdkRoot, file)}: ${specifier}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
