import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FrozenTrial } from '@hptune/core';
import { jsonLinesReporter } from './json.js';
import { plainReporter } from './plain.js';
import { formatTrialTable } from './summary.js';
import { ttyReporter } from './tty.js';
import type { StudyHeader } from './types.js';

const header: StudyHeader = {
  name: 'seed',
  metric: { id: 'accuracy', goal: 'maximize' },
  totalTrials: 3,
  alreadyFinished: 0,
  parallelTrials: 2,
  studyDir: './hptune',
  directory: '/work/hptune/seed',
};

const trial = (id: string, state: FrozenTrial['state'], accuracy?: number): FrozenTrial => ({
  id,
  state,
  parameters: { activation: 'relu', batch_size: 32 * Number(id) },
  measurements: accuracy === undefined ? [] : [{ step: 1, metrics: { accuracy }, elapsedSeconds: 1 }],
  ...(accuracy === undefined ? {} : { finalMeasurement: { step: 1, metrics: { accuracy }, elapsedSeconds: 1 } }),
  ...(state === 'INFEASIBLE'
    ? { failure: { kind: 'exit-code', reason: 'exited with code 1', stderrTail: 'Traceback (most recent call last):\n  File "task.py", line 1, in <module>\n    import torch\nModuleNotFoundError: No module named \'torch\'\n' } }
    : {}),
});

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

function play(reporter: ReturnType<typeof plainReporter>) {
  reporter.onStudyStart?.(header);
  reporter.onTrialStarted?.(trial('1', 'ACTIVE'));
  reporter.onTrialCompleted?.(trial('1', 'SUCCEEDED', 0.91));
  reporter.onTrialStarted?.(trial('2', 'ACTIVE'));
  reporter.onTrialCompleted?.(trial('2', 'INFEASIBLE'));
  reporter.onTrialStarted?.(trial('3', 'ACTIVE'));
  reporter.onTrialCompleted?.(trial('3', 'SUCCEEDED', 0.97));
  const trials = [trial('1', 'SUCCEEDED', 0.91), trial('2', 'INFEASIBLE'), trial('3', 'SUCCEEDED', 0.97)];
  reporter.onStudyEnd?.({ header, trials, best: trials[2], outcome: 'COMPLETED', elapsedSeconds: 75 });
}

