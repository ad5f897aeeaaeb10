import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { isEntryPoint } from "../../src/is-entry-point.js";
import { SHOP_PUBLIC_DIR } from "../../src/shop/paths.js";

/** The browser sources: the page and the entry point esbuild bundles. */
const SHOP_CLIENT_DIR = fileURLToPath(new URL("../../src/shop/client/", import.meta.url));

/**
 * Bundles the demo shop (src/shop/client) for the browser: shop.js with @trpc/client and
 * @portone/browser-sdk inside, shop.css, their source maps, and the page. Each file is written
 * to a temporary name and renamed, so a server reading the folder never sees half a file.
 */
export async function buildShop(outDir: string = SHOP_PUBLIC_DIR): Promise<string[]> {
  const result = await build({
    entryPoints: [join(SHOP_CLIENT_DIR, "shop.ts"), join(SHOP_CLIENT_DIR, "shop.css")],
    outdir: outDir,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["es2020", "chrome100", "firefox100", "safari15"],
    minify: true,
    sourcemap: "linked",
    legalComments: "none",
    logLevel: "warning",
    write: false,
  });
  mkdirSync(outDir, { recursive: true });
  const files = [
    ...result.outputFiles.map((file) => ({ path: file.path, contents: file.contents })),
    {
      path: join(outDir, "index.html"),
      contents: readFileSync(join(SHOP_CLIENT_DIR, "index.html")),
    },
  ];
  for (const file of files) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  return files.map((file) => basename(file.path)).sort();
}

if (isEntryPoint(import.meta.url)) {
  const written = await buildShop();
  process.stdout.write(`demo shop: ${written.join(", ")} -> ${SHOP_PUBLIC_DIR}\n`);
}
