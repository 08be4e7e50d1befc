/**
 * HParams for TensorBoard's HParams dashboard: the experiment (every parameter with its domain,
 * every metric) at a study's log root, and per trial a session start (its parameter values,
 * group name = trial id) and a session end (its status), in the trial's run directory.
 *
 * TensorBoard finds a trial's metrics in the run `<trial run>/<metric group>`: with the default
 * group '' that is the trial's own run directory, where the trainer writes its scalars.
 * @see https://github.com/tensorflow/tensorboard/blob/master/tensorboard/plugins/hparams/plugin_data.proto
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HptuneError, ValidationError } from '@hptune/trial';
import type { ParameterSpec, ParameterSpecs, TrialParameters } from '@hptune/trial';
import { SummaryWriter, isEventFileName } from './event-writer.js';
import {
  DatasetType,
  HParamDataType,
  SessionStatusCode,
  encodeHParamsPluginData,
  type Experiment,
  type HParamInfo,
  type HParamsPluginData,
  type MetricInfo,
} from './proto/hparams.js';
import { DataClass, type SummaryValue } from './proto/tensorboard.js';
import { readEventFile } from './reader.js';
import { PluginName, nullTensor } from './summaries.js';

/** The tag of the experiment summary. */
export const HPARAMS_EXPERIMENT_TAG = '_hparams_/experiment';
/** The tag of a session's start. */
export const HPARAMS_SESSION_START_TAG = '_hparams_/session_start_info';
/** The tag of a session's end. */
export const HPARAMS_SESSION_END_TAG = '_hparams_/session_end_info';

/** Integer parameters, and numeric hyperparameters sessions recorded, with at most this many values get a discrete domain; wider ones an interval. @default 100 */
export const MAX_DISCRETE_INTEGER_VALUES = 100;

/** A metric the HParams dashboard shows for each trial. */
export interface HParamsMetric {
  /** The scalar tag the trainer logs, e.g. `test/accuracy`. */
  tag: string;
  /** The run below each trial's run that holds the tag, e.g. `validation`. @default '' (the trial's run) */
  group?: string;
  displayName?: string;
  description?: string;
  datasetType?: 'training' | 'validation';
}

/** A value a session records for a hyperparameter: text, a number or a boolean. */
export type RecordedHParamValue = string | number | boolean;

/** What the HParams experiment describes. */
export interface HParamsExperimentOptions {
  /** The study's parameters (a search space's `parameters`); conditional children are included. */
  parameters: ParameterSpecs;
  /**
   * Hyperparameters the sessions record that `parameters` does not declare (a trainer's own
   * settings, e.g. LeNet-5's `learning_rate` and `momentum`), each with the values the sessions
   * hold: declared with the type of those values and, for text and numbers, those values as a
   * discrete domain (numbers with more than {@link MAX_DISCRETE_INTEGER_VALUES} distinct values get
   * the interval they span). TensorBoard's HParams dashboard shows only what the experiment declares.
   */
  recordedValues?: Readonly<Record<string, readonly RecordedHParamValue[]>>;
  metrics: readonly HParamsMetric[];
  /** The experiment's name, e.g. the study's. */
  name?: string;
  /** Markdown. */
  description?: string;
  user?: string;
  /** Seconds since the Unix epoch. @default now */
  timeCreatedSecs?: number;
}

/** How a trial ended, in the HParams dashboard's words. */
export type HParamsSessionStatus = 'SUCCESS' | 'FAILURE' | 'RUNNING' | 'UNKNOWN';

/** A trial's session start. */
export interface HParamsSessionStartOptions {
  /** The trial's parameter values (only its active parameters). */
  parameters: TrialParameters;
  /** The trial id: sessions of one group are repeats of one configuration. */
  groupName: string;
  /** Seconds since the Unix epoch. @default now */
  startTimeSecs?: number;
  /** Where the trial's model is saved. */
  modelUri?: string;
}

/** A trial's session end. */
export interface HParamsSessionEndOptions {
  status: HParamsSessionStatus;
  /** Seconds since the Unix epoch. @default now */
  endTimeSecs?: number;
}