describe('study reporters', () => {
  it('plain: one line per trial with progress, then a table that marks the best trial', () => {
    const out = capture();
    play(plainReporter(out.stream));
    const text = out.text();
    expect(text).toContain('trial 1 succeeded (1/3): accuracy=0.9100');
    // A failed trial shows why (its stderr's last lines) and where the rest is.
    expect(text).toContain(
      "trial 2 failed (2/3): exited with code 1\n" +
        '    |   File "task.py", line 1, in <module>\n    |     import torch\n' +
        "    | ModuleNotFoundError: No module named 'torch'\n" +
        '    log: /work/hptune/seed/2/stderr.log\n',
    );
    expect(text).toMatch(/3 \*\s+SUCCEEDED\s+relu\s+96\s+0\.9700/);
    expect(text).toContain('best: trial 3 accuracy=0.9700 (activation=relu batch_size=96)');
    expect(text).toContain('study seed completed in 1m15s: 2 succeeded, 1 failed, 3 trials');
    expect(text).not.toContain('\x1b[');
  });

  it('the table shows a cancelled or interrupted trial as such, not as the INFEASIBLE it is stored as', () => {
    const cancelled: FrozenTrial = { ...trial('4', 'INFEASIBLE'), failure: { kind: 'cancelled', reason: 'cancelled when the study stopped' } };
    const interrupted: FrozenTrial = { ...trial('5', 'INFEASIBLE'), failure: { kind: 'interrupted', reason: 'its coordinator died' } };
    const table = formatTrialTable([trial('2', 'INFEASIBLE'), cancelled, interrupted], header.metric);
    expect(table).toMatch(/\n2\s+INFEASIBLE\s/);
    expect(table).toMatch(/\n4\s+CANCELLED\s/);
    expect(table).toMatch(/\n5\s+INTERRUPTED\s/);
  });

  it('tty: a live status block with done/running/failed, the best so far and an ETA', () => {
    const out = capture();
    let clock = 0;
    const reporter = ttyReporter(out.stream, { now: () => clock, refreshMs: 60_000 });
    reporter.onStudyStart?.(header);
    reporter.onTrialStarted?.(trial('1', 'ACTIVE'));
    reporter.onTrialStarted?.(trial('2', 'ACTIVE'));
    clock = 10_000;
    reporter.onTrialCompleted?.(trial('1', 'SUCCEEDED', 0.91));
    const status = out.text().split('\x1b[0J').at(-1) ?? '';
    expect(status).toContain('1/3 done · 1 running · 0 failed · 10s elapsed · ETA 20s');
    expect(status).toContain('best accuracy=0.9100 trial 1 (activation=relu batch_size=32)');
    expect(status).toContain('trial 2: activation=relu batch_size=64');
    reporter.onTrialCompleted?.(trial('2', 'INFEASIBLE'));
    expect(out.text()).toContain('✗ trial 2 FAILED: exited with code 1  (activation=relu batch_size=64)\n    |   File "task.py", line 1, in <module>\n    |     import torch\n    | ModuleNotFoundError: No module named \'torch\'\n    log: /work/hptune/seed/2/stderr.log\n');
    // A trial hptune stopped says nothing about its parameters: no stderr under its line.
    reporter.onTrialStarted?.(trial('3', 'ACTIVE'));
    reporter.onTrialCompleted?.({ ...trial('3', 'INFEASIBLE'), failure: { kind: 'cancelled', reason: 'cancelled', stderrTail: 'got SIGTERM' } });
    expect(out.text()).not.toContain('got SIGTERM');
    reporter.onStudyEnd?.({ header, trials: [trial('1', 'SUCCEEDED', 0.91)], best: trial('1', 'SUCCEEDED', 0.91), outcome: 'COMPLETED', elapsedSeconds: 10 });
  });

  it('json: newline-delimited events a program can parse', () => {
    const out = capture();
    play(jsonLinesReporter(out.stream));
    const events = out.text().trim().split('\n').map((line) => JSON.parse(line) as { event: string; best?: { id: string } });
    expect(events.map((event) => event.event)).toEqual([
      'study-started',
      'trial-started',
      'trial-completed',
      'trial-started',
      'trial-completed',
      'trial-started',
      'trial-completed',
      'study-completed',
    ]);
    expect(events.at(-1)?.best?.id).toBe('3');
  });

  it('says which trials the early-stopping rule stopped, at which epoch, in the progress lines and the table', () => {
    const out = capture();
    const reporter = plainReporter(out.stream);
    const full = { ...trial('1', 'SUCCEEDED', 0.97), measurements: [1, 2, 3].map((step) => ({ step, metrics: { accuracy: 0.9 + step / 100 }, elapsedSeconds: step })) };
    const stopped = { ...trial('2', 'SUCCEEDED', 0.42), stoppedEarly: true };
    reporter.onStudyStart?.(header);
    reporter.onTrialCompleted?.(full);
    reporter.onTrialCompleted?.(stopped);
    reporter.onStudyEnd?.({ header, trials: [full, stopped], best: full, outcome: 'COMPLETED', elapsedSeconds: 5 });
    const text = out.text();
    expect(text).toContain('trial 2 stopped at epoch 1 (2/3): accuracy=0.4200');
    expect(text).toMatch(/1 \*\s+SUCCEEDED\s+relu\s+32\s+0\.9700\s+3\n/);
    expect(text).toMatch(/2\s+SUCCEEDED\s+relu\s+64\s+0\.4200\s+1\s+stopped at epoch 1/);
    expect(text).toContain('2 succeeded, 0 failed, 2 trials; 1 stopped early');
  });
});

describe('the trial table', () => {
  it('prints doubles with 4 significant digits and whole numbers in full; an inactive parameter is blank', () => {
    const tuned: FrozenTrial = { ...trial('1', 'SUCCEEDED', 0.9123456), parameters: { learning_rate: 0.04095642313322619, l2: 0.0000188153219019386, batch_size: 128 } };
    const without: FrozenTrial = { ...trial('2', 'SUCCEEDED', 0.5), parameters: { learning_rate: 0.1, batch_size: 16 } };
    const table = formatTrialTable([tuned, without], header.metric, tuned);
    expect(table).toMatch(/^1 \*\s+SUCCEEDED\s+0\.04096\s+0\.00001882\s+128\s+0\.9123\s+1\s*$/m);
    expect(table).toMatch(/^2\s+SUCCEEDED\s+0\.1\s+16\s+0\.5000\s+1\s*$/m);
    expect(table).not.toContain('0.0409564');
  });
});

describe('a failed trial\'s stderr', () => {
  it('shows the error line, not the stack after it', async () => {
    const { formatFailureDetail } = await import('./format.js');
    const stderrTail = "node:internal/modules/cjs/loader:1210\n  throw err;\n  ^\n\nError: Cannot find module '/x/trial.mjs'\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1207:15)\n  code: 'MODULE_NOT_FOUND',\n  requireStack: []\n}\n";
    const failed: FrozenTrial = { id: '4', state: 'INFEASIBLE', parameters: {}, measurements: [], failure: { kind: 'exit-code', reason: 'exited with code 1', stderrTail } };
    expect(formatFailureDetail(failed, '/s/study')).toEqual(['    | node:internal/modules/cjs/loader:1210', '    |   throw err;', "    | Error: Cannot find module '/x/trial.mjs'", '    log: /s/study/4/stderr.log']);
  });
});
