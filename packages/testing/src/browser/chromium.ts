import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export type { Browser, Page };

/** Where Debian's `chromium` package puts the browser; `HPTUNE_CHROMIUM` names another. */
export const CHROMIUM_PATH = process.env.HPTUNE_CHROMIUM ?? '/usr/bin/chromium';

/** How to get the browser the browser tests drive, for the line a skipped test prints. */
export const CHROMIUM_INSTALL_HINT = `browser tests skipped: no Chromium at ${CHROMIUM_PATH}; install it with \`sudo apt-get install -y chromium\` (or set HPTUNE_CHROMIUM to a Chromium binary)`;

/**
 * Whether the browser tests can run. Outside CI a missing Chromium skips them, printing
 * {@link CHROMIUM_INSTALL_HINT}; in CI (`CI` set) it is an error, so they cannot silently vanish.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI) throw new Error(`CI must run the browser tests, but ${CHROMIUM_INSTALL_HINT}`);
  console.warn(CHROMIUM_INSTALL_HINT);
  return false;
}

/** Starts headless Chromium (no sandbox: tests may run as root; no GPU). */
export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check'],
  });
}

/** A page with what it did recorded: console errors, uncaught exceptions, dialogs and every request. */
export interface RecordedPage {
  readonly page: Page;
  /** Console messages of type error, and uncaught exceptions. */
  readonly errors: string[];
  /** Every request the page made, by URL (the page's own navigation included). */
  readonly requests: string[];
  /** Messages of every `alert`, `confirm` or `prompt` the page opened (each is dismissed). */
  readonly dialogs: string[];
}

/** Opens a new tab that records errors, requests and dialogs, sized like a laptop screen. */
export async function recordedPage(browser: Browser): Promise<RecordedPage> {
  const page = await browser.newPage();
  // Generous: a loaded 2-core machine takes seconds to parse a report's 0.6 MB script.
  page.setDefaultTimeout(60_000);
  await page.setViewport({ width: 1280, height: 900 });
  const recorded: RecordedPage = { page, errors: [], requests: [], dialogs: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') recorded.errors.push(message.text());
  });
  page.on('pageerror', (error) => recorded.errors.push(error instanceof Error ? error.message : String(error)));
  page.on('request', (request) => recorded.requests.push(request.url()));
  page.on('dialog', (dialog) => {
    recorded.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return recorded;
}
