import { ValidationError } from '@hptune/core/errors';

/**
 * The command-line flag of each SDK option a command sets, as `ValidationError.field` names it.
 * Library errors speak the library's language (`maxTrials`, `backend.containerUri`); the CLI says
 * the same with the flag a user typed.
 */
export type FlagNames = Readonly<Record<string, string>>;

/** What `study run` and `study resume` set from their flags. */
export const STUDY_RUN_FLAGS: FlagNames = {
  name: '--name',
  algorithm: '--algorithm',
  maxTrials: '--max-trial-count',
  parallelTrials: '--max-parallel-trial-count',
  maxFailedTrials: '--max-failed-trial-count',
  trialTimeoutSeconds: '--trial-timeout',
  seed: '--seed',
  studyDir: '--study-dir',
  'metric.id': '--metric',
  'metric.goal': '--goal',
  measurementSelection: '--measurement-selection',
  forceUnlock: '--force-unlock',
};

/** What `launch` sets from its flags. */
export const LAUNCH_FLAGS: FlagNames = {
  name: '--name',
  algorithm: '--algorithm',
  maxTrials: '--max-trial-count',
  parallelTrials: '--max-parallel-trial-count',
  maxFailedTrials: '--max-failed-trial-count',
  trialTimeoutSeconds: '--timeout',
  'metric.id': '--metric',
  'metric.goal': '--goal',
  measurementSelection: '--measurement-selection',
  project: '--project',
  region: '--region',
  bucket: '--bucket',
  containerUri: '--container-uri',
  useCustomContainer: '--use-custom-container',
  machineType: '--machine-type',
  acceleratorType: '--accelerator-type',
  acceleratorCount: '--accelerator-count',
  displayName: '--display-name',
  serviceAccount: '--service-account',
  network: '--network',
  tensorboard: '--tensorboard',
  labels: '--labels',
  apiEndpoint: '--api-endpoint',
};

/** What `hptune jobs list|show|cancel` set from their flags and argument. */
export const JOBS_FLAGS: FlagNames = {
  project: '--project',
  region: '--region',
  apiEndpoint: '--api-endpoint',
  job: 'job id',
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Replaces each SDK option name in `text` (whole names only, longest first) by its flag. Only
 * names that cannot be ordinary words (camelCase or dotted: `maxTrials`, `metric.id`) are
 * replaced in prose: `project` or `region` in "a Google Cloud project id" stay words.
 */
export function toFlagWording(text: string, names: FlagNames): string {
  const keys = Object.keys(names)
    .filter((name) => /[A-Z.]/.test(name))
    .sort((a, b) => b.length - a.length);
  if (keys.length === 0) return text;
  const pattern = new RegExp(`(?<![\\w.-])(${keys.map(escapeRegExp).join('|')})(?![\\w-]|\\.\\w)`, 'g');
  // Quoted text is a value the user gave (or a field of their file), shown as it is: never reworded.
  return text
    .split(QUOTED)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(pattern, (name) => names[name] ?? name)))
    .join('');
}

/** A double-quoted string as JSON writes it, captured (so `split` keeps it at the odd indexes). */
const QUOTED = /("(?:[^"\\]|\\.)*")/;

/**
 * Replaces each library call a message suggests by the command that does the same:
 * `resumeStudy("seed")` becomes `hptune study resume seed`,
 * `resumeStudy("seed", { forceUnlock: true })` becomes `hptune study resume seed --force-unlock`,
 * and `deleteStudy("seed")` becomes `hptune study delete seed`.
 */
export function toCommandWording(text: string): string {
  return text
    .replace(/resumeStudy\(("(?:[^"\\]|\\.)*")(, \{ forceUnlock: true \})?\)/g, (_call, name: string, force: string | undefined) => {
      return `hptune study resume ${JSON.parse(name) as string}${force ? ' --force-unlock' : ''}`;
    })
    .replace(/deleteStudy\(("(?:[^"\\]|\\.)*")\)/g, (_call, name: string) => `hptune study delete ${JSON.parse(name) as string}`)
    .replace(/\b(discrete|categorical)\(\[([^\]]*)\]\)/g, (_call, kind: string, values: string) => `{ "kind": "${kind}", "values": [${values}] } in the space file`)
    .replace(/\binteger\((\w+), (\w+)\)/g, (_call, min: string, max: string) => `{ "kind": "integer", "min": ${min}, "max": ${max} }`);
}

/** Options that every command spelling them takes with the same flag, for messages from outside a command's own checks. */
export const SHARED_FLAGS: FlagNames = Object.fromEntries(Object.entries(STUDY_RUN_FLAGS).filter(([name, flag]) => LAUNCH_FLAGS[name] === flag));

/**
 * Runs `body`; a `ValidationError` it throws is thrown again worded with the command's flags
 * (its field, problem and fix), keeping its code and cause. Other errors pass unchanged.
 */
export async function withFlagNames<T>(names: FlagNames, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const field = error.field.startsWith('backend.') ? error.field.slice('backend.'.length) : error.field;
    const worded = new ValidationError(
      { field: names[field] ?? error.field, value: error.value, problem: toFlagWording(error.problem, names), fix: toFlagWording(error.fix, names) },
      { code: error.code, cause: error.cause ?? error },
    );
    WORDED.add(worded);
    throw worded;
  }
}

/** Errors already worded for their command by {@link withFlagNames}: worded again, a study file's `maxTrials` would read as a flag. */
const WORDED = new WeakSet<Error>();

/**
 * Marks an error as worded already, as one about a study or space file is: it speaks the file's
 * own fields (`study.json: maxTrials`), which must not be reworded as flags. Returns the error.
 */
export function markWorded<E extends Error>(error: E): E {
  WORDED.add(error);
  return error;
}

/** Whether {@link withFlagNames} worded this error for its command already. */
export function isWorded(error: Error): boolean {
  return WORDED.has(error);
}
