import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline/promises';
import {
  HptuneError,
  ValidationError,
  decayCurve,
  launchStudy,
  median,
  type MeasurementSelection,
  type MetricGoal,
  type SearchAlgorithm,
  type StudyHandleOf,
  type TrialParameters,
} from '@hptune/core';
import {
  VertexJobError,
  planVertexStudy,
  stagingFolderUri,
  vertex,
  type AcceleratorType,
  type PlanVertexStudyOptions,
  type VertexBackend,
} from '@hptune/core/vertex';
import { STUDY_FLAG_IDS, TRAINER_DEFAULTS, formatTrainerFlags, lenet5SearchSpace, settingFlag, settingKey } from '@hptune/trainer/settings';
import { LAUNCH_FLAGS, withFlagNames } from '../flag-names.js';
import { speakAsInvoked } from '../invocation.js';
import { isMissing, missingDependency } from '../optional-dependency.js';
import type { CliIo } from '../io.js';
import { readSpaceFile } from '../json-file.js';
import type { EARLY_STOPPING_CHOICES } from './flags.js';
import { formatJobSummary, printJobEvents, printWarnings } from './launch-report.js';
import { trainerPassThrough, type TrainerPassThrough } from './trainer-flags.js';

/** Exit code of a run stopped with Ctrl-C, as shells report SIGINT. */
const EXIT_INTERRUPTED = 130;

/** The flags of `hptune launch`, parsed. */
export interface LaunchFlags extends TrainerPassThrough {
  project?: string;
  bucket?: string;
  region: string;
  useCustomContainer?: boolean;
  containerUri?: string;
  maxTrialCount?: number;
  maxParallelTrialCount?: number;
  maxFailedTrialCount?: number;
  debugSync?: boolean;
  acceleratorType?: string;
  acceleratorCount?: number;
  machineType: string;
  displayName?: string;
  serviceAccount?: string;
  network?: string;
  tensorboard?: string;
  labels?: string;
  timeout?: string;
  spot?: boolean;
  apiEndpoint?: string;
  dryRun?: boolean;
  cancelOnInterrupt?: boolean;
  name?: string;
  algorithm: SearchAlgorithm;
  metric: string;
  goal: MetricGoal;
  earlyStopping?: (typeof EARLY_STOPPING_CHOICES)[number];
  measurementSelection?: MeasurementSelection;
  space?: string;
  pollInterval: number;
  seed?: number;
}

/** `--labels team=vision,stage=dev` as a record. */
export function parseLabels(raw: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of raw.split(',').filter((part) => part.trim() !== '')) {
    const match = /^([^=]+)=(.*)$/.exec(pair.trim());
    if (!match) throw new ValidationError({ field: '--labels', value: raw, problem: `has "${pair}", which is not key=value`, fix: 'pass e.g. --labels team=vision,stage=dev' });
    labels[(match[1] as string).trim()] = (match[2] as string).trim();
  }
  return labels;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `--timeout 3600`, `90m`, `2h` or `1d` in seconds. */
export function parseTimeout(raw: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(raw.trim());
  const seconds = match ? Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 1) {
    throw new ValidationError({ field: '--timeout', value: raw, problem: 'is not a duration', fix: 'pass seconds or a number with s, m, h or d, e.g. --timeout 2h' });
  }
  return seconds;
}

function required(value: string | undefined, flag: string, environment: string, example: string): string {
  if (value === undefined || value === '') {
    throw new ValidationError({ field: flag, value, problem: 'is required', fix: `pass ${flag} ${example} or set ${environment}` });
  }
  return value;
}

/** `lenet5-20250101-120000` (`study-...` for your own image): a study name that differs between launches, so outputs never mix. */
function defaultStudyName(prefix: string, now: Date = new Date()): string {
  return `${prefix}-${now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`;
}