/** Builds the `Experiment` message: one `HParamInfo` per parameter with its domain, one `MetricInfo` per metric. */
export function hparamsExperiment(options: HParamsExperimentOptions): Experiment {
  if (options.metrics.length === 0) {
    throw new ValidationError({ field: 'metrics', value: [], problem: 'is empty', fix: "name at least one metric tag, e.g. { tag: 'accuracy' }" });
  }
  const infos = new Map<string, HParamInfo>();
  collectParameters(options.parameters, infos);
  for (const [name, values] of Object.entries(options.recordedValues ?? {})) {
    if (!infos.has(name)) infos.set(name, recordedHParamInfo(name, values));
  }
  return {
    ...(options.name ? { name: options.name } : {}),
    ...(options.description ? { description: options.description } : {}),
    ...(options.user ? { user: options.user } : {}),
    timeCreatedSecs: options.timeCreatedSecs ?? Date.now() / 1000,
    hparamInfos: [...infos.values()],
    metricInfos: options.metrics.map(metricInfo),
  };
}

/** The experiment as a summary value (tag {@link HPARAMS_EXPERIMENT_TAG}). */
export function hparamsExperimentValue(options: HParamsExperimentOptions): SummaryValue {
  return hparamsValue(HPARAMS_EXPERIMENT_TAG, { version: 0, experiment: hparamsExperiment(options) });
}

/** A trial's session start as a summary value (tag {@link HPARAMS_SESSION_START_TAG}). */
export function hparamsSessionStartValue(options: HParamsSessionStartOptions): SummaryValue {
  if (typeof options.groupName !== 'string' || options.groupName.length === 0) {
    throw new ValidationError({ field: 'groupName', value: options.groupName, problem: 'must be a non-empty string', fix: 'pass the trial id' });
  }
  return hparamsValue(HPARAMS_SESSION_START_TAG, {
    version: 0,
    sessionStartInfo: {
      hparams: { ...options.parameters },
      groupName: options.groupName,
      startTimeSecs: options.startTimeSecs ?? Date.now() / 1000,
      ...(options.modelUri ? { modelUri: options.modelUri } : {}),
    },
  });
}

/** A trial's session end as a summary value (tag {@link HPARAMS_SESSION_END_TAG}). */
export function hparamsSessionEndValue(options: HParamsSessionEndOptions): SummaryValue {
  const status = Object.hasOwn(SessionStatusCode, options.status) ? SessionStatusCode[options.status] : undefined;
  if (status === undefined) {
    throw new ValidationError({ field: 'status', value: options.status, problem: 'is not a session status', fix: 'pass SUCCESS, FAILURE, RUNNING or UNKNOWN' });
  }
  return hparamsValue(HPARAMS_SESSION_END_TAG, {
    version: 0,
    sessionEndInfo: { status, endTimeSecs: options.endTimeSecs ?? Date.now() / 1000 },
  });
}

/**
 * Writes the experiment into `logDir` (the study's log root), replacing an experiment written
 * there before (files that hold nothing else are removed), since TensorBoard keeps the first it sees.
 * @returns the event file written
 * @throws TensorBoardWriteError when the file cannot be written
 */
export function writeHParamsExperiment(options: HParamsExperimentOptions & { logDir: string }): string {
  const value = hparamsExperimentValue(options);
  const previous = experimentOnlyFiles(options.logDir);
  const path = writeOnce(options.logDir, value);
  for (const file of previous) rmSync(file, { force: true });
  return path;
}

/**
 * Where a session summary goes: a run directory (a file of its own, written at once), or the
 * trial's own open writer. A TensorBoard that reads while trials run follows only the newest file
 * of a run unless started with `--reload_multifile=true`; writing through the trainer's writer
 * keeps a run to one file at a time.
 */
export type HParamsDestination = { logDir: string } | { writer: SummaryWriter };

/**
 * Writes a trial's session start: with `logDir`, before the trial writes there; with `writer`,
 * through the trial's own writer.
 * @returns the event file written
 */
export function writeHParamsSessionStart(options: HParamsSessionStartOptions & HParamsDestination): string {
  const value = hparamsSessionStartValue(options);
  return writeTo(options, value, options.startTimeSecs);
}

/**
 * Writes a trial's session end: with `logDir`, after the trial is done writing; with `writer`,
 * through the trial's own writer before it is closed.
 * @returns the event file written
 */
export function writeHParamsSessionEnd(options: HParamsSessionEndOptions & HParamsDestination): string {
  return writeTo(options, hparamsSessionEndValue(options), options.endTimeSecs);
}

function writeTo(destination: HParamsDestination, value: SummaryValue, wallTimeSeconds: number | undefined): string {
  if ('writer' in destination) {
    destination.writer.writeValues([value], 0, wallTimeSeconds === undefined ? {} : { wallTimeSeconds });
    return destination.writer.path;
  }
  return writeOnce(destination.logDir, value, wallTimeSeconds);
}

