import { openStudy } from '@hptune/core';
import { inspectLogDir, type LogDirInspection } from '@hptune/core/tensorboard';
import type { CliIo } from '../io.js';
import { formatParameterValue, formatTable } from '../reporters/format.js';

/**
 * `hptune tb inspect <dir>`: a TensorBoard log directory at a glance (one row per run, one per tag
 * across runs), or with `--runs` every run's tags, counts and last values; problems last, exit 1.
 */
export function inspectCommand(dir: string, flags: { json?: boolean; runs?: boolean }, io: CliIo): number {
  const inspection = inspectLogDir(dir);
  io.stdout.write(flags.json ? JSON.stringify(inspection, null, 2) + '\n' : flags.runs ? formatInspection(inspection) : formatInspectionSummary(inspection));
  return inspection.problems.length > 0 ? 1 : 0;
}

/**
 * The default view: the sessions' states, one row per run (its HParams session's values and last
 * value of the experiment's first metric), then each tag once with the runs that have it.
 */
export function formatInspectionSummary(inspection: LogDirInspection): string {
  const experiment = inspection.runs.find((run) => run.experiment)?.experiment;
  const sessions = inspection.runs.filter((run) => run.session);
  const states = new Map<string, number>();
  for (const run of sessions) states.set(run.session?.status ?? 'no end yet', (states.get(run.session?.status ?? 'no end yet') ?? 0) + 1);
  const lines = [
    `${inspection.root}: ${inspection.runs.length} run(s), ${sessions.length} HParams session(s)` +
      (states.size > 0 ? `: ${[...states].map(([state, count]) => `${count} ${state}`).join(', ')}` : ''),
  ];
  if (experiment) lines.push(`hparams experiment: parameters ${experiment.hparams.join(', ')}; metrics ${experiment.metrics.join(', ')}`);
  const parameters = experiment?.hparams ?? [...new Set(sessions.flatMap((run) => Object.keys(run.session?.hparams ?? {})))];
  const metric = experiment?.metrics[0];
  const runRows = inspection.runs.map((run) => [
    run.name,
    run.session ? (run.session.status ?? 'no end yet') : run.experiment ? 'experiment' : '-',
    ...parameters.map((name) => (run.session && name in run.session.hparams ? formatSessionValue(run.session.hparams[name]) : '')),
    ...(metric === undefined ? [] : [formatLast(run.tags.find((tag) => tag.tag === metric)?.lastValue)]),
    String(run.events),
  ]);
  lines.push('', formatTable(['run', 'status', ...parameters, ...(metric === undefined ? [] : [metric]), 'events'], runRows));
  const byTag = new Map<string, { plugin: string; runs: number; points: number }>();
  for (const run of inspection.runs) {
    for (const tag of run.tags.filter((each) => each.pluginName !== 'hparams')) {
      const seen = byTag.get(tag.tag) ?? { plugin: tag.pluginName || '-', runs: 0, points: 0 };
      byTag.set(tag.tag, { ...seen, runs: seen.runs + 1, points: seen.points + tag.count });
    }
  }
  const tagRows = [...byTag].sort(([a], [b]) => a.localeCompare(b)).map(([tag, seen]) => [tag, seen.plugin, String(seen.runs), String(seen.points)]);
  if (tagRows.length > 0) lines.push('', formatTable(['tag', 'plugin', 'runs', 'points'], tagRows));
  for (const problem of inspection.problems) lines.push(`problem: ${problem.file} at byte ${problem.offset}: ${problem.message}`);
  lines.push('', 'every run\'s tags, steps and last values: add --runs; all of it as JSON: --json');
  return lines.join('\n') + '\n';
}

/** A session's hyperparameter value as tables print parameters (a double with 4 significant digits). */
function formatSessionValue(value: unknown): string {
  return typeof value === 'number' || typeof value === 'string' ? formatParameterValue(value) : String(value);
}

function formatLast(value: number | undefined): string {
  return value === undefined ? '' : String(Number(value.toPrecision(4)));
}

/** The `--runs` view of an inspection: one block per run, one row per tag, problems last. */
export function formatInspection(inspection: LogDirInspection): string {
  const lines: string[] = [`${inspection.root}: ${inspection.runs.length} run(s)`];
  for (const run of inspection.runs) {
    lines.push('', `run ${run.name}: ${run.files} file(s), ${run.events} events, ${run.bytes} bytes` + (run.trailingBytes ? `, ${run.trailingBytes} bytes still being written` : ''));
    if (run.experiment) lines.push(`  hparams experiment: parameters ${run.experiment.hparams.join(', ')}; metrics ${run.experiment.metrics.join(', ')}`);
    if (run.session) {
      const values = Object.entries(run.session.hparams).map(([name, value]) => `${name}=${formatSessionValue(value)}`).join(' ');
      lines.push(`  hparams session ${run.session.groupName ?? ''}: ${values} (${run.session.status ?? 'no end yet'})`);
    }
    const rows = run.tags
      .filter((tag) => tag.pluginName !== 'hparams')
      .map((tag) => [
        tag.tag,
        tag.pluginName || '-',
        String(tag.count),
        tag.count > 0 ? `${tag.firstStep}..${tag.lastStep}` : '-',
        tag.lastValue === undefined ? '' : String(Number(tag.lastValue.toPrecision(6))),
      ]);
    if (rows.length > 0) lines.push(indent(formatTable(['tag', 'plugin', 'count', 'steps', 'last'], rows)));
  }
  for (const problem of inspection.problems) lines.push(`problem: ${problem.file} at byte ${problem.offset}: ${problem.message}`);
  return lines.join('\n') + '\n';
}

/** `hptune tensorboard <study>`: the command that opens every trial of a study in TensorBoard. */
export function tensorboardCommand(name: string, flags: { studyDir: string }, io: CliIo): number {
  const { study } = openStudy(name, { studyDir: flags.studyDir });
  io.stdout.write(
    `tensorboard --logdir ${shellQuote(study.directory)}\n` +
      '# then open http://localhost:6006 (HParams tab: every trial side by side); pip install tensorboard if it is missing\n',
  );
  return 0;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

function shellQuote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
