import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGcsFixture, type GcsFixture } from '@hptune/testing/gcs';
import { ValidationError } from '../../errors.js';
import { double, integer, searchSpace, categorical } from '../../space/builder.js';
import { exampleSearchSpace } from '../../testing/example-space.js';
import { checkApplicationDefaultCredentials, checkBucketLocation, checkVertexAccess } from './access.js';
import type { VertexBackendOptions, VertexStudyDefinition } from './options.js';
import { checkMachine, preflightVertexJob } from './preflight.js';

const study: VertexStudyDefinition = { name: 'seed', space: exampleSearchSpace, metric: { id: 'accuracy', goal: 'maximize' }, algorithm: 'grid', maxTrials: 27, parallelTrials: 3 };
const backend: VertexBackendOptions = {
  project: 'my-project',
  bucket: 'my-bucket',
  region: 'us-central1',
  containerUri: 'us-docker.pkg.dev/my-project/hptune/lenet5:latest',
  machineType: 'n1-standard-8',
  acceleratorType: 'NVIDIA_TESLA_T4',
  acceleratorCount: 1,
};

/** The ValidationError a preflight throws, for checking its field and message. */
function rejection(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, got none');
}

describe('preflightVertexJob', () => {
  it('accepts the issue’s production job without warnings', () => {
    expect(preflightVertexJob(study, backend).warnings).toEqual([]);
  });

  it.each([
    ['b', 63, 1],
    ['a'.repeat(64), 63, 64],
    [`${'a'.repeat(100)}.${'b'.repeat(122)}`, 222, 223],
  ])('refuses the bucket name %j: no Cloud Storage bucket name is that long', (bucket, limit, length) => {
    const error = rejection(() => preflightVertexJob(study, { ...backend, bucket }));
    expect(error.field).toBe('bucket');
    expect(error.message).toContain(`names are 3 to ${limit} characters long, this one ${length}`);
  });

  it.each([
    ['x', 1],
    ['proj', 4],
    ['a-project-id-longer-than-thirty', 31],
    ['example.com:abc', 3],
  ])('refuses the project id %j: no Google Cloud project id is %i characters long', (project, length) => {
    const error = rejection(() => preflightVertexJob(study, { ...backend, project }));
    expect(error.field).toBe('project');
    expect(error.message).toContain(`ids are 6 to 30 characters long, this one ${length}`);
    expect(error.message).toMatch(/e\.g\. "my-project-123"/);
  });

  it.each(['my-project', '123456789012', '12', 'example.com:my-project'])('accepts the project %j: an id, a project number or a domain-scoped id', (project) => {
    expect(preflightVertexJob(study, { ...backend, project }).warnings).toEqual([]);
  });

  it.each<[string, Partial<VertexBackendOptions>, string, RegExp]>([
    ['a project id with capitals', { project: 'My_Project' }, 'project', /GOOGLE_CLOUD_PROJECT/],
    ['a region that is a zone', { region: 'us-central1-a' }, 'region', /such as us-central1/],
    ['a bucket given as a URL', { bucket: 'gs://my-bucket/path' }, 'bucket', /without gs:\/\/.*pass e\.g\. my-bucket/],
    ['a bucket name with capitals', { bucket: 'My_Bucket' }, 'bucket', /not a Cloud Storage bucket name/],
    ['no image', { containerUri: undefined }, 'containerUri', /packages\/trainer\/Dockerfile/],
    ['an image with an upper-case path', { containerUri: 'us-docker.pkg.dev/p/r/LeNet5:latest' }, 'containerUri', /lowercase path/],
    ['a trainer flag the study tunes', { trainerArgs: ['--batch-size=64'] }, 'trainerArgs', /a parameter the study tunes/],
    ['a display name over 128 characters', { displayName: 'x'.repeat(129) }, 'displayName', /1 to 128 characters/],
    ['a label key with capitals', { labels: { Team: 'vision' } }, 'labels', /not a label key/],
    ['a label value with a space', { labels: { team: 'computer vision' } }, 'labels.team', /use e\.g\. computer-vision/],
    ['a TensorBoard without a service account', { tensorboard: 'projects/my-project/locations/us-central1/tensorboards/42' }, 'serviceAccount', /roles\/storage\.admin/],
    [
      'a TensorBoard in another region',
      { tensorboard: 'projects/my-project/locations/europe-west4/tensorboards/42', serviceAccount: 'sa@my-project.iam.gserviceaccount.com' },
      'tensorboard',
      /is in europe-west4, not in the job's region us-central1/,
    ],
    ['a TensorBoard that is not a resource name', { tensorboard: 'my-tensorboard', serviceAccount: 'sa@my-project.iam.gserviceaccount.com' }, 'tensorboard', /tensorboards\/<id>/],
    ['a network by project id', { network: 'projects/my-project/global/networks/default' }, 'network', /project number/],
    ['a service account that is not an email', { serviceAccount: 'trainer' }, 'serviceAccount', /iam\.gserviceaccount\.com/],
    ['an endpoint that is not host:port', { apiEndpoint: 'https://host/path' }, 'apiEndpoint', /host\[:port\]/],
  ])('rejects %s', (_what, change, field, message) => {
    const error = rejection(() => preflightVertexJob(study, { ...backend, ...change }));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.exitCode).toBe(2);
  });

  it('warns that a one-word image is an official Docker Hub image, not a trainer someone pushed', () => {
    for (const containerUri of ['x', 'python:3.12']) {
      const { warnings } = preflightVertexJob(study, { ...backend, containerUri });
      expect(warnings).toEqual([expect.objectContaining({ field: 'containerUri', message: expect.stringContaining(`docker.io/library/${containerUri}, not a trainer image you pushed`) })]);
    }
    expect(preflightVertexJob(study, { ...backend, containerUri: 'myname/trainer:1' }).warnings).toEqual([]);
  });

  it('warns when the region does not offer the GPU for training, naming a region that does', () => {
    const { warnings } = preflightVertexJob(study, { ...backend, region: 'europe-west1', acceleratorType: 'NVIDIA_TESLA_V100' });
    expect(warnings).toEqual([expect.objectContaining({ field: 'region', message: expect.stringMatching(/NVIDIA_TESLA_V100.*europe-west1[\s\S]*region europe-west4/) })]);
  });

  describe('staged trials (no custom container)', () => {
    let packageRoot: string;
    let builtTrainer: string;
    let unbuiltTrainer: string;
    beforeAll(() => {
      packageRoot = mkdtempSync(join(tmpdir(), 'hptune-preflight-staged-'));
      const manifest = JSON.stringify({ name: '@acme/trainer', version: '1.0.0', files: ['dist'], bin: { 'acme-train': 'dist/bin.js' } });
      builtTrainer = join(packageRoot, 'built');
      unbuiltTrainer = join(packageRoot, 'unbuilt');
      for (const dir of [builtTrainer, unbuiltTrainer]) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'package.json'), manifest);
      }
      mkdirSync(join(builtTrainer, 'dist'));
      writeFileSync(join(builtTrainer, 'dist', 'bin.js'), '#!/usr/bin/env node\n');
    });
    afterAll(() => rmSync(packageRoot, { recursive: true, force: true }));
    const cpuBackend = (): VertexBackendOptions => ({
      project: 'my-project',
      bucket: 'my-bucket',
      useCustomContainer: false,
      trainerPackageDir: builtTrainer,
    });

    it('accepts a built trainer package on the stock image, without warnings', () => {
      expect(preflightVertexJob(study, cpuBackend()).warnings).toEqual([]);
      expect(preflightVertexJob(study, { ...cpuBackend(), containerUri: 'node:24-bookworm-slim' }).warnings).toEqual([]);
    });

    it.each<[string, () => Partial<VertexBackendOptions>, string, RegExp]>([
      ['GPUs', () => ({ machineType: 'n1-standard-8', acceleratorType: 'NVIDIA_TESLA_T4', acceleratorCount: 1 }), 'acceleratorType', /no CUDA.*useCustomContainer containerUri/],
      ['a native TensorFlow backend', () => ({ trainerArgs: ['--tfjs-backend=tfjs-node-gpu'] }), 'trainerArgs', /tfjs-node-gpu, which staged trials do not install.*drop --tfjs-backend/],
      ['a native TensorFlow backend, as two arguments', () => ({ trainerArgs: ['--num-epochs', '2', '--tfjs-backend', 'tfjs-node'] }), 'trainerArgs', /tfjs-node, which staged trials do not install/],
      ['no trainer package', () => ({ trainerPackageDir: undefined }), 'trainerPackageDir', /is required to stage the trainer/],
      ['a trainer package that is not built', () => ({ trainerPackageDir: unbuiltTrainer }), 'trainerPackageDir', /lists "dist".*does not exist|has no dist\/bin\.js.*pnpm build/],
      ['a folder that is no package', () => ({ trainerPackageDir: packageRoot }), 'trainerPackageDir', /has no package\.json/],
      ['a stock image that is no image reference', () => ({ containerUri: 'Node:22' }), 'containerUri', /not a container image reference/],
    ])('rejects %s', (_what, change, field, message) => {
      const error = rejection(() => preflightVertexJob(study, { ...cpuBackend(), ...change() }));
      expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
    });
  });

  it.each<[string, Partial<VertexStudyDefinition>, string, RegExp]>([
    ['more trials than the grid has', { maxTrials: 28 }, 'maxTrials', /more than the grid's 27 combinations.*maxTrials 27 or fewer/],
    ['more parallel trials than trials', { maxTrials: 2, parallelTrials: 3 }, 'parallelTrials', /more than maxTrials \(2\)/],
    ['a fractional trial count', { maxTrials: 2.5 }, 'maxTrials', /whole number/],
    ['random search without a trial count', { algorithm: 'random', maxTrials: undefined }, 'maxTrials', /required for random search/],
    ['a metric id the metric file cannot carry', { metric: { id: 'val-accuracy', goal: 'maximize' } }, 'metric.id', /letters, digits and "_"/],
    ['a study name with a slash', { name: 'a/b' }, 'name', /not a usable study name/],
    ['more failed trials allowed than trials', { maxTrials: 5, maxFailedTrials: 6 }, 'maxFailedTrials', /more than maxTrials \(5\)/],
  ])('rejects %s', (_what, change, field, message) => {
    const error = rejection(() => preflightVertexJob({ ...study, ...change }, backend));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('rejects grid search over a continuous parameter and bad parameter ids, through the space’s validation', () => {
    const withDouble = searchSpace({ activation: categorical(['relu', 'softmax']), learning_rate: double(1e-4, 1e-1, { scale: 'log' }) });
    expect(rejection(() => preflightVertexJob({ ...study, space: withDouble, maxTrials: 2 }, backend)).message).toMatch(/learning_rate/);
    const badId = { parameters: { 'batch size': integer(16, 128) } };
    expect(rejection(() => preflightVertexJob({ ...study, space: badId, maxTrials: 2 }, backend)).message).toMatch(/batch size/);
  });

  it('warns (and does not fail) when maxTrialCount covers only part of the grid', () => {
    const { warnings } = preflightVertexJob({ ...study, maxTrials: 9 }, backend);
    expect(warnings).toEqual([{ field: 'maxTrials', message: expect.stringMatching(/only 9 of the grid's 27 combinations; pass maxTrials 27/) }]);
  });

  it('warns about a registry Vertex AI may not pull from', () => {
    const { warnings } = preflightVertexJob(study, { ...backend, containerUri: 'registry.example.com/lenet5:1' });
    expect(warnings.map((warning) => warning.field)).toEqual(['containerUri']);
    expect(preflightVertexJob(study, { ...backend, containerUri: 'gcr.io/my-project/lenet5:1' }).warnings).toEqual([]);
  });
});

describe('checkMachine: the accelerator table', () => {
  it.each<[string, string | undefined, number | undefined]>([
    ['n1-standard-8', 'NVIDIA_TESLA_T4', 1],
    ['n1-standard-96', 'NVIDIA_TESLA_T4', 4],
    ['n1-highmem-8', 'NVIDIA_TESLA_V100', 1],
    ['n1-standard-16', 'NVIDIA_TESLA_V100', 2],
    ['n1-standard-4', undefined, undefined],
    ['e2-standard-4', undefined, undefined],
    ['a2-highgpu-1g', 'NVIDIA_TESLA_A100', 1],
    ['a2-ultragpu-2g', 'NVIDIA_A100_80GB', 2],
    ['g2-standard-8', 'NVIDIA_L4', 1],
    ['g2-standard-48', 'NVIDIA_L4', 4],
    ['a3-highgpu-8g', 'NVIDIA_H100_80GB', 8],
  ])('accepts %s with %s x %s', (machineType, type, count) => {
    expect(() => checkMachine(machineType, type, count)).not.toThrow();
  });

  it.each<[string, string | undefined, number | undefined, string, RegExp]>([
    ['n1-standard-8', 'NVIDIA_TESLA_T4', undefined, 'acceleratorType', /without the other half.*acceleratorCount/],
    ['n1-standard-8', undefined, 1, 'acceleratorCount', /without the other half/],
    ['n1-standard-8', 'NVIDIA_TESLA_T4', 3, 'acceleratorCount', /pass acceleratorCount 1 or 2 or 4/],
    ['n1-standard-32', 'NVIDIA_TESLA_V100', 1, 'acceleratorCount', /pass acceleratorCount 4 or 8/],
    ['n1-standard-8', 'NVIDIA_L4', 1, 'acceleratorType', /g2-standard-4 \(1\)/],
    ['n1-standard-8', 'NVIDIA_TESLA_A100', 1, 'acceleratorType', /a2-highgpu-1g \(1\)/],
    ['e2-standard-8', 'NVIDIA_TESLA_T4', 1, 'acceleratorType', /takes no GPUs/],
    ['a2-highgpu-1g', 'NVIDIA_A100_80GB', 1, 'acceleratorType', /comes with NVIDIA_TESLA_A100/],
    ['a2-ultragpu-1g', 'NVIDIA_A100_80GB', 2, 'acceleratorCount', /exactly 1 GPU/],
    ['g2-standard-8', undefined, undefined, 'acceleratorType', /acceleratorType NVIDIA_L4 acceleratorCount 1/],
    ['n1-standard-8', 'NVIDIA_TESLA_T5', 1, 'acceleratorType', /not a GPU type hptune knows/],
    ['n1-standard-8', 'NVIDIA_TESLA_T4', 0, 'acceleratorCount', /at least 1/],
    ['n1 standard 8', undefined, undefined, 'machineType', /not a machine type/],
    ['x9-mega-8', 'NVIDIA_TESLA_T4', 1, 'machineType', /not in hptune's table/],
  ])('rejects %s with %s x %s', (machineType, type, count, field, message) => {
    const error = rejection(() => checkMachine(machineType, type, count));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });
});

describe('network checks', () => {
  let gcs: GcsFixture;
  let home: string;
  beforeAll(async () => {
    gcs = await startGcsFixture({
      buckets: [
        { name: 'regional', location: 'US-CENTRAL1', locationType: 'region' },
        { name: 'multi', location: 'US', locationType: 'multi-region' },
      ],
    });
    home = mkdtempSync(join(tmpdir(), 'hptune-adc-'));
  });
  afterAll(async () => {
    await gcs?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('accepts a bucket in the job’s region', async () => {
    expect(await checkBucketLocation({ bucket: 'regional', region: 'us-central1', apiEndpoint: gcs.url })).toEqual({ location: 'us-central1', locationType: 'region' });
  });

  it('rejects a multi-region bucket, with the command that makes a regional one', async () => {
    const error = await checkBucketLocation({ bucket: 'multi', region: 'us-central1', apiEndpoint: gcs.url }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/is in US \(multi-region\), not in the job's region us-central1/);
    expect((error as Error).message).toContain('gcloud storage buckets create gs://multi-us-central1 --location=us-central1');
  });

  it('rejects a missing bucket, with the command that creates it', async () => {
    const error = await checkBucketLocation({ bucket: 'absent', region: 'europe-west4', apiEndpoint: gcs.url }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/"absent" does not exist; create it in the job's region: gcloud storage buckets create gs:\/\/absent --location=europe-west4/);
  });

  it('finds credentials in GOOGLE_APPLICATION_CREDENTIALS, in gcloud’s file, or says to log in', async () => {
    const noMetadata = async () => false;
    const missing = await checkApplicationDefaultCredentials({ env: {}, homeDir: home, probeMetadataServer: noMetadata }).catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(ValidationError);
    expect((missing as Error).message).toContain('gcloud auth application-default login');
    const wrongPath = await checkApplicationDefaultCredentials({ env: { GOOGLE_APPLICATION_CREDENTIALS: join(home, 'nope.json') }, probeMetadataServer: noMetadata }).catch((caught: unknown) => caught);
    expect((wrongPath as ValidationError).field).toBe('GOOGLE_APPLICATION_CREDENTIALS');

    mkdirSync(join(home, '.config', 'gcloud'), { recursive: true });
    writeFileSync(join(home, '.config', 'gcloud', 'application_default_credentials.json'), '{}');
    expect(await checkApplicationDefaultCredentials({ env: {}, homeDir: home, probeMetadataServer: noMetadata })).toBe('gcloud');
    expect(await checkApplicationDefaultCredentials({ env: {}, homeDir: join(home, 'elsewhere'), probeMetadataServer: async () => true })).toBe('metadata-server');
  });

  it('checkVertexAccess asks for credentials only when a Google endpoint will be called', async () => {
    const checked = await checkVertexAccess({ project: 'my-project-123', bucket: 'regional', apiEndpoint: '127.0.0.1:1', storageApiEndpoint: gcs.url, env: {} });
    expect(checked).toEqual({ bucket: { location: 'us-central1', locationType: 'region' } });
    const error = await checkVertexAccess({
      project: 'my-project-123',
      bucket: 'regional',
      storageApiEndpoint: gcs.url,
      env: {},
      credentials: { homeDir: join(home, 'elsewhere'), probeMetadataServer: async () => false },
    }).catch((caught: unknown) => caught);
    expect((error as ValidationError).field).toBe('credentials');
  });
});
