import { spawnSync } from 'node:child_process';

/**
 * The interpreter `python3` on PATH runs, as its absolute path (`sys.executable`), or undefined
 * when there is none. Tests start it directly: a version manager's `python3` shim (pyenv) can take
 * seconds per start on a loaded machine, and a study starts one per trial.
 */
export function pythonExecutable(python = 'python3'): string | undefined {
  const run = spawnSync(python, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return run.status === 0 && run.stdout.trim() !== '' ? run.stdout.trim() : undefined;
}
