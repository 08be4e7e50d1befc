/**
 * A local study's TensorBoard view: the HParams experiment at the study's folder
 * (`<study dir>/<study>`), whose runs are the trials' log dirs (`<trial id>/logs`), so that
 * `tensorboard --logdir <study dir>/<study>` shows every trial side by side in the HParams dashboard.
 *
 * The coordinator is the one writer of each trial's HParams session (hptune's LeNet-5 trainer
 * writes none): after the trial it adds what the run lacks, the session start (parameters, group =
 * trial id), the study metric's measurements as a scalar, and the session end with the study's
 * verdict (SUCCESS for a SUCCEEDED trial, stopped early or not; FAILURE otherwise), which only the
 * coordinator knows. Writing after the fact also keeps a third-party trainer that writes its own
 * session from getting two.
 */
import { existsSync } from 'node:fs';
import { SummaryWriter } from '@hptune/outputs/tensorboard';
import {
  HPARAMS_SESSION_END_TAG,
  HPARAMS_SESSION_START_TAG,
  writeHParamsExperiment,
  writeHParamsSessionEnd,
  writeHParamsSessionStart,
  type HParamsMetric,
  type RecordedHParamValue,
} from '@hptune/outputs/tensorboard';
import { readLogDir, type SummaryPoint } from '@hptune/outputs/tensorboard';
import { PluginName, scalarValue } from '@hptune/outputs/tensorboard';
import { HptuneError } from '../../errors.js';
import type { ParameterSpecs } from '../../space/types.js';
import type { Measurement, TrialSummary } from '../../study/types.js';
import type { StudyDefinition } from '../../study/definition.js';

/**
 * The scalar a trial stopped by the study's early-stopping rule carries in its run: the step it
 * stopped at. The HParams plugin's session status has no "stopped" (only success, failure, running,
 * unknown), so the session ends SUCCESS, as the trial did, and this tag is the column that says stopped.
 */
export const STOPPED_EARLY_TAG = 'hptune/stopped_early_at_step';

/** Scalar tags found in trial runs that the experiment lists as metrics, besides the study's own. @default 16 */
export const MAX_DISCOVERED_METRICS = 16;

/** Options of {@link writeStudyExperiment}. */
export interface StudyExperimentOptions {
  readonly definition: StudyDefinition;
  /** The study's folder, `<study dir>/<study>`. */
  readonly directory: string;
  /** Scalar tags the trials log (e.g. `test/loss`), listed as metrics after the study's; at most {@link MAX_DISCOVERED_METRICS}. */
  readonly scalarTags?: Iterable<string>;
  /**
   * Hyperparameters the trials' sessions record, with the values seen: those the search space lacks
   * (LeNet-5's `learning_rate` and `momentum`, settings of the trainer) are declared too, since
   * TensorBoard's HParams dashboard shows only the hyperparameters the experiment declares.
   */
  readonly recordedHParams?: ReadonlyMap<string, ReadonlySet<RecordedHParamValue>>;
}

/** Hyperparameters found in trials' HParams sessions, each with the values seen. */
export type RecordedHParams = Map<string, Set<RecordedHParamValue>>;

/**
 * Writes (or rewrites) the study's HParams experiment in its folder: every parameter of the search
 * space with its domain, then the other hyperparameters the trials' sessions record; the study's
 * metric first, then the scalar tags its trials log.
 * @returns the event file written
 * @throws TensorBoardWriteError when the file cannot be written
 */
export function writeStudyExperiment(options: StudyExperimentOptions): string {
  const { definition } = options;
  const metric = definition.metric;
  const recorded = options.recordedHParams ?? new Map<string, ReadonlySet<RecordedHParamValue>>();
  const discovered = [...new Set(options.scalarTags ?? [])]
    .filter((tag) => tag !== metric.id && !tag.startsWith('_hparams_/'))
    .sort()
    .slice(0, MAX_DISCOVERED_METRICS);
  const metrics: HParamsMetric[] = [
    { tag: metric.id, description: `The study's metric (${metric.goal}), as the trainer reports it to the metric file.`, datasetType: 'validation' },
    ...discovered.map((tag) => ({ tag, ...datasetOf(tag) })),
  ];
  return writeHParamsExperiment({
    logDir: options.directory,
    name: definition.name,
    description: `hptune study ${definition.name}: ${definition.algorithm} search, ${definition.maxTrials} trials, ${metric.goal} ${metric.id}. Each run \`<trial id>/logs\` is one trial.`,
    // The stored JSON has the specs' own shape, and it was written from the launch's checked space
    // (or, resumed, read back through searchSpaceFromJSON): parsing it again would validate it again.
    parameters: definition.space.parameters as ParameterSpecs,
    recordedValues: Object.fromEntries([...recorded.keys()].sort().map((name) => [name, [...(recorded.get(name) ?? [])]])),
    metrics,
  });
}

