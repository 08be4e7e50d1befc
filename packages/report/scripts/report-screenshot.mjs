#!/usr/bin/env node
// The README's screenshot of a real report: runs the seed study with the quick preset into a
// temporary study directory (or reads the seed study of --study-dir DIR), writes its report with
// `hptune study report`, and screenshots the top of it in headless Chromium to docs/report-seed.png.
// Run: pnpm report:screenshot   (builds everything first; the quick seed study takes a minute or more)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium, openReport } from './chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const hptune = (...args) => execFileSync(process.execPath, [join(root, 'packages/cli/dist/bin.js'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const given = process.argv.indexOf('--study-dir');
const scratch = mkdtempSync(join(tmpdir(), 'hptune-report-screenshot-'));
const studyDir = given >= 0 ? process.argv[given + 1] : join(scratch, 'studies');
const out = join(root, 'docs', 'report-seed.png');
try {
  if (given < 0) {
    console.log(`running the quick seed study in ${studyDir} ...`);
    hptune('study', 'run', '--name', 'seed', '--quick', '--study-dir', studyDir, '--max-parallel-trial-count', '2');
  }
  const report = hptune('study', 'report', 'seed', '--study-dir', studyDir, '--out', join(scratch, 'report.html')).trim();
  const browser = await launchChromium();
  try {
    const { page } = await openReport(browser, pathToFileURL(report).href, { width: 1280, height: 900 });
    await page.screenshot({ path: out, clip: { x: 0, y: 0, width: 1280, height: 2000 }, captureBeyondViewport: true });
  } finally {
    await browser.close();
  }
  console.log(`wrote ${out}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
