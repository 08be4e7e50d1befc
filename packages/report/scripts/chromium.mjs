// Headless Chromium for the report's scripts (benchmark, screenshot), as the browser tests start it.
/* global requestAnimationFrame -- used inside page.evaluate, which runs in the page */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import puppeteer from 'puppeteer-core';

/** Debian's `chromium` package, or HPTUNE_CHROMIUM. */
export const CHROMIUM_PATH = process.env.HPTUNE_CHROMIUM ?? '/usr/bin/chromium';

/** Starts headless Chromium, or exits with how to install it. */
export async function launchChromium() {
  if (!existsSync(CHROMIUM_PATH)) {
    console.error(`no Chromium at ${CHROMIUM_PATH}: install it with \`sudo apt-get install -y chromium\` (or set HPTUNE_CHROMIUM)`);
    process.exit(2);
  }
  return puppeteer.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/**
 * Opens a report file and waits until every view is drawn and painted; returns milliseconds from
 * navigation start to the page's `hptune-rendered` mark and to the next painted frame after it.
 */
export async function openReport(browser, url, viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const errors = [];
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url, { timeout: 0 });
  await page.waitForSelector('body[data-rendered="true"]');
  const timing = await page.evaluate(
    () =>
      new Promise((resolve) =>
        requestAnimationFrame(() =>
          requestAnimationFrame(() => resolve({ rendered: performance.getEntriesByName('hptune-rendered')[0]?.startTime, painted: performance.now() })),
        ),
      ),
  );
  if (errors.length > 0) throw new Error(`the report logged errors: ${errors.join('; ')}`);
  return { page, ...timing };
}

/**
 * CPU seconds (user + system) used so far by a browser's processes (Linux /proc): unlike wall
 * time, it barely changes when other work shares the machine.
 */
export function browserCpuSeconds(browser) {
  const root = browser.process()?.pid;
  if (root === undefined || !existsSync('/proc/self/stat')) return undefined;
  const stats = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name (which may hold spaces): state ppid ... utime(14) stime(15).
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
      stats.set(Number(entry), { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended while we looked.
    }
  }
  const inTree = (pid) => {
    for (let current = pid; current > 1; current = stats.get(current)?.parent ?? 0) if (current === root) return true;
    return false;
  };
  let ticks = 0;
  for (const [pid, stat] of stats) if (inTree(pid)) ticks += stat.ticks;
  return ticks / 100;
}
