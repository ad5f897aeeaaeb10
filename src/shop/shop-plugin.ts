import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance, FastifyReply } from "fastify";
import { DEMO_PRODUCTS } from "../payments/order-sources/demo-catalog.js";
import { SHOP_PUBLIC_DIR } from "./paths.js";

export interface ShopPluginOptions {
  /** The embedded sandbox's base URL: the browser loads PortOne's SDK script and checkout from it. */
  readonly sandboxUrl: string;
  /** The built bundle (default: dist/shop/public, written by `npm run build`). */
  readonly publicDir?: string;
}

/** What the page needs at run time and cannot know at build time. Never any secret. */
export interface ShopConfig {
  readonly sandboxUrl: string;
  /** Shown in the shop; the amount charged is the one `payment.prepare` returns. */
  readonly products: readonly {
    readonly id: string;
    readonly name: string;
    readonly price: number;
    readonly currency: "KRW";
  }[];
}

const ASSETS = [
  { file: "index.html", route: "/", type: "text/html; charset=utf-8" },
  { file: "shop.js", route: "/shop/shop.js", type: "text/javascript; charset=utf-8" },
  { file: "shop.css", route: "/shop/shop.css", type: "text/css; charset=utf-8" },
  { file: "shop.js.map", route: "/shop/shop.js.map", type: "application/json; charset=utf-8" },
  { file: "shop.css.map", route: "/shop/shop.css.map", type: "application/json; charset=utf-8" },
] as const;

/**
 * The demo shop, at `/` in sandbox mode only. The files are read once, at start-up, into
 * memory: the plugin maps a fixed list of routes to a fixed list of files, so no request path
 * ever reaches the file system.
 */
export async function shopPlugin(app: FastifyInstance, options: ShopPluginOptions): Promise<void> {
  const sandboxOrigin = new URL(options.sandboxUrl).origin;
  const policy = contentSecurityPolicy(sandboxOrigin);

  // This plugin is encapsulated: the hook only touches the shop's own responses, replacing the
  // service's JSON-only `default-src 'none'` for them.
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("content-security-policy", policy);
    // PortOne's POPUP window talks back to the page that opened it; helmet's default
    // `same-origin` would cut that link.
    reply.header("cross-origin-opener-policy", "same-origin-allow-popups");
    reply.header("cache-control", "no-cache");
    return payload;
  });

  const config: ShopConfig = {
    sandboxUrl: sandboxOrigin,
    products: Object.entries(DEMO_PRODUCTS).map(([id, product]) => ({
      id,
      name: product.name,
      price: product.price,
      currency: "KRW",
    })),
  };
  app.get("/shop/config.json", async () => config);

  const publicDir = options.publicDir ?? SHOP_PUBLIC_DIR;
  if (!existsSync(join(publicDir, "index.html"))) {
    app.log.warn({ publicDir }, "the demo shop is not built: run `npm run build`");
    for (const asset of ASSETS) app.get(asset.route, async (_request, reply) => notBuilt(reply));
    return;
  }
  for (const asset of ASSETS) {
    const body = readFileSync(join(publicDir, asset.file));
    app.get(asset.route, async (_request, reply) => reply.type(asset.type).send(body));
  }
}

function notBuilt(reply: FastifyReply) {
  return reply
    .code(503)
    .type("text/plain; charset=utf-8")
    .send("The demo shop is not built yet. Run `npm run build`, then restart the service.\n");
}

/**
 * Scripts, styles and API calls from this origin; PortOne's SDK script, its checkout iframe
 * and its API calls from the sandbox's origin (a shop on PortOne itself lists
 * https://cdn.portone.io and PortOne's checkout origins instead). No inline script or style
 * anywhere, so no 'unsafe-inline'.
 */
function contentSecurityPolicy(sandboxOrigin: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' ${sandboxOrigin}`,
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${sandboxOrigin}`,
    `frame-src ${sandboxOrigin}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}
