import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium; playwright's own browser downloads are never used. */
export const CHROMIUM_PATH = "/usr/bin/chromium";
const inCi = process.env.CI === "true";
const hasChromium = existsSync(CHROMIUM_PATH);

/**
 * For `describe.skipIf(skipBrowserTests)`. Outside CI a machine without Chromium skips the
 * browser tests and says so; under CI=true they always run, and fail if Chromium is missing.
 */
export const skipBrowserTests = !hasChromium && !inCi;
if (skipBrowserTests) {
  console.warn(
    `Browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium). Under CI=true they run and fail instead.`,
  );
}

const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Where screenshots of end states go (gitignored). */
export const SCREENSHOT_DIR = join(process.cwd(), "test-results", "browser");

/** A phone, for windowType.mobile and for checking the window fits a small screen. */
export const PHONE = {
  viewport: { width: 390, height: 844 },
  userAgent:
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36",
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};

export interface BrowserSession {
  context: BrowserContext;
  /** Opens a page whose console errors (and those of its frames and popups) are recorded. */
  newPage(): Promise<Page>;
  /** Console errors and uncaught exceptions seen so far, as "url: text"; emptied on read. */
  takeConsoleErrors(): string[];
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh profile in a temp dir. */
export async function launchChromium(options: { phone?: boolean } = {}): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: run apt-get install -y chromium`);
  }
  const userDataDir = await mkdtemp(join(tmpdir(), "portone-bff-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
    timeout: 30_000,
    ...(options.phone ? PHONE : { viewport: { width: 1280, height: 900 } }),
  });
  context.setDefaultTimeout(15_000);
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`${message.location().url}: ${message.text()}`);
    });
    page.on("pageerror", (error) => errors.push(`${page.url()}: uncaught ${error.message}`));
  };
  // Popups opened by the checkout are pages of this context too.
  context.on("page", watch);
  for (const page of context.pages()) watch(page);
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return {
    context,
    newPage: () => context.newPage(),
    takeConsoleErrors: () => errors.splice(0),
    async screenshot(page, name) {
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
