import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FrozenTrial } from '@hptune/core';
import { runCli } from '../../test/cli-harness.js';
import { gridOrderNotes } from './study-run.js';

const ASHA = { kind: 'asha', minStep: 1, maxStep: 9, reductionFactor: 3 } as const;

const trial = (id: string, steps: number): FrozenTrial => ({
  id,
  state: 'SUCCEEDED',
  parameters: { label: id },
  measurements: Array.from({ length: steps }, (_, index) => ({ step: index + 1, metrics: { score: 0.5 }, elapsedSeconds: index + 1 })),
});

describe('the note on grid order under asha', () => {
  it('counts the trials judged at the first rung and those that went on, and names shuffled-grid', () => {
    const [note] = gridOrderNotes([trial('1', 9), trial('2', 3), trial('3', 1), trial('4', 1), trial('5', 0)], ASHA);
    expect(note).toContain('in grid order the combinations arrive sorted by their first parameter, and 2 of 4 went past step 1 (in a random order, about one in 3)');
    expect(note).toContain('--algorithm shuffled-grid runs each combination once in an order drawn from --seed');
  });

  it('says nothing for rules that do not judge trials by arrival at rungs', () => {
    expect(gridOrderNotes([trial('1', 9)], { kind: 'median', minSteps: 1, minTrials: 5 })).toEqual([]);
  });

  it('is printed after a grid study with --early-stopping asha, and not after a shuffled-grid one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hptune-grid-order-'));
    const space = join(dir, 'space.json');
    writeFileSync(space, JSON.stringify({ version: 1, parameters: { label: { kind: 'categorical', values: ['a', 'b', 'c'] } } }));
    // Reports 3 steps; trial a scores best, so it is the only one that always goes on.
    const trainer = join(dir, 'trainer.mjs');
    writeFileSync(trainer, [
      "import { appendFileSync } from 'node:fs';",
      "const label = process.argv.find((arg) => arg.startsWith('--label=')).slice(8);",
      "const score = { a: 0.9, b: 0.5, c: 0.1 }[label];",
      "for (let step = 1; step <= 3; step++) appendFileSync(process.env.CLOUD_ML_HP_METRIC_FILE, JSON.stringify({ score: String(score), global_step: String(step), timestamp: Date.now() / 1000 }) + '\\n');",
    ].join('\n'));
    const run = (algorithm: string) => runCli([
      'study', 'run', '--name', algorithm, '--study-dir', join(dir, 'studies'), '--space', space, '--metric', 'score', '--algorithm', algorithm,
      '--early-stopping', 'asha', '--asha-max-step', '3', '--max-parallel-trial-count', '1', '--', process.execPath, trainer,
    ]);
    const grid = await run('grid');
    expect(grid.code, grid.stderr).toBe(0);
    expect(grid.stdout).toMatch(/note: asha judges each trial against the trials that reached its rung before it.* went past step 1/);
    const shuffled = await run('shuffled-grid');
    expect(shuffled.code, shuffled.stderr).toBe(0);
    expect(shuffled.stdout).not.toContain('note: asha judges');
  });
});
