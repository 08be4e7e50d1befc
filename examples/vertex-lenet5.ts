/**
 * The seed study on Vertex AI, from TypeScript: the 27-combination grid as a HyperparameterTuningJob,
 * three trials at a time, each on an n1-standard-8 with one T4, running the trainer image built
 * from packages/trainer/Dockerfile. Type-checked with the packages (`pnpm typecheck`).
 *
 *   export GOOGLE_CLOUD_PROJECT=my-project-123 HPTUNE_BUCKET=my-bucket-123
 *   export HPTUNE_IMAGE=us-docker.pkg.dev/$GOOGLE_CLOUD_PROJECT/hptune/lenet5:latest
 *   pnpm example vertex-lenet5 --dry-run
 *
 * `--dry-run` runs every offline check and prints the request without sending it (or loading the
 * Vertex AI client); without it the job is created and followed to its end.
 */
import { launchStudy } from '@hptune/core';
import { seedSearchSpace } from '@hptune/trainer';
import { planVertexStudy, vertex } from '@hptune/core/vertex';

const env = process.env;
const study = {
  name: env.HPTUNE_STUDY ?? `lenet5-grid-${Date.now()}`,
  space: seedSearchSpace,
  metric: { id: 'accuracy', goal: 'maximize' } as const,
  algorithm: 'grid' as const,
  maxTrials: 27,
  parallelTrials: 3,
  maxFailedTrials: 3,
  trialTimeoutSeconds: 2 * 3600,
  backend: vertex({
    project: env.GOOGLE_CLOUD_PROJECT ?? 'my-project',
    region: env.CLOUD_ML_REGION ?? env.HPTUNE_REGION ?? 'us-central1', // as hptune launch reads them
    bucket: env.HPTUNE_BUCKET ?? 'my-bucket',
    containerUri: env.HPTUNE_IMAGE ?? 'us-docker.pkg.dev/my-project/hptune/lenet5:latest',
    machineType: 'n1-standard-8',
    acceleratorType: 'NVIDIA_TESLA_T4',
    acceleratorCount: 1,
    trainerArgs: ['--num-epochs=3'],
  }),
};

if (process.argv.includes('--dry-run')) {
  const plan = planVertexStudy(study);
  for (const warning of plan.warnings) console.error(`warning: ${warning.message}`);
  console.log(JSON.stringify(plan.request, null, 2));
} else {
  const job = await launchStudy(study);
  console.log(`created ${job.backend.jobName}\nconsole: ${job.backend.consoleUrl}`);
  job.on('jobState', ({ job: { state } }) => console.log(`job ${state}`));
  job.on('trialStarted', ({ trial }) => console.log(`trial ${trial.id} started ${JSON.stringify(trial.parameters)}`));
  job.on('trialCompleted', ({ trial }) =>
    console.log(`trial ${trial.id} ${trial.state} ${trial.finalMeasurement?.metrics.accuracy ?? trial.failure?.reason ?? ''}`),
  );
  const { best } = await job.wait();
  if (best) console.log(`best: trial ${best.id} accuracy=${best.finalMeasurement?.metrics.accuracy} ${JSON.stringify(best.parameters)}`);
}
