/**
 * A log directory at a glance, the data `hptune tb inspect <dir>` prints: runs, their tags with
 * plugin, count and last value, HParams sessions, and any damage found.
 */
import { SessionStatusCode, type ProtoValue } from './proto/hparams.js';
import { DataClass } from './proto/tensorboard.js';
import { readLogDir, type SummaryPoint } from './reader.js';

/** One tag of a run. */
export interface TagInspection {
  readonly tag: string;
  /** The plugin that shows it (`scalars`, `histograms`, `images`, `text`, `hparams`, ...); '' when none. */
  readonly pluginName: string;
  readonly dataClass: 'scalar' | 'tensor' | 'blob-sequence' | 'unknown';
  /** Values logged. */
  readonly count: number;
  readonly firstStep: number;
  readonly lastStep: number;
  /** Seconds since the Unix epoch of the last value. */
  readonly lastWallTime: number;
  /** The last value, for scalars. */
  readonly lastValue?: number;
}

/** A run's HParams session, when it has one. */
export interface SessionInspection {
  readonly groupName?: string;
  readonly hparams: Readonly<Record<string, ProtoValue>>;
  /** `SUCCESS`, `FAILURE`, `RUNNING`, `UNKNOWN`; absent while the session has no end. */
  readonly status?: string;
}

/** One run of a log directory. */
export interface RunInspection {
  /** Relative to the root, `/`-separated; `.` for the root. */
  readonly name: string;
  readonly files: number;
  readonly bytes: number;
  readonly events: number;
  /** Bytes of a record still being written, across the run's files. */
  readonly trailingBytes: number;
  /** Tags sorted by name. */
  readonly tags: TagInspection[];
  /** The HParams experiment's parameter and metric names, when this run holds it. */
  readonly experiment?: { readonly hparams: string[]; readonly metrics: string[] };
  readonly session?: SessionInspection;
}

/** What {@link inspectLogDir} found. */
export interface LogDirInspection {
  readonly root: string;
  /** Runs sorted by name, numbers by value: `1/logs`, `2/logs`, ..., `10/logs`. */
  readonly runs: RunInspection[];
  /** Corrupt records, one line each: file, byte offset and what is wrong. The rest was still read. */
  readonly problems: { readonly file: string; readonly offset: number; readonly message: string }[];
}

const DATA_CLASS_NAMES: Record<number, TagInspection['dataClass']> = {
  [DataClass.SCALAR]: 'scalar',
  [DataClass.TENSOR]: 'tensor',
  [DataClass.BLOB_SEQUENCE]: 'blob-sequence',
};

const STATUS_NAMES: Record<number, string> = {
  [SessionStatusCode.UNKNOWN]: 'UNKNOWN',
  [SessionStatusCode.SUCCESS]: 'SUCCESS',
  [SessionStatusCode.FAILURE]: 'FAILURE',
  [SessionStatusCode.RUNNING]: 'RUNNING',
};

/**
 * Summarizes a log directory (or one event file): every run with its tags, counts and last
 * scalar values, and its HParams experiment or session. Corrupt records do not stop it: what came
 * before them is counted and each is listed in `problems`.
 */
export function inspectLogDir(path: string): LogDirInspection {
  const contents = readLogDir(path, { tolerateCorruption: true });
  const runs = contents.runs.map((run): RunInspection => {
    const byTag = new Map<string, SummaryPoint[]>();
    for (const point of run.points) {
      const points = byTag.get(point.tag);
      if (points) points.push(point);
      else byTag.set(point.tag, [point]);
    }
    const tags = [...byTag.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([tag, points]) => inspectTag(tag, points));
    let experiment: RunInspection['experiment'];
    let session: { groupName?: string; hparams: Record<string, ProtoValue>; status?: string } | undefined;
    for (const point of run.points) {
      if (point.kind !== 'hparams') continue;
      const { experiment: found, sessionStartInfo, sessionEndInfo } = point.data;
      if (found) {
        experiment = {
          hparams: found.hparamInfos.map((info) => info.name),
          metrics: found.metricInfos.map((info) => (info.name.group ? `${info.name.group}/${info.name.tag}` : info.name.tag)),
        };
      }
      if (sessionStartInfo) {
        session = { ...session, hparams: sessionStartInfo.hparams, ...(sessionStartInfo.groupName ? { groupName: sessionStartInfo.groupName } : {}) };
      }
      if (sessionEndInfo) session = { hparams: {}, ...session, status: STATUS_NAMES[sessionEndInfo.status] ?? String(sessionEndInfo.status) };
    }
    return {
      name: run.name,
      files: run.files.length,
      bytes: run.files.reduce((sum, file) => sum + file.bytes, 0),
      events: run.files.reduce((sum, file) => sum + file.events.length, 0),
      trailingBytes: run.files.reduce((sum, file) => sum + file.trailingBytes, 0),
      tags,
      ...(experiment ? { experiment } : {}),
      ...(session ? { session } : {}),
    };
  });
  // Trial runs are numbered: 2 comes before 10.
  runs.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  return {
    root: contents.root,
    runs,
    problems: contents.problems.map((problem) => ({ file: problem.source, offset: problem.offset, message: problem.message })),
  };
}

function inspectTag(tag: string, points: readonly SummaryPoint[]): TagInspection {
  const first = points[0] as SummaryPoint;
  const last = points[points.length - 1] as SummaryPoint;
  return {
    tag,
    pluginName: first.pluginName,
    dataClass: DATA_CLASS_NAMES[first.dataClass] ?? 'unknown',
    count: points.length,
    firstStep: first.step,
    lastStep: last.step,
    lastWallTime: last.wallTime,
    ...(last.kind === 'scalar' ? { lastValue: last.value } : {}),
  };
}