/** What `hptune launch` was given besides its flags. */
export interface LaunchInput {
  /** The arguments after `--`: your image's, in every trial, before the trial's parameters. Empty for the LeNet-5 trainer. */
  readonly trainerArgs?: readonly string[];
  /** The flags the user typed (the rest hold their defaults). @default every flag in `flags` */
  readonly given?: ReadonlySet<string>;
}

/** Flags of the built-in LeNet-5 trainer, meaningless for your own image: its study flags, and `--seed`. */
const LENET5_FLAGS: Readonly<Record<string, string>> = Object.fromEntries(
  [...STUDY_FLAG_IDS, 'seed' as const].map((id) => [settingKey(id), settingFlag(id)]),
);

/**
 * Your own image (arguments after `--`): the preflight the LeNet-5 defaults cannot stand in for.
 * The image, the space and the metric must be given, and no LeNet-5 flag.
 */
function checkCustomImage(flags: LaunchFlags, given: ReadonlySet<string>): void {
  const lenetFlag = Object.keys(LENET5_FLAGS).find((key) => given.has(key) && flags[key as keyof LaunchFlags] !== undefined);
  if (lenetFlag !== undefined) {
    throw new ValidationError({
      field: LENET5_FLAGS[lenetFlag] as string,
      value: flags[lenetFlag as keyof LaunchFlags],
      problem: 'is a setting of the built-in LeNet-5 trainer and does not reach your image',
      fix: "pass your trainer's own flags after --, e.g. -- --epochs=3",
    });
  }
  if (!flags.containerUri) {
    throw new ValidationError({ field: '--container-uri', value: flags.containerUri, problem: 'is required with arguments after --', fix: 'pass the image that runs your trainer, e.g. --container-uri us-docker.pkg.dev/my-project/repo/trainer:latest' });
  }
  if (flags.space === undefined) {
    throw new ValidationError({ field: '--space', value: undefined, problem: 'is required with your own image', fix: 'pass --space space.json (a search space JSON file)' });
  }
  if (!given.has('metric')) {
    throw new ValidationError({ field: '--metric', value: undefined, problem: 'is required with your own image', fix: 'pass the tag your trainer reports with cloudml-hypertune, e.g. --metric accuracy' });
  }
}

/** The trainer flags every trial gets, in front of the trial's own `--<param>=<value>`: the same argv `study run` gives its trials. */
function trainerArgs(flags: LaunchFlags): string[] {
  return formatTrainerFlags({
    ...trainerPassThrough(flags),
    seed: flags.seed,
    metricTag: flags.metric === TRAINER_DEFAULTS.metricTag ? undefined : flags.metric,
  });
}

/** The folder of the `@hptune/trainer` this CLI runs with: what a launch without a custom container stages. */
function installedTrainerDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('@hptune/trainer/package.json'));
  } catch (error) {
    if (isMissing(error, '@hptune/trainer')) throw missingDependency('@hptune/trainer', error);
    throw error;
  }
}

/** `--early-stopping` on Vertex AI: Vizier's median and decay-curve rules; ASHA and Hyperband are refused (exit 2). */
function vertexEarlyStoppingOf(kind: LaunchFlags['earlyStopping']): Pick<PlanVertexStudyOptions, 'earlyStopping'> {
  if (kind === 'median') return { earlyStopping: median() };
  if (kind === 'decay-curve') return { earlyStopping: decayCurve() };
  if (kind === 'asha' || kind === 'hyperband') {
    throw new ValidationError({
      field: '--early-stopping',
      value: kind,
      problem: `is ${kind === 'asha' ? 'ASHA' : 'Hyperband'}, which Vertex AI does not run (its automated stopping rules are median and decay-curve)`,
      fix: `pass --early-stopping median or --early-stopping decay-curve, or run the study here with hptune study run --early-stopping ${kind}`,
    });
  }
  return {};
}

/**
 * The study and backend `hptune launch` describes with its flags. With arguments after `--`, the
 * trials run your image (`--container-uri`, a custom container) with those arguments.
 */
