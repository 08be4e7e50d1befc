import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TrainerCommand } from '@hptune/trial';
import { formatTrainerFlags, type SettingValues } from './settings.js';

/** Settings every trial of a study shares, passed as flags before the trial's own parameters. */
export type FixedTrainerFlags = SettingValues;

/** Options of {@link lenet5Trainer}. */
export interface Lenet5TrainerOptions {
  /** Flags for every trial, e.g. `{ numEpochs: 2, trainSize: 5000, tfjsBackend: 'wasm' }`. @default {} */
  flags?: FixedTrainerFlags;
  /** Extra environment variables for every trial. */
  env?: Readonly<Record<string, string>>;
  /** Arguments for Node itself, e.g. `['--max-old-space-size=1024']`. @default [] */
  nodeArgs?: readonly string[];
}

/**
 * The LeNet-5 trainer as the program a study runs for each trial: this package's built
 * `hptune-train` under the current Node (`process.execPath`), with `flags` fixed; the study
 * appends each trial's parameters (`--activation=relu ...`), and later flags win. It is
 * `reusable`: a local study runs its trials in one warm process per parallel slot (see `serveTrials`).
 */
export function lenet5Trainer(options: Lenet5TrainerOptions = {}): TrainerCommand {
  const flags = formatTrainerFlags(options.flags ?? {});
  return {
    command: process.execPath,
    args: [...(options.nodeArgs ?? []), trainerBinPath(), ...flags],
    // hptune-train serves trials one after another when a local study starts it as a trial host.
    reusable: true,
    ...(options.env ? { env: options.env } : {}),
  };
}

/** The absolute path of this package's built `hptune-train` script (`dist/bin.js`). */
export function trainerBinPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@hptune/trainer/package.json')), 'dist', 'bin.js');
}
