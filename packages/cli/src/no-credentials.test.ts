import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { builtFile } from '@hptune/testing/built';
import { createProgram } from './main.js';
import { processIo } from './io.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'hptune-no-credentials-'));
const IMAGE = 'us-docker.pkg.dev/my-project-123/hptune/lenet5:latest';

/**
 * Each command as a new user would first type it on a machine without Google Cloud credentials,
 * with the exit code it must end with. A command added to the CLI without an entry here fails the test.
 */
const FIRST_RUNS: Readonly<Record<string, { args: string[]; code: number }>> = {
  train: { args: ['--activation', 'tanh'], code: 2 },
  'study run': { args: ['--name', 'first', '--quick', '--study-dir', join(scratch, 'passwd', 'studies')], code: 2 },
  'study resume': { args: ['first', '--study-dir', scratch], code: 2 },
  'study list': { args: ['--study-dir', scratch], code: 0 },
  'study show': { args: ['first', '--study-dir', scratch], code: 2 },
  'study delete': { args: ['first', '--study-dir', scratch, '--yes'], code: 2 },
  'tb inspect': { args: [join(scratch, 'no-logs')], code: 1 },
  tensorboard: { args: ['first', '--study-dir', scratch], code: 2 },
  launch: { args: ['--project', 'my-project-123', '--bucket', 'my-bucket-123', '--use-custom-container', '--container-uri', IMAGE], code: 2 },
  'jobs list': { args: ['--project', 'my-project-123'], code: 2 },
  'jobs show': { args: ['123', '--project', 'my-project-123'], code: 2 },
  'jobs cancel': { args: ['123', '--project', 'my-project-123'], code: 2 },
  'jobs report': { args: ['123', '--project', 'my-project-123'], code: 2 },
  'study report': { args: ['first', '--study-dir', scratch], code: 2 },
  dashboard: { args: ['--port', '70000'], code: 2 },
};

/** Every runnable command of the program, as `study run`, `jobs list`, ... */
function commandPaths(command: Command, prefix: string[] = []): string[] {
  return command.commands.flatMap((sub) => {
    const path = [...prefix, sub.name()];
    return sub.commands.length === 0 ? [path.join(' ')] : commandPaths(sub, path);
  });
}

/** Runs the built `hptune` as a user's shell would, never throwing on a non-zero exit. */
async function hptune(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  const run = promisify(execFile);
  try {
    const { stdout, stderr } = await run(process.execPath, [builtFile(BIN), ...args], { env, timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, output: (failed.stdout ?? '') + (failed.stderr ?? '') };
  }
}

/** No Application Default Credentials anywhere: no key file, an empty gcloud folder, no metadata server. */
function withoutCredentials(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(GOOGLE_|GCLOUD_|CLOUDSDK_|GCE_|HPTUNE_|CLOUD_ML_)/.test(key)) env[key] = value;
  }
  const gcloud = join(scratch, 'gcloud');
  mkdirSync(gcloud, { recursive: true });
  // Port 9 (discard) on loopback: the metadata server probe is refused at once.
  return { ...env, CLOUDSDK_CONFIG: gcloud, GCE_METADATA_HOST: '127.0.0.1:9', ...extra };
}

function expectOneCleanLine(command: string, output: string): void {
  expect(output, command).not.toMatch(/^\s+at .+:\d+/m);
  expect(output, command).not.toMatch(/unexpected error|please report|node:internal|Node\.js v\d/);
  const errors = output.split('\n').filter((line) => /^hptune(-train)?: /.test(line) && !/^hptune: warning/.test(line));
  expect(errors, command).toHaveLength(1);
}

describe('every command without Google Cloud credentials', () => {
  writeFileSync(join(scratch, 'passwd'), 'root:x:0:0\n');

  it('has a first run for every command the CLI declares', () => {
    expect(commandPaths(createProgram(processIo(), () => {})).sort()).toEqual(Object.keys(FIRST_RUNS).sort());
  });

  // Eleven processes at once: give a loaded machine time.
  it('ends each with its exit code and one line, never a stack trace', { timeout: 180_000 }, async () => {
    const env = withoutCredentials();
    const runs = await Promise.all(Object.entries(FIRST_RUNS).map(async ([command, { args }]) => [command, await hptune([...command.split(' '), ...args], env)] as const));
    for (const [command, { code, output }] of runs) {
      expect(code, `${command}: ${output}`).toBe(FIRST_RUNS[command]?.code);
      if (code !== 0) expectOneCleanLine(command, output);
    }
    const cloud = Object.fromEntries(runs.filter(([command]) => command === 'launch' || command.startsWith('jobs ')));
    for (const [command, { output }] of Object.entries(cloud)) {
      expect(output, command).toMatch(/no Application Default Credentials; run `gcloud auth application-default login`/);
    }
  });

  it('says so in one line when the credentials exist but cannot be used', async () => {
    const keyFile = join(scratch, 'key.json');
    writeFileSync(keyFile, '{}');
    const env = withoutCredentials({ GOOGLE_APPLICATION_CREDENTIALS: keyFile });
    const { code, output } = await hptune(['jobs', 'show', ...(FIRST_RUNS['jobs show']?.args ?? [])], env);
    expect(code, output).toBe(2);
    expectOneCleanLine('jobs show', output);
    expect(output).toMatch(/credentials "the key file GOOGLE_APPLICATION_CREDENTIALS names" cannot be used: .*client_email.*; run `gcloud auth application-default login` again/);
  });
});