export function launchOptionsFromFlags(flags: LaunchFlags, env: NodeJS.ProcessEnv = process.env, input: LaunchInput = {}): PlanVertexStudyOptions {
  const project = required(flags.project, '--project', 'GOOGLE_CLOUD_PROJECT', 'my-project');
  const ownImage = (input.trainerArgs ?? []).length > 0;
  if (ownImage) checkCustomImage(flags, input.given ?? new Set(Object.keys(flags)));
  const useCustomContainer = ownImage || flags.useCustomContainer === true;
  const bucket = required(flags.bucket, '--bucket', 'HPTUNE_BUCKET', 'my-bucket');
  return {
    name: flags.name ?? defaultStudyName(ownImage ? 'study' : 'lenet5'),
    space: flags.space ? readSpaceFile(flags.space) : lenet5SearchSpace,
    metric: { id: flags.metric, goal: flags.goal },
    ...(flags.measurementSelection === undefined ? {} : { measurementSelection: flags.measurementSelection }),
    algorithm: flags.algorithm,
    ...(flags.maxTrialCount === undefined ? {} : { maxTrials: flags.maxTrialCount }),
    ...(flags.maxParallelTrialCount === undefined ? {} : { parallelTrials: flags.maxParallelTrialCount }),
    // 0 is the Python launcher's "let Vertex AI decide": the SDK's unset.
    ...(flags.maxFailedTrialCount === undefined || flags.maxFailedTrialCount === 0 ? {} : { maxFailedTrials: flags.maxFailedTrialCount }),
    ...(flags.timeout === undefined ? {} : { trialTimeoutSeconds: parseTimeout(flags.timeout) }),
    ...vertexEarlyStoppingOf(flags.earlyStopping),
    backend: vertex({
      project,
      bucket,
      region: flags.region,
      useCustomContainer,
      ...(flags.containerUri ? { containerUri: flags.containerUri } : {}),
      ...(useCustomContainer ? {} : { trainerPackageDir: installedTrainerDir() }),
      machineType: flags.machineType,
      ...(flags.acceleratorType === undefined ? {} : { acceleratorType: flags.acceleratorType as AcceleratorType }),
      ...(flags.acceleratorCount === undefined ? {} : { acceleratorCount: flags.acceleratorCount }),
      ...(flags.displayName === undefined ? {} : { displayName: flags.displayName }),
      ...(flags.serviceAccount === undefined ? {} : { serviceAccount: flags.serviceAccount }),
      ...(flags.network === undefined ? {} : { network: flags.network }),
      ...(flags.tensorboard === undefined ? {} : { tensorboard: flags.tensorboard }),
      ...(flags.labels === undefined ? {} : { labels: parseLabels(flags.labels) }),
      ...(flags.spot ? { spot: true } : {}),
      ...(flags.apiEndpoint === undefined ? {} : { apiEndpoint: flags.apiEndpoint }),
      trainerArgs: ownImage ? [...(input.trainerArgs ?? [])] : trainerArgs(flags),
      access: { env },
      pollIntervalMs: flags.pollInterval * 1000,
    }),
  };
}

/**
 * `hptune launch`: checks, stages the trainer (without `--use-custom-container`), then creates the
 * HyperparameterTuningJob. `--dry-run` prints the request and stops before any network call (the
 * aiplatform client is not even loaded). Without
 * `--debug-sync` it prints the job's name and console URL and exits 0; with it, it follows the job
 * to its end and exits non-zero when the job fails or is cancelled.
 */
export async function launchCommand(flags: LaunchFlags, io: CliIo, input: LaunchInput = {}): Promise<number> {
  return withFlagNames(LAUNCH_FLAGS, () => launchFromFlags(flags, io, input));
}

