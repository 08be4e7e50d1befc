import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { Measurement } from '../../study/types.js';
import { trialPaths } from './contract.js';
import { startTrialProcess } from './trial-process.js';

/**
 * The study folder denying access (EACCES) as a trial ends, as a permission changed for a moment
 * does. Root reads through chmod 000, so the denial is injected where the metric file is opened.
 */
const access = vi.hoisted(() => ({
  /** The metric file whose opens are refused once armed. */
  file: '',
  armed: false,
  /** Opens still to refuse once armed (Infinity: for good). */
  refusals: 0,
  refused: 0,
}));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const openSync = ((path: Parameters<typeof fs.openSync>[0], ...rest: unknown[]) => {
    if (access.armed && String(path) === access.file && access.refused < access.refusals) {
      access.refused += 1;
      throw Object.assign(new Error(`EACCES: permission denied, open '${String(path)}'`), { code: 'EACCES', errno: -13, syscall: 'open', path: String(path) });
    }
    return (fs.openSync as (...args: unknown[]) => number)(path, ...rest);
  }) as typeof fs.openSync;
  return { ...fs, default: { ...fs, openSync }, openSync };
});

const FAKE_TRAINER = fileURLToPath(new URL('../../../test/fixtures/study/fake-trainer.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'hptune-access-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => Object.assign(access, { file: '', armed: false, refusals: 0, refused: 0 }));

/** Runs a trial of two epochs that lingers 300 ms after its last report; access is refused `refusals` times from its second measurement on. */
function deniedTrial(name: string, refusals: number) {
  const paths = trialPaths(join(root, name), '1');
  const measurements: Measurement[] = [];
  access.file = paths.metricFile;
  access.refusals = refusals;
  const trial = startTrialProcess({
    trainer: { command: process.execPath, args: [FAKE_TRAINER, '--epochs=2', '--sleep-ms=20', '--linger-ms=300'] },
    studyName: 'access',
    trialId: '1',
    parameters: { x: 1 },
    paths,
    metricId: 'accuracy',
    gracePeriodSeconds: 0.3,
    // No poll: only the final read (and its retries) meets the denial.
    pollIntervalMs: 60_000,
    onRunning: () => {},
    onMeasurements: (batch) => {
      measurements.push(...batch);
      if (measurements.length === 2) access.armed = true;
    },
    onStopping: () => {},
  });
  return { trial, measurements };
}

describe('a trial whose study folder denies access as it ends', () => {
  it('reads its metric file again until access comes back, and records it SUCCEEDED, never charged', async () => {
    const { trial, measurements } = deniedTrial('transient', 3);
    const { outcome } = await trial.done;
    expect(outcome).toMatchObject({ state: 'SUCCEEDED', finalMeasurement: { step: 2 } });
    expect(measurements.map((measurement) => measurement.step)).toEqual([1, 2]);
    // The final read and two retries were refused; the third retry read the file.
    expect(access.refused).toBe(3);
  });

  it('still denied after the retries (about 5 s): records it interrupted, so its parameters run again', async () => {
    const { trial, measurements } = deniedTrial('lasting', Number.POSITIVE_INFINITY);
    const started = Date.now();
    const { outcome } = await trial.done;
    expect(outcome).toEqual({
      state: 'INFEASIBLE',
      failure: { kind: 'interrupted', reason: expect.stringMatching(/could not be read \(EACCES: the study folder denied access\); it runs again$/) },
    });
    // The final read and its six retries, about 5 s apart in all (a read the intake started while
    // the trainer lingered may be refused too); what was read before stays recorded.
    expect(access.refused).toBeGreaterThanOrEqual(7);
    expect(Date.now() - started).toBeGreaterThan(5000);
    expect(measurements.map((measurement) => measurement.step)).toEqual([1, 2]);
  }, 30_000);
});
