import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { builtFile } from '@hptune/testing/built';
import { gridCombinations, type ParameterSpecMessage, protoRoundTrip } from '@hptune/testing/vertex';

const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));

// Inside examples/node_modules, so that `@hptune/core` resolves as it does for the example itself.
const RUN_DIR = join(REPO_ROOT, 'examples/node_modules/.hptune-example-test');

afterAll(() => rmSync(RUN_DIR, { recursive: true, force: true }));

describe('examples/vertex-lenet5.ts', () => {
  it('runs with --dry-run: the production request, accepted by the protos, without the Vertex AI client', () => {
    // The example imports @hptune/core, which resolves to core's build.
    builtFile(join(REPO_ROOT, 'packages/core/dist/index.js'));
    const source = readFileSync(join(REPO_ROOT, 'examples/vertex-lenet5.ts'), 'utf8');
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
    mkdirSync(RUN_DIR, { recursive: true });
    const script = join(RUN_DIR, 'vertex-lenet5.mjs');
    writeFileSync(script, outputText);
    const probe = join(RUN_DIR, 'probe.cjs');
    writeFileSync(probe, "process.on('exit', () => process.stderr.write('aiplatform loaded: ' + Object.keys(require.cache).some((k) => k.includes('aiplatform')) + '\\n'));\n");

    const run = spawnSync(process.execPath, ['--require', probe, script, '--dry-run'], {
      encoding: 'utf8',
      env: { ...process.env, GOOGLE_CLOUD_PROJECT: 'my-project', HPTUNE_BUCKET: 'my-bucket', HPTUNE_STUDY: 'example', CLOUD_ML_REGION: 'europe-west4' },
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('aiplatform loaded: false\n');
    const request = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(request).toMatchObject({
      parent: 'projects/my-project/locations/europe-west4',
      hyperparameterTuningJob: {
        displayName: 'hptune-example',
        maxTrialCount: 27,
        parallelTrialCount: 3,
        maxFailedTrialCount: 3,
        trialJobSpec: { baseOutputDirectory: { outputUriPrefix: 'gs://my-bucket/hptune/example/' }, scheduling: { timeout: { seconds: 7200 } } },
      },
    });
    const { verifyError, decoded } = protoRoundTrip('google.cloud.aiplatform.v1.CreateHyperparameterTuningJobRequest', request);
    expect(verifyError).toBeNull();
    const parameters = (decoded.hyperparameterTuningJob as { studySpec: { parameters: ParameterSpecMessage[] } }).studySpec.parameters;
    expect(gridCombinations(parameters)).toHaveLength(27);
  });
});