async function launchFromFlags(flags: LaunchFlags, io: CliIo, input: LaunchInput): Promise<number> {
  const options = launchOptionsFromFlags(flags, io.env, input);
  const stagingFolder = options.backend.useCustomContainer === false ? stagingFolderUri(options.backend.bucket, options.name) : undefined;
  if (flags.dryRun) {
    const plan = planVertexStudy(options);
    printWarnings(plan.warnings, io);
    if (stagingFolder) io.stderr.write(`hptune: dry run: the trainer in ${options.backend.trainerPackageDir} is built; a launch would stage it to ${stagingFolder}\n`);
    io.stderr.write(
      `hptune: dry run: every offline check passed; this CreateHyperparameterTuningJob request would go to ${plan.endpoint.host}:${plan.endpoint.port} (nothing was sent)\n`,
    );
    io.stdout.write(JSON.stringify(plan.request, null, 2) + '\n');
    return 0;
  }
  if (stagingFolder) io.stderr.write(`hptune: checking access, then staging the trainer to ${stagingFolder}\n`);
  const handle = await launchStudy(options);
  const job = handle.backend;
  printWarnings(job.warnings, io);
  if (job.staged) {
    const packages = job.staged.packages.map((entry) => `${entry.name} ${entry.version}`).join(', ');
    io.stdout.write(`staged ${packages} (${Math.round(job.staged.bytes / 1024)} KiB) at ${job.staged.manifestUri}; each trial installs them with npm before training\n`);
  }
  io.stdout.write(`created ${job.jobName}\nconsole: ${job.consoleUrl}\n`);
  if (!flags.debugSync) {
    io.stdout.write(`follow it with: hptune jobs show ${job.job.id} --project ${options.backend.project} --region ${flags.region}\n`);
    await job.detach();
    return 0;
  }
  return followJob(handle, flags, io);
}

/** A study on Vertex AI, as `launchStudy` returns it. */
type VertexStudyHandle = StudyHandleOf<TrialParameters, VertexBackend>;

/** `--debug-sync`: prints each change until the job ends; Ctrl-C offers to cancel it. */
async function followJob(handle: VertexStudyHandle, flags: LaunchFlags, io: CliIo): Promise<number> {
  printJobEvents(handle, io);
  const job = handle.backend;
  const cancelHint = speakAsInvoked(`hptune jobs cancel ${job.job.id} --project ${job.jobName.split('/')[1]} --region ${flags.region}`, io.env);
  let interrupted = false;
  const onInterrupt = () => {
    if (interrupted) {
      io.stderr.write('\nhptune: stopped watching; the job keeps running\n');
      void job.detach();
      return;
    }
    interrupted = true;
    void (async () => {
      const cancel = flags.cancelOnInterrupt || (await confirmCancel(job.jobName, io));
      if (cancel) {
        io.stderr.write(`\nhptune: cancelling ${job.jobName} (running trials are stopped); waiting for it to end\n`);
        await handle.cancel();
      } else {
        io.stderr.write(`\nhptune: stopped watching; the job keeps running. To stop it: ${cancelHint}\n`);
        await job.detach();
      }
    })().catch((error: unknown) => io.stderr.write(`hptune: could not cancel: ${error instanceof Error ? error.message : String(error)}\n`));
  };
  process.on('SIGINT', onInterrupt);
  try {
    const result = await handle.wait();
    io.stdout.write('\n' + formatJobSummary(job.current(), result.best));
    return 0;
  } catch (error) {
    if (error instanceof VertexJobError) {
      io.stdout.write('\n' + formatJobSummary(job.current(), handle.best()));
      if (interrupted && error.state === 'JOB_STATE_CANCELLED') return EXIT_INTERRUPTED;
    }
    if (interrupted && error instanceof HptuneError && error.code === 'WATCH_ABORTED') return EXIT_INTERRUPTED;
    throw error;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/** Asks on a terminal whether to cancel; anywhere else the answer is no. */
async function confirmCancel(jobName: string, io: CliIo): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const prompt = createInterface({ input: process.stdin, output: io.stderr });
  try {
    const answer = await prompt.question(`\nCancel ${jobName}? Its running trials are stopped. [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
