import type { TextSink } from '../train/progress.js';

/** A {@link TextSink} that keeps what was written, for tests. */
export interface RecordingSink extends TextSink {
  /** Everything written, in order. */
  readonly text: () => string;
  /** The complete lines written. */
  readonly lines: () => string[];
}

/** Records writes instead of printing them; `isTTY` and `columns` as given. */
export function recordingSink(options: { isTTY?: boolean; columns?: number } = {}): RecordingSink {
  const chunks: string[] = [];
  return {
    isTTY: options.isTTY ?? false,
    columns: options.columns ?? 80,
    write(text: string) {
      chunks.push(text);
      return true;
    },
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').filter((line) => line !== ''),
  };
}
