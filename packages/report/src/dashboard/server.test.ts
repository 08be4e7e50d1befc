import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discrete, launchStudy, local, searchSpace, type StudyHandle } from '@hptune/core';
import { chromiumAvailable, launchChromium, recordedPage } from '@hptune/testing/browser';
import { paintedPixels, tableRows } from '../../test/browser.js';
import type { ReportData, StudyListEntry } from '../data/types.js';
import { startDashboard, type Dashboard } from './server.js';

const GATED_TRAINER = fileURLToPath(new URL('../../test/fixtures/gated-trainer.mjs', import.meta.url));
const available = chromiumAvailable();

let scratch: string;
let studyDir: string;
let gateDir: string;
let study: StudyHandle;
let dashboard: Dashboard;

/** Lets trial `id` of the running study report its last step and finish. */
const release = (id: string) => writeFileSync(join(gateDir, id), '');

/** A GET with a chosen Host header (fetch will not send one); resolves with status, headers and body. */
function get(path: string, host?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const sent = request(new URL(path, dashboard.url), { headers: host ? { host } : {} }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

/** Reads the event stream at `path` until `count` events arrived; returns them by name. */
async function events(path: string, count: number): Promise<{ event: string; data: unknown }[]> {
  const response = await fetch(new URL(path, dashboard.url));
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const parsed: { event: string; data: unknown }[] = [];
  while (parsed.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      parsed.push({ event, data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') });
    }
  }
  await reader.cancel();
  return parsed;
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'hptune-dashboard-'));
  studyDir = join(scratch, 'studies');
  gateDir = join(scratch, 'gates');
  mkdirSync(gateDir);
  release('1');
  study = await launchStudy({
    name: 'live',
    space: searchSpace({ x: discrete([1, 2]) }),
    metric: { id: 'accuracy', goal: 'maximize' },
    algorithm: 'grid',
    parallelTrials: 2,
    trainer: { command: process.execPath, args: [GATED_TRAINER, `--gate-dir=${gateDir}`] },
    studyDir,
    backend: local({ pollIntervalMs: 20 }),
  });
  // Trial 1 finishes at once; trial 2 waits at its first step until the test releases it.
  await new Promise<void>((resolve) => {
    const check = () => study.trials().some((trial) => trial.id === '1' && trial.state === 'SUCCEEDED') && study.trials().some((trial) => trial.id === '2' && trial.measurements.length > 0);
    const off = study.on('measurement', () => check() && (off(), resolve()));
    const offCompleted = study.on('trialCompleted', () => check() && (offCompleted(), resolve()));
  });
  dashboard = await startDashboard({ studyDir, port: 0, pollIntervalMs: 100 });
});

afterAll(async () => {
  release('2');
  await study?.wait().catch(() => undefined);
  await dashboard?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the dashboard server', () => {
  it('listens on 127.0.0.1 and serves the page under a script-hash Content-Security-Policy', async () => {
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'sha256-[^']+'; .*connect-src 'self'/);
    expect(page.body).toContain('data-hptune-mode="dashboard"');
  });

  it('is read-only and answers only to this machine\'s names', async () => {
    const post = await new Promise<number>((resolve) => {
      const sent = request(new URL('/api/events', dashboard.url), { method: 'POST' }, (response) => resolve(response.statusCode ?? 0));
      sent.end();
    });
    expect(post).toBe(405);
    const refused = await get('/', 'evil.example:80');
    expect(refused.status).toBe(403);
    // The refusal says why and where to go instead.
    expect(refused.body).toBe(
      `hptune dashboard: refused the host name "evil.example:80": this dashboard answers only to this machine's own names, so that a page on another site cannot read your studies through a name that points here; open http://127.0.0.1:${dashboard.port}/\n`,
    );
    expect((await get('/', `localhost:${dashboard.port}`)).status).toBe(200);
    expect((await get('/nothing-here')).status).toBe(404);
  });

  it('streams the study list and the chosen study, and says when a study does not exist', async () => {
    const [list, report] = await events('/api/events?study=live', 2);
    expect(list?.event).toBe('studies');
    expect((list?.data as StudyListEntry[]).map((entry) => [entry.name, entry.state, entry.running, entry.maxTrials])).toEqual([['live', 'ACTIVE', true, 2]]);
    expect(report?.event).toBe('report');
    expect((report?.data as ReportData).trials.map((trial) => [trial.id, trial.state])).toEqual([
      ['1', 'SUCCEEDED'],
      ['2', 'ACTIVE'],
    ]);
    const [, missing] = await events('/api/events?study=nope', 2);
    expect(missing).toEqual({ event: 'missing', data: 'nope' });
  });

  it('gives a page that opens while another shows the same study the list and the study at once', async () => {
    const open = await fetch(new URL('/api/events?study=live', dashboard.url));
    const reader = (open.body as ReadableStream<Uint8Array>).getReader();
    let firstText = '';
    while ((firstText.match(/\n\n/g) ?? []).length < 2) firstText += new TextDecoder().decode((await reader.read()).value);
    try {
      // The first page is still open: the second joins its watcher and must still get both events.
      const second = await events('/api/events?study=live', 2);
      expect(second.map(({ event }) => event)).toEqual(['studies', 'report']);
      expect(JSON.stringify(second.map(({ data }) => data))).toBe(`[${[...firstText.matchAll(/^data: (.*)$/gm)].map((match) => match[1]).join(',')}]`);
    } finally {
      await reader.cancel();
    }
    const [, missing] = await events('/api/events?study=nope', 2);
    expect(missing).toEqual({ event: 'missing', data: 'nope' });
  });

  it('says which port is taken', async () => {
    await expect(startDashboard({ studyDir, port: dashboard.port })).rejects.toMatchObject({
      code: 'DASHBOARD_LISTEN_FAILED',
      message: expect.stringContaining(`port ${dashboard.port} on 127.0.0.1 is in use`),
    });
  });
});

describe.runIf(available)('the dashboard in headless Chromium', () => {
  it('shows a trial that finishes after the page loaded, without a reload', async () => {
    const browser = await launchChromium();
    try {
      const { page, errors } = await recordedPage(browser);
      await page.goto(`${dashboard.url}#study=live`);
      await page.waitForSelector('table.trials tbody tr[data-trial-id="2"][data-state="ACTIVE"]');
      expect(await page.$eval('.study-list', (element) => element.textContent)).toContain('live');
      // Anything set now is lost if the page reloads.
      await page.evaluate(() => Object.assign(window, { sameDocument: true }));
      release('2');
      await page.waitForSelector('table.trials tbody tr[data-trial-id="2"][data-state="SUCCEEDED"]', { timeout: 10_000 });
      expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
      expect((await tableRows(page)).map((row) => [row.id, row.state])).toEqual([
        ['1', 'SUCCEEDED'],
        ['2', 'SUCCEEDED'],
      ]);
      const charts = await paintedPixels(page);
      expect(charts.history).toBeGreaterThan(1000);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