function hparamsValue(tag: string, data: HParamsPluginData): SummaryValue {
  return {
    tag,
    metadata: { pluginData: { pluginName: PluginName.HPARAMS, content: encodeHParamsPluginData(data) }, dataClass: DataClass.TENSOR },
    tensor: nullTensor(),
  };
}

function writeOnce(logDir: string, value: SummaryValue, wallTimeSeconds?: number): string {
  // Its own file, finished at once: it never interleaves with a trainer's file in the same run.
  const writer = new SummaryWriter({ logDir, flushIntervalMs: 0 });
  writer.writeValues([value], 0, wallTimeSeconds === undefined ? {} : { wallTimeSeconds });
  const written = writer.close();
  const status = writer.status();
  if (!written || status.lastError) {
    throw status.lastError ?? new HptuneError('TB_WRITE_FAILED', `could not write ${value.tag} to ${logDir}`);
  }
  return writer.path;
}

function experimentOnlyFiles(logDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(logDir).filter(isEventFileName);
  } catch {
    return [];
  }
  return names
    .map((name) => join(logDir, name))
    .filter((file) => {
      try {
        const { events } = readEventFile(file);
        const tags = events.flatMap(({ event }) => (event.summary?.value ?? []).map((value) => value.tag));
        const others = events.filter(({ event }) => !event.summary && event.fileVersion === undefined);
        return tags.length > 0 && others.length === 0 && tags.every((tag) => tag === HPARAMS_EXPERIMENT_TAG);
      } catch {
        return false;
      }
    });
}

function collectParameters(parameters: ParameterSpecs, into: Map<string, HParamInfo>): void {
  for (const [name, spec] of Object.entries(parameters)) {
    // Ids are unique across a valid space, children included.
    if (!into.has(name)) into.set(name, hparamInfo(name, spec));
    for (const condition of spec.conditions ?? []) collectParameters(condition.parameters, into);
  }
}

function hparamInfo(name: string, spec: ParameterSpec): HParamInfo {
  switch (spec.kind) {
    case 'double':
      return { name, type: HParamDataType.FLOAT64, domainInterval: { minValue: spec.min, maxValue: spec.max } };
    case 'integer': {
      const count = spec.max - spec.min + 1;
      if (count > MAX_DISCRETE_INTEGER_VALUES) {
        return { name, type: HParamDataType.FLOAT64, domainInterval: { minValue: spec.min, maxValue: spec.max } };
      }
      return { name, type: HParamDataType.FLOAT64, domainDiscrete: Array.from({ length: count }, (_, index) => spec.min + index) };
    }
    case 'discrete':
      return { name, type: HParamDataType.FLOAT64, domainDiscrete: [...spec.values] };
    case 'categorical':
      return { name, type: HParamDataType.STRING, domainDiscrete: [...spec.values] };
  }
}

/** A hyperparameter declared from the values sessions recorded for it; mixed types get no type or domain. */
function recordedHParamInfo(name: string, values: readonly RecordedHParamValue[]): HParamInfo {
  const distinct = [...new Set(values)];
  if (distinct.length > 0 && distinct.every((value) => typeof value === 'string')) {
    return { name, type: HParamDataType.STRING, domainDiscrete: distinct.sort() };
  }
  if (distinct.length > 0 && distinct.every((value) => typeof value === 'boolean')) return { name, type: HParamDataType.BOOL };
  if (distinct.length > 0 && distinct.every((value) => typeof value === 'number' && Number.isFinite(value))) {
    const numbers = (distinct as number[]).sort((a, b) => a - b);
    if (numbers.length <= MAX_DISCRETE_INTEGER_VALUES) return { name, type: HParamDataType.FLOAT64, domainDiscrete: numbers };
    return { name, type: HParamDataType.FLOAT64, domainInterval: { minValue: numbers[0] as number, maxValue: numbers[numbers.length - 1] as number } };
  }
  return { name };
}

function metricInfo(metric: HParamsMetric): MetricInfo {
  if (typeof metric.tag !== 'string' || metric.tag.length === 0) {
    throw new ValidationError({ field: 'metrics[].tag', value: metric.tag, problem: 'must be a non-empty string', fix: "pass the scalar tag the trainer logs, e.g. 'accuracy'" });
  }
  return {
    name: { tag: metric.tag, ...(metric.group ? { group: metric.group } : {}) },
    ...(metric.displayName ? { displayName: metric.displayName } : {}),
    ...(metric.description ? { description: metric.description } : {}),
    ...(metric.datasetType ? { datasetType: metric.datasetType === 'training' ? DatasetType.TRAINING : DatasetType.VALIDATION } : {}),
  };
}