/** What a trial's run held, and what {@link completeTrialRun} added. */
export interface TrialRunCompletion {
  /** Scalar tags in the trial's run (its log dir itself), the study metric included once written. */
  readonly scalarTags: ReadonlySet<string>;
  /** The hyperparameters its HParams session records: the trainer's own session, or the trial's parameters when the coordinator wrote it. */
  readonly hparams: Readonly<Record<string, RecordedHParamValue>>;
  /** What the coordinator wrote: `session-start`, `metric`, `session-end`; empty when the trainer wrote everything. */
  readonly wrote: readonly ('session-start' | 'metric' | 'session-end' | 'stopped-early')[];
}

/**
 * The most points of the metric's curve {@link completeTrialRun} writes for a trial: as many as
 * TensorBoard shows of a scalar by default (10,000 held the coordinator for most of a second on a
 * loaded machine).
 */
export const MAX_COMPLETED_SCALARS = 1_000;

/** Options of {@link completeTrialRun}. */
export interface CompleteTrialRunOptions {
  /** The trial's log dir (`AIP_TENSORBOARD_LOG_DIR`), the run. */
  readonly logDir: string;
  /** The trial, finished (its measurements are not read: `metricPoints` are those written). */
  readonly trial: TrialSummary;
  /**
   * The trial's measurements that carry the metric, in order, at most {@link MAX_COMPLETED_SCALARS}
   * of them: a longer curve evenly thinned by the caller, its last kept (the local coordinator's
   * `TrialCurve.metricPoints` builds only those).
   */
  readonly metricPoints: readonly Measurement[];
  /** The study's metric id. */
  readonly metricId: string;
}

/**
 * Fills in what a finished trial's run lacks for the HParams dashboard, in one new event file: the
 * session start (the trial's parameters, group = trial id) when no run under the log dir has one;
 * the study metric's measurements as a scalar of that tag when the run has none; the session end
 * (SUCCESS for a SUCCEEDED trial, FAILURE otherwise) when none was written; for a trial stopped
 * early, {@link STOPPED_EARLY_TAG} at the step the rule stopped it. The metric's curve is the
 * caller's `metricPoints`, at most {@link MAX_COMPLETED_SCALARS}: TensorBoard shows 1,000 points of
 * a scalar by default, and a trainer that reported 100,000 steps must not hold the coordinator for
 * seconds.
 * @throws HptuneError `TB_READ_FAILED`, or TensorBoardWriteError when the file cannot be written
 */
export function completeTrialRun(options: CompleteTrialRunOptions): TrialRunCompletion {
  const { logDir, trial, metricPoints, metricId } = options;
  let hasStart = false;
  let hasEnd = false;
  const scalarTags = new Set<string>();
  const hparams: Record<string, RecordedHParamValue> = {};
  if (existsSync(logDir)) {
    // A trainer killed mid-write leaves a damaged last record: what precedes it still counts.
    for (const run of readLogDir(logDir, { tolerateCorruption: true }).runs) {
      for (const point of run.points) {
        if (point.tag === HPARAMS_SESSION_START_TAG) hasStart = true;
        else if (point.tag === HPARAMS_SESSION_END_TAG) hasEnd = true;
        else if (run.name === '.' && point.pluginName === PluginName.SCALARS) scalarTags.add(point.tag);
      }
      Object.assign(hparams, sessionHParams(run.points));
    }
  }
  // A hyperparameter of the session (the trainer's own session, or the trial's parameters, which the
  // coordinator writes below when the run has none; LeNet-5's learning_rate is also logged as a
  // scalar) is a setting, not a metric of the experiment.
  if (!hasStart) Object.assign(hparams, trial.parameters);
  for (const name of Object.keys(hparams)) scalarTags.delete(name);
  const startSecs = trial.startTime === undefined ? undefined : Date.parse(trial.startTime) / 1000;
  const measurements = scalarTags.has(metricId) ? [] : metricPoints;
  const stoppedAt = trial.stoppedEarly && !scalarTags.has(STOPPED_EARLY_TAG) ? (trial.stoppedAtStep ?? trial.finalMeasurement?.step) : undefined;
  const wrote: ('session-start' | 'metric' | 'session-end' | 'stopped-early')[] = [];
  if (!hasStart) wrote.push('session-start');
  if (measurements.length > 0) wrote.push('metric');
  if (stoppedAt !== undefined) wrote.push('stopped-early');
  if (!hasEnd) wrote.push('session-end');
  if (wrote.length === 0) return { scalarTags, hparams, wrote };

  const writer = new SummaryWriter({ logDir, flushIntervalMs: 0 });
  if (!hasStart) {
    writeHParamsSessionStart({ writer, parameters: trial.parameters, groupName: trial.id, ...(startSecs === undefined ? {} : { startTimeSecs: startSecs }) });
  }
  for (const measurement of measurements) {
    const wallTimeSeconds = startSecs === undefined ? undefined : startSecs + measurement.elapsedSeconds;
    writer.writeValues([scalarValue(metricId, measurement.metrics[metricId] as number)], measurement.step, wallTimeSeconds === undefined ? {} : { wallTimeSeconds });
  }
  if (measurements.length > 0) scalarTags.add(metricId);
  if (stoppedAt !== undefined) {
    const endSecs = trial.endTime === undefined ? undefined : Date.parse(trial.endTime) / 1000;
    writer.writeValues([scalarValue(STOPPED_EARLY_TAG, stoppedAt)], stoppedAt, endSecs === undefined ? {} : { wallTimeSeconds: endSecs });
    scalarTags.add(STOPPED_EARLY_TAG);
  }
  if (!hasEnd) {
    const endSecs = trial.endTime === undefined ? undefined : Date.parse(trial.endTime) / 1000;
    writeHParamsSessionEnd({ writer, status: trial.state === 'SUCCEEDED' ? 'SUCCESS' : 'FAILURE', ...(endSecs === undefined ? {} : { endTimeSecs: endSecs }) });
  }
  const complete = writer.close();
  const status = writer.status();
  if (!complete || status.lastError) {
    throw status.lastError ?? new HptuneError('TB_WRITE_FAILED', `could not write the HParams session of trial ${trial.id} to ${logDir}`);
  }
  return { scalarTags, hparams, wrote };
}

