import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Lines of the trainer's stderr kept in a failure. */
export const STDERR_TAIL_LINES = 20;

/** The last {@link STDERR_TAIL_LINES} lines of a file (reading at most its last 16 KiB). */
export function stderrTail(file: string, lines = STDERR_TAIL_LINES): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 16 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}
