import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtFile } from '@hptune/testing/built';
import { startGcsFixture, type GcsFixture } from '@hptune/testing/gcs';
import { gridCombinations, type JobServiceFixture, type ParameterSpecMessage, protoRoundTrip, startJobServiceFixture } from '@hptune/testing/vertex';
import { runCli } from '../../test/cli-harness.js';

/** The done-when command, without --dry-run. */
const DONE_WHEN = [
  'launch', '--project', 'my-project-123', '--bucket', 'my-bucket-123', '--region', 'us-central1', '--use-custom-container',
  '--container-uri', 'us-docker.pkg.dev/p/r/lenet5:latest', '--max-trial-count', '27', '--max-parallel-trial-count', '3',
  '--accelerator-type', 'NVIDIA_TESLA_T4', '--accelerator-count', '1', '--machine-type', 'n1-standard-8',
];

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI_BIN = join(REPO_ROOT, 'packages/cli/dist/bin.js');
const WIDE_SPACE = join(REPO_ROOT, 'examples/spaces/lenet5-wide.json');

describe('hptune launch --dry-run', () => {
  it('prints the done-when request: accepted whole by the aiplatform protos, the 27-combination grid on a T4', async () => {
    const result = await runCli([...DONE_WHEN, '--dry-run', '--name', 'seed', '--num-epochs', '3']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('nothing was sent');
    const request = JSON.parse(result.stdout) as { hyperparameterTuningJob: Record<string, unknown> };
    expect(request).toMatchObject({
      parent: 'projects/my-project-123/locations/us-central1',
      hyperparameterTuningJob: {
        maxTrialCount: 27,
        parallelTrialCount: 3,
        studySpec: { algorithm: 'GRID_SEARCH', metrics: [{ metricId: 'accuracy', goal: 'MAXIMIZE' }] },
        trialJobSpec: {
          workerPoolSpecs: [
            {
              machineSpec: { machineType: 'n1-standard-8', acceleratorType: 'NVIDIA_TESLA_T4', acceleratorCount: 1 },
              replicaCount: 1,
              containerSpec: { imageUri: 'us-docker.pkg.dev/p/r/lenet5:latest', args: ['--num-epochs=3'] },
            },
          ],
          baseOutputDirectory: { outputUriPrefix: 'gs://my-bucket-123/hptune/seed/' },
        },
      },
    });
    const { verifyError, decoded } = protoRoundTrip('google.cloud.aiplatform.v1.CreateHyperparameterTuningJobRequest', request);
    expect(verifyError).toBeNull();
    const parameters = (decoded.hyperparameterTuningJob as { studySpec: { parameters: ParameterSpecMessage[] } }).studySpec.parameters;
    expect(gridCombinations(parameters)).toHaveLength(27);
  });

  it.each([
    ['median', 'medianAutomatedStoppingSpec'],
    ['decay-curve', 'decayCurveStoppingSpec'],
  ])('shows --early-stopping %s as studySpec.%s', async (rule, field) => {
    const result = await runCli([...DONE_WHEN, '--dry-run', '--early-stopping', rule]);
    expect(result.code).toBe(0);
    const request = JSON.parse(result.stdout) as { hyperparameterTuningJob: { studySpec: Record<string, unknown> } };
    expect(request.hyperparameterTuningJob.studySpec[field]).toEqual({ useElapsedDuration: false });
    expect(protoRoundTrip('google.cloud.aiplatform.v1.CreateHyperparameterTuningJobRequest', request).verifyError).toBeNull();
  });

  it('takes --backend, the old name of --tfjs-backend, with a one-line notice, and passes --tfjs-backend to every trial', async () => {
    const result = await runCli([...DONE_WHEN, '--dry-run', '--backend', 'wasm']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('hptune: warning: --backend is deprecated: use --tfjs-backend (the same values)\n');
    const request = JSON.parse(result.stdout) as { hyperparameterTuningJob: { trialJobSpec: { workerPoolSpecs: { containerSpec: { args: string[] } }[] } } };
    expect(request.hyperparameterTuningJob.trialJobSpec.workerPoolSpecs[0]?.containerSpec.args).toEqual(['--tfjs-backend=wasm']);
    const help = await runCli(['launch', '--help']);
    expect(help.stdout).toContain('--tfjs-backend <name>');
    expect(help.stdout).not.toMatch(/^ +--backend </m);
  });

  it('runs as the built bin, exits 0 and never loads the aiplatform client', () => {
    builtFile(CLI_BIN);
    const probe = join(mkdtempSync(join(tmpdir(), 'hptune-probe-')), 'probe.cjs');
    writeFileSync(
      probe,
      "process.on('exit', () => { const loaded = Object.keys(require.cache).filter((k) => /aiplatform|google-gax/.test(k)); process.stderr.write('loaded Google clients: ' + loaded.length + '\\n'); });\n",
    );
    const run = spawnSync(process.execPath, ['--require', probe, CLI_BIN, ...DONE_WHEN, '--dry-run'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ hyperparameterTuningJob: { maxTrialCount: 27 } });
    expect(run.stderr).toContain('loaded Google clients: 0');
  });

  it.each<[string, string[], RegExp]>([
    ['no project', DONE_WHEN.filter((_, index) => index !== 1 && index !== 2), /--project \(missing\) is required; pass --project my-project or set GOOGLE_CLOUD_PROJECT/],
    ['a GPU type without a count', DONE_WHEN.slice(0, -4).concat(['--machine-type', 'n1-standard-8']), /--accelerator-type "NVIDIA_TESLA_T4" is given without the other half/],
    ['GPUs without --use-custom-container', DONE_WHEN.filter((flag) => flag !== '--use-custom-container'), /--accelerator-type "NVIDIA_TESLA_T4" asks for GPUs.*no CUDA.*--use-custom-container --container-uri/],
    ['more trials than the grid', DONE_WHEN.map((flag) => (flag === '27' ? '28' : flag)), /--max-trial-count 28 is above the grid size \(27 combinations\); give at most 27/],
    ['a malformed label', [...DONE_WHEN, '--labels', 'team'], /--labels "team" has "team", which is not key=value/],
    ['a bad timeout', [...DONE_WHEN, '--timeout', '2 hours'], /--timeout "2 hours" is not a duration/],
    ['ASHA, which Vertex AI does not run', [...DONE_WHEN, '--early-stopping', 'asha'], /--early-stopping "asha" is ASHA, which Vertex AI does not run \(its automated stopping rules are median and decay-curve\)/],
    ['Hyperband, which Vertex AI does not run', [...DONE_WHEN, '--early-stopping', 'hyperband'], /--early-stopping "hyperband" is Hyperband, which Vertex AI does not run \(its automated stopping rules are median and decay-curve\).*hptune study run --early-stopping hyperband/],
    ['an L4 on an n1 machine', DONE_WHEN.map((flag) => (flag === 'NVIDIA_TESLA_T4' ? 'NVIDIA_L4' : flag)), /g2-standard-4 \(1\)/],
  ])('rejects %s with exit code 2 and one line', async (_what, argv, message) => {
    const result = await runCli([...argv, '--dry-run']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('without --use-custom-container, plans staged trials: the built trainer, the stock Node image, the bootstrap', async () => {
    const result = await runCli(['launch', '--project', 'my-project', '--bucket', 'hptune-test', '--name', 'staged', '--max-parallel-trial-count', '3', '--num-epochs', '2', '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/the trainer in .*packages\/trainer is built; a launch would stage it to gs:\/\/hptune-test\/hptune\/staging\/staged\//);
    const request = JSON.parse(result.stdout) as { hyperparameterTuningJob: { trialJobSpec: { workerPoolSpecs: { machineSpec: unknown; containerSpec: { imageUri: string; command: string[]; args: string[]; env: unknown } }[] } } };
    const [pool] = request.hyperparameterTuningJob.trialJobSpec.workerPoolSpecs;
    expect(pool?.machineSpec).toEqual({ machineType: 'n1-standard-4' });
    expect(pool?.containerSpec.imageUri).toBe('node:22-bookworm-slim');
    expect(pool?.containerSpec.command.slice(0, 2)).toEqual(['node', '-e']);
    expect(pool?.containerSpec.args).toEqual(['--', '--num-epochs=2']);
    expect(pool?.containerSpec.env).toEqual([{ name: 'HPTUNE_STAGED_TRAINER', value: 'gs://hptune-test/hptune/staging/staged/manifest.json' }]);
    expect(protoRoundTrip('google.cloud.aiplatform.v1.CreateHyperparameterTuningJobRequest', request).verifyError).toBeNull();
  });

  it('sends --algorithm bayesian as ALGORITHM_UNSPECIFIED (Vizier\'s Bayesian optimization), and refuses tpe and gp for bayesian, and shuffled-grid', async () => {
    const bayesian = await runCli([...DONE_WHEN.map((flag) => (flag === '27' ? '12' : flag)), '--algorithm', 'bayesian', '--space', WIDE_SPACE, '--dry-run', '--name', 'wide']);
    expect(bayesian.code, bayesian.stderr).toBe(0);
    const request = JSON.parse(bayesian.stdout) as { hyperparameterTuningJob: { maxTrialCount: number; studySpec: { algorithm: string; parameters: { parameterId: string }[] } } };
    expect(request.hyperparameterTuningJob.studySpec.algorithm).toBe('ALGORITHM_UNSPECIFIED');
    expect(request.hyperparameterTuningJob.studySpec.parameters.map((parameter) => parameter.parameterId)).toEqual(['activation', 'optimizer', 'batch_size', 'learning_rate']);
    expect(protoRoundTrip('google.cloud.aiplatform.v1.CreateHyperparameterTuningJobRequest', request).verifyError).toBeNull();

    const tpe = await runCli([...DONE_WHEN, '--algorithm', 'tpe', '--dry-run']);
    expect(tpe.code).toBe(2);
    expect(tpe.stdout).toBe('');
    expect(tpe.stderr).toMatch(/--algorithm "tpe" is not a search algorithm the vertex backend runs; use "bayesian" there/);
    const gp = await runCli([...DONE_WHEN, '--algorithm', 'gp', '--dry-run']);
    expect(gp.code).toBe(2);
    expect(gp.stderr).toMatch(/--algorithm "gp" is not a search algorithm the vertex backend runs; use "bayesian" there/);
    // Vertex AI decides the order of its GRID_SEARCH: a shuffled grid runs only locally.
    const shuffled = await runCli([...DONE_WHEN, '--algorithm', 'shuffled-grid', '--dry-run']);
    expect(shuffled.code).toBe(2);
    expect(shuffled.stderr).toMatch(/--algorithm "shuffled-grid" is not a search algorithm the vertex backend runs; use one of "grid", "random", "bayesian" there/);
  });

  describe('with your own image: -- <args...>', () => {
    const spaceFile = () => {
      const file = join(mkdtempSync(join(tmpdir(), 'hptune-launch-space-')), 'space.json');
      writeFileSync(file, JSON.stringify({ version: 1, parameters: { learning_rate: { kind: 'double', min: 0.01, max: 1, scale: 'log' }, batch_size: { kind: 'discrete', values: [16, 32] } } }));
      return file;
    };
    const OWN = ['launch', '--project', 'my-project-123', '--bucket', 'my-bucket-123', '--container-uri', 'us-docker.pkg.dev/p/r/softmax:1', '--algorithm', 'random', '--max-trial-count', '8', '--name', 'own'];

    it('runs the image with the arguments verbatim (Vertex AI appends the parameters); the request survives the protos', async () => {
      const result = await runCli([...OWN, '--space', spaceFile(), '--metric', 'val_loss', '--goal', 'minimize', '--dry-run', '--', '--epochs=3', 'two words', '$(not run)']);
      expect(result.code, result.stderr).toBe(0);
      const request = JSON.parse(result.stdout) as { hyperparameterTuningJob: { trialJobSpec: { workerPoolSpecs: { containerSpec: Record<string, unknown> }[] } } };
      expect(request).toMatchObject({
        hyperparameterTuningJob: {
          maxTrialCount: 8,
          studySpec: { algorithm: 'RANDOM_SEARCH', metrics: [{ metricId: 'val_loss', goal: 'MINIMIZE' }] },
        },
      });
      expect(request.hyperparameterTuningJob.trialJobSpec.workerPoolSpecs[0]?.containerSpec).toEqual({ imageUri: 'us-docker.pkg.dev/p/r/softmax:1', args: ['--epochs=3', 'two words', '$(not run)'] });
      const { verifyError, decoded } = protoRoundTrip('google.cloud.aiplatform.v1.CreateHyperparameterTuningJobRequest', request);
      expect(verifyError).toBeNull();
      expect((decoded.hyperparameterTuningJob as { studySpec: { parameters: ParameterSpecMessage[] } }).studySpec.parameters.map((parameter) => parameter.parameterId)).toEqual(['learning_rate', 'batch_size']);
    });

    it.each<[string, string[], RegExp]>([
      ['no image', ['--metric', 'acc', '--space', 'SPACE'], /--container-uri \(missing\) is required with arguments after --; pass the image that runs your trainer/],
      ['no space', ['--metric', 'acc'], /--space \(missing\) is required with your own image/],
      ['no metric', ['--space', 'SPACE'], /--metric \(missing\) is required with your own image; pass the tag your trainer reports/],
      ['a LeNet-5 flag', ['--metric', 'acc', '--space', 'SPACE', '--num-epochs', '3'], /--num-epochs 3 is a setting of the built-in LeNet-5 trainer and does not reach your image/],
    ])('rejects %s with exit code 2 and one line', async (what, flags, message) => {
      const space = spaceFile();
      const base = what === 'no image' ? OWN.filter((flag) => !flag.includes('softmax') && flag !== '--container-uri') : OWN;
      const result = await runCli([...base, ...flags.map((flag) => (flag === 'SPACE' ? space : flag)), '--dry-run', '--', '--epochs=3']);
      expect(result.stderr).toMatch(message);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });
  });

  it('takes --project, --region and --bucket from the environment', async () => {
    const argv = DONE_WHEN.filter((_, index) => index < 1 || index > 6);
    const result = await runCli([...argv, '--dry-run', '--name', 'env'], { GOOGLE_CLOUD_PROJECT: 'env-project', HPTUNE_BUCKET: 'env-bucket', CLOUD_ML_REGION: 'europe-west4' });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      parent: 'projects/env-project/locations/europe-west4',
      hyperparameterTuningJob: { trialJobSpec: { baseOutputDirectory: { outputUriPrefix: 'gs://env-bucket/hptune/env/' } } },
    });
  });
});

describe('hptune launch against the JobService and GCS fixtures', () => {
  let jobService: JobServiceFixture;
  let gcs: GcsFixture;
  let env: Record<string, string>;
  beforeAll(async () => {
    jobService = await startJobServiceFixture({
      outcome: ({ id }) => (id === '2' ? { kind: 'fail', reason: 'The replica workerpool0-0 exited with a non-zero status of 1.' } : { kind: 'succeed', values: [0.9, 0.95] }),
    });
    gcs = await startGcsFixture({ buckets: [{ name: 'hptune-test', location: 'US-CENTRAL1' }] });
    env = { STORAGE_EMULATOR_HOST: gcs.url };
  });
  afterAll(async () => {
    await jobService?.close();
    await gcs?.close();
  });

  const launchArgv = (...extra: string[]) => [
    'launch', '--project', 'my-project', '--bucket', 'hptune-test', '--use-custom-container', '--container-uri', 'us-docker.pkg.dev/my-project/r/lenet5:1',
    '--api-endpoint', jobService.endpoint, '--max-trial-count', '3', '--max-parallel-trial-count', '2', '--poll-interval', '0.01', ...extra,
  ];

  it('without --debug-sync prints the job name and console URL and exits 0', async () => {
    const result = await runCli(launchArgv('--name', 'quick'), env);
    expect(result.stderr).toBe("hptune: warning: 3 trials cover only 3 of the grid's 27 combinations; pass --max-trial-count 27 to run them all\n");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^created projects\/my-project\/locations\/us-central1\/hyperparameterTuningJobs\/\d+\nconsole: https:\/\/console\.cloud\.google\.com\/ai\/platform\/locations\/us-central1\/training\/\d+\?project=my-project\n/);
  });

  it('sends --early-stopping median to the service, which takes the median automated stopping spec', async () => {
    const result = await runCli(launchArgv('--name', 'median', '--early-stopping', 'median'), env);
    expect(result.code).toBe(0);
    const created = jobService.calls.filter((call) => call.method === 'CreateHyperparameterTuningJob').at(-1)?.request as { hyperparameterTuningJob: { studySpec: Record<string, unknown> } };
    expect(created.hyperparameterTuningJob.studySpec['medianAutomatedStoppingSpec']).toEqual({ useElapsedDuration: false });
  });

  it('without --use-custom-container stages the trainer to the bucket before creating the job', async () => {
    const argv = launchArgv('--name', 'staged').filter((flag) => !['--use-custom-container', '--container-uri', 'us-docker.pkg.dev/my-project/r/lenet5:1'].includes(flag));
    const result = await runCli(argv, env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('hptune: checking access, then staging the trainer to gs://hptune-test/hptune/staging/staged/');
    expect(result.stdout).toMatch(/^staged @hptune\/trial 0\.1\.0, @hptune\/outputs 0\.1\.0, @hptune\/trainer 0\.1\.0 \(\d+ KiB\) at gs:\/\/hptune-test\/hptune\/staging\/staged\/manifest\.json; each trial installs them with npm before training\ncreated projects\//);
    expect(gcs.objectNames('hptune-test').filter((name) => name.startsWith('hptune/staging/staged/'))).toEqual([
      'hptune/staging/staged/hptune-outputs-0.1.0.tgz',
      'hptune/staging/staged/hptune-trainer-0.1.0.tgz',
      'hptune/staging/staged/hptune-trial-0.1.0.tgz',
      'hptune/staging/staged/manifest.json',
    ]);
    const create = jobService.calls.filter((call) => call.method === 'CreateHyperparameterTuningJob').at(-1)?.request as {
      hyperparameterTuningJob?: { trialJobSpec?: { workerPoolSpecs?: { containerSpec?: { imageUri?: string } }[] } };
    };
    expect(create.hyperparameterTuningJob?.trialJobSpec?.workerPoolSpecs?.[0]?.containerSpec?.imageUri).toBe('node:22-bookworm-slim');
  }, 60_000);

  it('with --debug-sync prints every change, then the trials table and the best trial', async () => {
    const result = await runCli(launchArgv('--debug-sync', '--name', 'sync'), env);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n').map((line) => line.replace(/^\[\d\d:\d\d:\d\d\] /, ''));
    expect(lines).toEqual(
      expect.arrayContaining([
        'job JOB_STATE_PENDING',
        'job JOB_STATE_RUNNING',
        'trial 1 started: activation=relu optimizer=sgd batch_size=32',
        'trial 1 step 1: accuracy=0.9000',
        'trial 1 SUCCEEDED: accuracy=0.9500',
        'trial 2 INFEASIBLE: The replica workerpool0-0 exited with a non-zero status of 1.',
        'job JOB_STATE_SUCCEEDED',
      ]),
    );
    expect(result.stdout).toMatch(/JOB_STATE_SUCCEEDED, 2 succeeded, 1 failed, 3\/3 trials/);
    expect(result.stdout).toMatch(/best: trial 1 accuracy=0\.9500/);
  });

  it('with --debug-sync exits non-zero at once when the job fails, with the service message', async () => {
    const result = await runCli(launchArgv('--debug-sync', '--name', 'fails', '--max-failed-trial-count', '1'), env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ended JOB_STATE_FAILED: 1 trials failed.*Trial 2: The replica workerpool0-0 exited/);
    expect(result.stderr).toMatch(/see https:\/\/console\.cloud\.google\.com\//);
  });

  it('with --cancel-on-interrupt, Ctrl-C cancels the job and exits 130', async () => {
    let sent = false;
    const running = runCli(launchArgv('--debug-sync', '--cancel-on-interrupt', '--name', 'interrupted', '--max-trial-count', '27'), env);
    // Interrupt once the job shows a running trial.
    for (let attempt = 0; attempt < 400 && !sent; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const created = jobService.calls.findIndex((call) => call.method === 'CreateHyperparameterTuningJob' && JSON.stringify(call.request).includes('interrupted'));
      const gets = jobService.calls.slice(created + 1).filter((call) => call.method === 'GetHyperparameterTuningJob').length;
      if (created >= 0 && gets >= 3) {
        process.emit('SIGINT');
        sent = true;
      }
    }
    const result = await running;
    expect(sent).toBe(true);
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/cancelling projects\/my-project\/locations\/us-central1\/hyperparameterTuningJobs\/\d+/);
    expect(result.stdout).toMatch(/JOB_STATE_CANCELLED/);
    expect(jobService.calls.some((call) => call.method === 'CancelHyperparameterTuningJob')).toBe(true);
  });

  it('stops before creating anything when the bucket does not exist', async () => {
    const creates = jobService.calls.filter((call) => call.method === 'CreateHyperparameterTuningJob').length;
    const result = await runCli(launchArgv('--name', 'nobucket').map((flag) => (flag === 'hptune-test' ? 'missing-bucket' : flag)), env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('gcloud storage buckets create gs://missing-bucket --location=us-central1');
    expect(jobService.calls.filter((call) => call.method === 'CreateHyperparameterTuningJob').length).toBe(creates);
  });
});
