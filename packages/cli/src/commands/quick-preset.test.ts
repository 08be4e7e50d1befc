import { describe, expect, it } from 'vitest';
import type { FrozenTrial } from '@hptune/core';
import { formatStudySummary } from '../reporters/summary.js';
import { quickPresetNotes } from './study-run.js';

const trial = (id: string, accuracy: number): FrozenTrial => ({
  id,
  state: 'SUCCEEDED',
  parameters: { activation: 'relu', optimizer: id === '1' ? 'sgd' : 'adam', batch_size: 128 },
  measurements: [{ step: 1, metrics: { accuracy }, elapsedSeconds: 1 }],
  finalMeasurement: { step: 1, metrics: { accuracy }, elapsedSeconds: 1 },
});

describe('the quick preset, explained', () => {
  it('says why trials sit at chance, and says nothing when none does', () => {
    const trials = [trial('1', 0.098), trial('2', 0.91)];
    const [note] = quickPresetNotes(trials);
    expect(note).toMatch(/^1 trial\(s\) ended near chance \(accuracy about 0\.10 for MNIST's 10 classes\): the quick preset trains 2048 images for 1 epoch/);
    expect(note).toContain('the full study (--num-epochs 3, all 60,000 images) separates them');
    expect(quickPresetNotes([trial('2', 0.91)])).toEqual([]);
    // Flags given with --quick win over the preset's, and the note says what the trials trained on.
    expect(quickPresetNotes(trials, { trainSize: 8192, numEpochs: 2 })[0]).toContain('the quick preset trains 8192 images for 2 epochs, too few steps for plain sgd');
    const header = { name: 'seed', metric: { id: 'accuracy', goal: 'maximize' }, totalTrials: 2, alreadyFinished: 0, parallelTrials: 2, studyDir: './hptune', directory: '/x/hptune/seed' } as const;
    const text = formatStudySummary({ header, trials, best: trials[1], outcome: 'COMPLETED', elapsedSeconds: 30, notes: quickPresetNotes(trials) });
    expect(text).toContain(`\nnote: ${note}\nstudy directory: ./hptune/seed\n`);
  });
});
