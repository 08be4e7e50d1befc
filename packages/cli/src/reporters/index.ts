import type { CliIo } from '../io.js';
import { jsonLinesReporter } from './json.js';
import { plainReporter } from './plain.js';
import { ttyReporter } from './tty.js';
import type { StudyReporter } from './types.js';

export type { StudyHeader, StudyReporter, StudySummary } from './types.js';

/** Live progress on a terminal, plain lines otherwise, NDJSON with `--json`. */
export function chooseReporter(io: CliIo, options: { json?: boolean }): StudyReporter {
  if (options.json) return jsonLinesReporter(io.stdout);
  if (io.stdout.isTTY) return ttyReporter(io.stdout, { columns: io.stdout.columns });
  return plainReporter(io.stdout);
}
