import { PassThrough } from 'node:stream';
import { main } from '../src/main.js';

/** Runs `hptune <argv>` in-process with captured output, as a user's terminal would see it (no TTY). */
export async function runCli(argv: readonly string[], env: Record<string, string | undefined> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await main(argv, { stdout, stderr, env });
  return { code, stdout: out, stderr: err };
}
