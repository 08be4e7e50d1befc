/**
 * The completion marker: how a trainer says its run is complete, so that a study whose coordinator
 * died while the trainer ran can record the trial from its outputs instead of running it again.
 *
 * The marker is the file `hptune-complete.json` in the trial's model folder (`AIP_MODEL_DIR`),
 * written last, once the final metric has been reported and the model saved, as one JSON object:
 * `{"version":1,"exitCode":0,"completedAt":"2026-12-02T05:00:00.000Z"}`. `exitCode` is the status
 * the trainer is about to exit with (0 when it trained; another value records the trial as failed
 * with that code). Any trainer may write it; `hptune-train` does, `markTrialComplete` writes it.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The marker's file name, in the trial's model folder (`AIP_MODEL_DIR`). */
export const TRIAL_COMPLETE_FILE = 'hptune-complete.json';

/** What the completion marker holds. */
export interface TrialCompletion {
  /** The marker format's version: 1. */
  readonly version: 1;
  /** The status the trainer exits with: 0 when its run is complete and its metric reported. */
  readonly exitCode: number;
  /** ISO 8601 time the trainer finished. */
  readonly completedAt: string;
}

/**
 * Writes the completion marker into `modelDir` (atomically: a temporary file renamed), after the
 * final metric is reported and the model saved.
 * @returns the marker's path; `undefined` when there is no local model folder (unset, or `gs://`:
 *   nothing reads a marker there, Vertex AI follows its trials itself).
 */
export function markTrialComplete(options: { readonly modelDir?: string | undefined; readonly exitCode?: number } = {}): string | undefined {
  const modelDir = options.modelDir ?? process.env.AIP_MODEL_DIR;
  if (!modelDir || modelDir.startsWith('gs://')) return undefined;
  const completion: TrialCompletion = { version: 1, exitCode: options.exitCode ?? 0, completedAt: new Date().toISOString() };
  const file = join(modelDir, TRIAL_COMPLETE_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(completion) + '\n', { mode: 0o644 });
  renameSync(temporary, file);
  return file;
}

/** Reads the completion marker in `modelDir`; `undefined` when there is none or it is not a marker. */
export function readTrialCompletion(modelDir: string): TrialCompletion | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(modelDir, TRIAL_COMPLETE_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  const { version, exitCode, completedAt } = (parsed ?? {}) as Partial<Record<keyof TrialCompletion, unknown>>;
  if (version !== 1 || typeof exitCode !== 'number' || !Number.isSafeInteger(exitCode) || typeof completedAt !== 'string') return undefined;
  return { version, exitCode, completedAt };
}
