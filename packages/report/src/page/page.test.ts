import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, recordedPage, type Browser, type RecordedPage } from '@hptune/testing/browser';
import { paintedPixels, tableRows } from '../../test/browser.js';
import { HOSTILE, smallStudy } from '../../test/fixtures/trials.js';
import { buildReportData } from '../data/build.js';
import { renderReportHtml } from '../html.js';

const available = chromiumAvailable();

describe.runIf(available)('a report opened from file:// in headless Chromium', () => {
  let scratch: string;
  let browser: Browser;
  let url: string;
  let opened: RecordedPage;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'hptune-report-page-'));
    const file = join(scratch, 'report.html');
    // The study's own name is hostile markup too.
    writeFileSync(file, renderReportHtml(buildReportData({ ...smallStudy(), name: `small</script>${HOSTILE}` })));
    url = pathToFileURL(file).href;
    browser = await launchChromium();
    opened = await recordedPage(browser);
    await opened.page.goto(url);
    await opened.page.waitForSelector('body[data-rendered="true"]');
  });
  afterAll(async () => {
    await browser?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('draws every view with no console error and no request but its own file', async () => {
    const { page, errors, requests } = opened;
    const charts = await paintedPixels(page);
    expect(Object.keys(charts)).toEqual(['history', 'parallel', 'intermediate', 'importance', 'slice-activation', 'slice-lr']);
    for (const [chart, painted] of Object.entries(charts)) expect(painted, `${chart} painted pixels`).toBeGreaterThan(1000);
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    const summary = await page.$eval('#summary', (element) => element.textContent ?? '');
    expect(summary).toContain('maximize accuracy');
    // The CLI's count and words: done of the maximum, then succeeded, failed, ...
    expect(summary).toContain('6/6 done, 2 at a time: 5 succeeded, 1 failed, 6 trials; 1 stopped early');
    expect(await page.$eval('[data-testid="best"]', (element) => element.textContent)).toContain('best: trial 6');
  });

  it('shows one row per trial, with failures and stopped-early marks', async () => {
    const rows = await tableRows(opened.page);
    expect(rows.map((row) => [row.id, row.state])).toEqual([
      ['1', 'SUCCEEDED'],
      ['2', 'SUCCEEDED'],
      ['3', 'INFEASIBLE'],
      ['4', 'SUCCEEDED'],
      ['5', 'SUCCEEDED'],
      ['6', 'SUCCEEDED'],
    ]);
    expect(rows[2]?.cells.at(-1)).toBe('exit-code: exited with code 3');
    expect(rows[3]?.cells[1]).toBe('SUCCEEDEDstopped at step 2');
  });

  it('shows hostile strings as text and runs none of them', async () => {
    const { page, dialogs } = opened;
    expect(await page.$$eval('table.trials tbody tr[data-trial-id="2"] td', (cells) => cells[2]?.textContent)).toBe(HOSTILE);
    expect(await page.$eval('h1', (element) => element.textContent)).toBe(`small</script>${HOSTILE}`);
    expect(await page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('shows a hostile value in a chart tooltip as text', async () => {
    const { page, dialogs } = opened;
    const chart = '[data-chart="slice-activation"] .chart-body';
    await page.$eval(chart, (element) => element.scrollIntoView({ block: 'center' }));
    const box = await page.$eval(chart, (element) => element.getBoundingClientRect().toJSON() as { x: number; y: number; width: number; height: number });
    // The hostile category is the second of two: its points lie on the vertical line at 3/4 of the plot (grid left 64, right 16).
    const x = box.x + 64 + 0.75 * (box.width - 80);
    let tooltip: { text: string; images: number } | undefined;
    for (let y = box.y + 24; y < box.y + box.height - 48 && !tooltip?.text.includes(HOSTILE); y += 2) {
      await page.mouse.move(x, y);
      tooltip = await page.evaluate(() => {
        const element = document.querySelector<HTMLElement>('[data-chart="slice-activation"] .tooltip');
        return element && element.offsetParent !== null ? { text: element.textContent ?? '', images: element.querySelectorAll('img').length } : undefined;
      });
    }
    expect(tooltip?.text).toContain(`activation = ${HOSTILE}`);
    expect(tooltip?.images).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('sorts by a column, both ways, with empty values last', async () => {
    const { page } = opened;
    await page.click('th button[data-sort="value"]');
    expect((await tableRows(page)).map((row) => row.id)).toEqual(['4', '5', '1', '2', '6', '3']);
    expect(await page.$eval('th[aria-sort="ascending"]', (element) => element.textContent)).toBe('accuracy ▲');
    await page.click('th button[data-sort="value"]');
    expect((await tableRows(page)).map((row) => row.id)).toEqual(['6', '2', '1', '5', '4', '3']);
    await page.click('th button[data-sort="parameter:lr"]');
    expect((await tableRows(page)).map((row) => row.id)).toEqual(['4', '5', '1', '2', '6', '3']);
  });

  it('filters by state', async () => {
    const { page } = opened;
    const shownIds = async () => (await tableRows(page)).map((row) => row.id).sort();
    await page.click('input[data-state="SUCCEEDED"]');
    expect(await shownIds()).toEqual(['3']);
    expect(await page.$eval('.shown', (element) => element.textContent)).toBe('1 of 6 trials shown');
    await page.click('input[data-state="INFEASIBLE"]');
    expect(await tableRows(page)).toEqual([]);
    await page.click('input[data-state="SUCCEEDED"]');
    expect(await shownIds()).toEqual(['1', '2', '4', '5', '6']);
  });
});
