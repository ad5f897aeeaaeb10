import { fileURLToPath } from "node:url";

/**
 * Where `npm run build` writes the shop's browser bundle, and where the shop plugin reads it.
 * The same relative path works from src/shop (tsx, tests) and from dist/shop (compiled).
 */
export const SHOP_PUBLIC_DIR = fileURLToPath(new URL("../../dist/shop/public/", import.meta.url));
