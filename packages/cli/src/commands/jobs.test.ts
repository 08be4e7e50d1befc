import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGcsFixture, type GcsFixture } from '@hptune/testing/gcs';
import { startJobServiceFixture, type JobServiceFixture } from '@hptune/testing/vertex';
import { runCli } from '../../test/cli-harness.js';

let fixture: JobServiceFixture;
let gcs: GcsFixture;
let finished: string;
let running: string;

/** Launches a 3-trial job on the fixtures; `--debug-sync` follows it to the end. */
async function launch(name: string, ...extra: string[]): Promise<string> {
  const result = await runCli(
    [
      'launch', '--project', 'my-project', '--bucket', 'hptune-jobs', '--use-custom-container', '--container-uri', 'us-docker.pkg.dev/my-project/r/lenet5:1',
      '--api-endpoint', fixture.endpoint, '--max-trial-count', '3', '--max-parallel-trial-count', '3', '--name', name, ...extra,
    ],
    { STORAGE_EMULATOR_HOST: gcs.url },
  );
  const created = /created (\S+)/.exec(result.stdout)?.[1];
  if (!created) throw new Error(`launch failed: ${result.stderr}`);
  return created;
}

beforeAll(async () => {
  fixture = await startJobServiceFixture({ outcome: ({ id }) => ({ kind: 'succeed', values: [0.5 + Number(id) / 10] }) });
  gcs = await startGcsFixture({ buckets: [{ name: 'hptune-jobs', location: 'US-CENTRAL1' }] });
  finished = await launch('finished', '--debug-sync', '--poll-interval', '0.01');
  // Nobody polls this one, so it stays QUEUED.
  running = await launch('running');
});
afterAll(async () => {
  await fixture?.close();
  await gcs?.close();
});

describe('hptune jobs', () => {
  it('lists the jobs of a project and region, newest first', async () => {
    const result = await runCli(['jobs', 'list', '--project', 'my-project', '--api-endpoint', fixture.endpoint]);
    expect(result.code).toBe(0);
    const [header, rule, first, second] = result.stdout.trim().split('\n');
    expect(header).toMatch(/^id\s+display name\s+state\s+trials\s+created$/);
    expect(rule).toMatch(/^-+/);
    expect(first).toMatch(new RegExp(`^${running.split('/').pop()}\\s+hptune-running\\s+QUEUED\\s+0/3`));
    expect(second).toMatch(new RegExp(`^${finished.split('/').pop()}\\s+hptune-finished\\s+SUCCEEDED\\s+3/3`));
  });

  it('shows a job by id as the documented JSON, with its trials and best trial', async () => {
    const id = finished.split('/').pop() ?? '';
    const result = await runCli(['jobs', 'show', id, '--project', 'my-project', '--api-endpoint', fixture.endpoint, '--json']);
    expect(result.code).toBe(0);
    const job = JSON.parse(result.stdout) as {
      name: string;
      state: string;
      trials: { id: string; state: string; parameters: Record<string, unknown>; metrics: Record<string, number> }[];
      best: { id: string; metrics: Record<string, number> };
    };
    expect(job).toMatchObject({ name: finished, state: 'JOB_STATE_SUCCEEDED' });
    expect(job.trials.map((trial) => [trial.id, trial.state, trial.parameters.batch_size, trial.metrics.accuracy])).toEqual([
      ['1', 'SUCCEEDED', 32, 0.6],
      ['2', 'SUCCEEDED', 64, 0.7],
      ['3', 'SUCCEEDED', 128, 0.8],
    ]);
    expect(job.best).toMatchObject({ id: '3', metrics: { accuracy: 0.8 } });

    const table = await runCli(['jobs', 'show', finished, '--api-endpoint', fixture.endpoint]);
    expect(table.stdout).toMatch(/3 \*\s+SUCCEEDED\s+relu\s+sgd\s+128\s+0\.8000/);
    expect(table.stdout).toMatch(/best: trial 3 accuracy=0\.8000 \(activation=relu optimizer=sgd batch_size=128\)/);
  });

  it('writes a report of a job from its trials, as hptune study report does', async () => {
    const id = finished.split('/').pop() ?? '';
    const out = join(mkdtempSync(join(tmpdir(), 'hptune-cli-jobs-')), 'job.html');
    const result = await runCli(['jobs', 'report', id, '--project', 'my-project', '--api-endpoint', fixture.endpoint, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${out}\n`);
    expect(result.stderr).toContain(`report of job ${finished}: 3 trials`);
    const html = readFileSync(out, 'utf8');
    const data = JSON.parse(/<script type="application\/json" id="hptune-report-data">(.*?)<\/script>/s.exec(html)?.[1] ?? 'null') as {
      study: { name: string; backend: string; state: string; details: [string, string][] };
      parameters: { id: string; kind: string }[];
      trials: { id: string; value: number | null }[];
      best: { trialId: string };
    };
    expect(data.study).toMatchObject({ name: 'hptune-finished', backend: 'vertex', state: 'JOB_STATE_SUCCEEDED' });
    expect(data.study.details).toContainEqual(['job', finished]);
    expect(data.parameters.map((parameter) => [parameter.id, parameter.kind])).toEqual([
      ['activation', 'categorical'],
      ['optimizer', 'categorical'],
      ['batch_size', 'numeric'],
    ]);
    expect(data.trials.map((trial) => [trial.id, trial.value])).toEqual([
      ['1', 0.6],
      ['2', 0.7],
      ['3', 0.8],
    ]);
    expect(data.best.trialId).toBe('3');
  });

  it('cancels a job', async () => {
    const id = running.split('/').pop() ?? '';
    const result = await runCli(['jobs', 'cancel', id, '--project', 'my-project', '--api-endpoint', fixture.endpoint]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`cancelling ${running}`);
    expect(fixture.job(running)?.state).toBe('JOB_STATE_CANCELLING');
  });

  it('says what is wrong with an unknown job or a missing project', async () => {
    const unknown = await runCli(['jobs', 'show', '123', '--project', 'my-project', '--api-endpoint', fixture.endpoint]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/GetHyperparameterTuningJob failed with NOT_FOUND: HyperparameterTuningJob projects\/my-project\/locations\/us-central1\/hyperparameterTuningJobs\/123 is not found/);
    const noProject = await runCli(['jobs', 'list', '--api-endpoint', fixture.endpoint]);
    expect(noProject.code).toBe(2);
    expect(noProject.stderr).toMatch(/--project \(missing\) is required/);
  });

  it.each([['list'], ['show', '123'], ['cancel', '123'], ['report', '123']])('jobs %s refuses a project id no project can have, in one line, before any call', async (...command) => {
    const callsBefore = fixture.calls.length;
    const result = await runCli(['jobs', ...command, '--project', 'x', '--api-endpoint', fixture.endpoint]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--project "x" is not a Google Cloud project id: ids are 6 to 30 characters long, this one 1; .*e\.g\. "my-project-123"/);
    expect(fixture.calls).toHaveLength(callsBefore);
  });
});
