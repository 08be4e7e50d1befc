import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categorical, discrete, launchStudy, local, searchSpace } from '@hptune/core';
import { runCli } from '../../test/cli-harness.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TRAINER = join(packageRoot, 'test', 'fixtures', 'metric-trainer.mjs');
const HOSTILE = '<img src=x onerror=alert(1)>';

let scratch: string;
let studyDir: string;

/** The data a written report embeds, read back as the page reads it. */
function embeddedData(file: string): { study: { name: string }; trials: { id: string; state: string; value: number | null; parameters: Record<string, unknown> }[] } {
  const html = readFileSync(file, 'utf8');
  const json = /<script type="application\/json" id="hptune-report-data">(.*?)<\/script>/s.exec(html)?.[1];
  if (json === undefined) throw new Error(`${file} has no report data`);
  return JSON.parse(json);
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'hptune-cli-report-'));
  studyDir = join(scratch, 'studies');
  const study = await launchStudy({
    name: 'tiny',
    space: searchSpace({ units: discrete([10, 20]), fail: categorical(['yes', HOSTILE]) }),
    metric: { id: 'accuracy', goal: 'maximize' },
    algorithm: 'grid',
    parallelTrials: 2,
    trainer: { command: process.execPath, args: [TRAINER] },
    studyDir,
    backend: local({ pollIntervalMs: 20 }),
  });
  await study.wait();
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('hptune study report', () => {
  it('writes the report into the study folder and prints its path', async () => {
    const result = await runCli(['study', 'report', 'tiny', '--study-dir', studyDir]);
    expect(result.code, result.stderr).toBe(0);
    const file = join(studyDir, 'tiny', 'report.html');
    expect(result.stdout).toBe(`${file}\n`);
    expect(result.stderr).toMatch(/^report of study tiny: 4 trials, \d+ KB; open it in a browser/);
    const data = embeddedData(file);
    expect(data.study.name).toBe('tiny');
    expect(data.trials.map((trial) => [trial.id, trial.state, trial.value])).toEqual([
      ['1', 'INFEASIBLE', null],
      ['2', 'SUCCEEDED', 0.1],
      ['3', 'INFEASIBLE', null],
      ['4', 'SUCCEEDED', 0.2],
    ]);
    // The hostile value is data, escaped so it cannot end the script element.
    expect(data.trials[1]?.parameters.fail).toBe(HOSTILE);
    expect(readFileSync(file, 'utf8')).not.toContain(HOSTILE);
  });

  it('writes where --out says, creating its folder', async () => {
    const out = join(scratch, 'out', 'nested', 'tiny.html');
    const result = await runCli(['study', 'report', 'tiny', '--study-dir', studyDir, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${out}\n`);
    expect(embeddedData(out).trials).toHaveLength(4);
  });

  it('refuses an unknown study and an --out that is a folder, writing nothing', async () => {
    const unknown = await runCli(['study', 'report', 'nope', '--study-dir', studyDir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('hptune study list');
    const folder = join(scratch, 'a-folder');
    mkdirSync(folder);
    const intoFolder = await runCli(['study', 'report', 'tiny', '--study-dir', studyDir, '--out', folder]);
    expect(intoFolder.code).toBe(2);
    expect(intoFolder.stderr).toContain(`is a directory; pass a file name, e.g. --out ${join(folder, 'report.html')}`);
  });
});

describe('hptune dashboard', () => {
  it('serves the study directory on 127.0.0.1 until Ctrl-C, then stops cleanly', async () => {
    const child = spawn(process.execPath, [join(packageRoot, 'dist', 'bin.js'), 'dashboard', '--study-dir', studyDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /hptune dashboard: (http:\/\/127\.0\.0\.1:\d+\/) /.exec(stdout);
        if (match) resolve(match[1] as string);
      });
      child.on('exit', () => reject(new Error(`dashboard exited early: ${stderr}`)));
    });
    expect((await fetch(url)).status).toBe(200);
    // An open event stream must not keep the server from stopping.
    const stream = await fetch(new URL('/api/events?study=tiny', url));
    const first = await (stream.body as ReadableStream<Uint8Array>).getReader().read();
    expect(new TextDecoder().decode(first.value)).toContain('event: studies');
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(stdout).toContain('hptune dashboard: stopped');
    expect(stderr).toBe('');
  });

  it('warns when --host opens it to other machines', async () => {
    const child = spawn(process.execPath, [join(packageRoot, 'dist', 'bin.js'), 'dashboard', '--study-dir', studyDir, '--port', '0', '--host', '0.0.0.0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
    const exit = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    child.kill('SIGINT');
    await exit;
    expect(stderr).toContain('hptune: warning: --host 0.0.0.0 lets anyone who can reach this machine read every study');
  });

  it('refuses a port out of range', async () => {
    const result = await runCli(['dashboard', '--port', '70000']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port "70000" is not a port (0 to 65535)');
  });
});
