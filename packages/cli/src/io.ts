import { createInterface } from 'node:readline/promises';

/** Where a command writes: the process's streams in real use, buffers in tests. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Environment variables (flag defaults such as `HPTUNE_STUDY_DIR`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where a question's answer comes from; a command asks only when it is a terminal. @default none: nothing is asked */
  readonly stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** Sets the process exit code a command finished with. */
export type SetExitCode = (code: number) => void;

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: process.stdin };
}

/**
 * Asks a yes/no question on stderr and reads the answer from stdin: `true` for `y` or `yes`,
 * `false` for anything else, `undefined` when stdin is not a terminal (nobody to ask: the caller
 * says which flag answers it instead).
 */
export async function confirm(question: string, io: CliIo): Promise<boolean | undefined> {
  if (!io.stdin?.isTTY) return undefined;
  const prompt = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