/** What {@link readTrialRuns} found in trial runs. */
export interface TrialRunsContents {
  /** Scalar tags of the runs, without those a session records as a hyperparameter. */
  readonly scalarTags: Set<string>;
  /** The hyperparameters the runs' HParams sessions record that the search space lacks, each with the values seen. */
  readonly hparams: RecordedHParams;
}

/**
 * The scalar tags and session hyperparameters of the trial runs already in a study's folder
 * (`<trial id>/logs`), for the experiment of a resumed study. Unreadable runs are skipped.
 */
export function readTrialRuns(logDirs: Iterable<string>, definition: StudyDefinition): TrialRunsContents {
  const scalarTags = new Set<string>();
  const hparams: RecordedHParams = new Map();
  const hparamNames = new Set<string>();
  for (const logDir of logDirs) {
    if (!existsSync(logDir)) continue;
    try {
      for (const run of readLogDir(logDir, { tolerateCorruption: true }).runs) {
        const session = sessionHParams(run.points);
        for (const name of Object.keys(session)) hparamNames.add(name);
        addRecordedHParams(hparams, session, definition);
        if (run.name !== '.') continue;
        for (const point of run.points) if (point.pluginName === PluginName.SCALARS) scalarTags.add(point.tag);
      }
    } catch {
      // A run that cannot be read adds no metric names; the trial's own files are not ours to judge.
    }
  }
  for (const name of hparamNames) scalarTags.delete(name);
  return { scalarTags, hparams };
}

/**
 * Adds one session's values of the hyperparameters the study's search space does not declare to
 * `into` (the space's own are declared with their domains; tracking their values would only rewrite
 * the experiment after every trial).
 */
export function addRecordedHParams(into: RecordedHParams, values: Readonly<Record<string, RecordedHParamValue>>, definition: StudyDefinition): void {
  const declared = parameterIds(definition.space.parameters as ParameterSpecs);
  for (const [name, value] of Object.entries(values)) {
    if (declared.has(name)) continue;
    const seen = into.get(name) ?? new Set<RecordedHParamValue>();
    seen.add(value);
    into.set(name, seen);
  }
}

/** Every parameter id of `specs`, conditional children included. */
function parameterIds(specs: ParameterSpecs, into = new Set<string>()): Set<string> {
  for (const [id, spec] of Object.entries(specs)) {
    into.add(id);
    for (const condition of spec.conditions ?? []) parameterIds(condition.parameters, into);
  }
  return into;
}

/** The hyperparameter values of the HParams session starts among `points` (text, numbers and booleans). */
function sessionHParams(points: readonly SummaryPoint[]): Record<string, RecordedHParamValue> {
  const values: Record<string, RecordedHParamValue> = {};
  for (const point of points) {
    if (point.kind !== 'hparams' || !point.data.sessionStartInfo) continue;
    for (const [name, value] of Object.entries(point.data.sessionStartInfo.hparams)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') values[name] = value;
    }
  }
  return values;
}

function datasetOf(tag: string): Pick<HParamsMetric, 'datasetType'> {
  if (/^train(ing)?[/_]/.test(tag)) return { datasetType: 'training' };
  if (/^(test|val|validation|eval)[/_]/.test(tag)) return { datasetType: 'validation' };
  return {};
}
