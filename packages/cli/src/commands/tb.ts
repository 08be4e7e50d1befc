import { openStudy } from '@hptune/core';
import { inspectLogDir, type LogDirInspection } from '@hptune/core/tensorboard';
import type { CliIo } from '../io.js';
import { formatTable } from '../reporters/format.js';

/** `hptune tb inspect <dir>`: runs, tags, counts and last values of a TensorBoard log directory. */
export function inspectCommand(dir: string, flags: { json?: boolean }, io: CliIo): number {
  const inspection = inspectLogDir(dir);
  io.stdout.write(flags.json ? JSON.stringify(inspection, null, 2) + '\n' : formatInspection(inspection));
  return inspection.problems.length > 0 ? 1 : 0;
}

/** The human view of an inspection: one block per run, one row per tag, problems last. */
export function formatInspection(inspection: LogDirInspection): string {
  const lines: string[] = [`${inspection.root}: ${inspection.runs.length} run(s)`];
  for (const run of inspection.runs) {
    lines.push('', `run ${run.name}: ${run.files} file(s), ${run.events} events, ${run.bytes} bytes` + (run.trailingBytes ? `, ${run.trailingBytes} bytes still being written` : ''));
    if (run.experiment) lines.push(`  hparams experiment: parameters ${run.experiment.hparams.join(', ')}; metrics ${run.experiment.metrics.join(', ')}`);
    if (run.session) {
      const values = Object.entries(run.session.hparams).map(([name, value]) => `${name}=${String(value)}`).join(' ');
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
