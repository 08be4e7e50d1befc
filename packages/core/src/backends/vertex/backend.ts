import { HptuneError } from '../../errors.js';
import type { StudyDriver } from '../../study/driver.js';
import { validateStudyDefinition } from '../../study/validate.js';
import type { StudyOptions } from '../../study/options.js';
import type { TrainerCommand } from '../../study/types.js';
import { VERTEX_ALGORITHMS } from '../../algorithms.js';
import { defaultVertexParallelTrials, type VertexBackendOptions } from './options.js';
import { launchVertexJob, planVertexJob, vertexStudyOf, type VertexStudyDetails, type VertexStudyEvents, type VertexStudyPlan } from './study.js';


/**
 * The Vertex AI backend, as `launchStudy`'s `backend` option takes it: its settings, and the
 * driver `launchStudy` calls. `handle.backend` holds the job, its console URL and `detach()`;
 * the handle also emits `jobState`.
 */
export interface VertexBackend extends VertexBackendOptions, StudyDriver<VertexStudyDetails, VertexStudyEvents> {
  readonly kind: 'vertex';
}

/**
 * The Vertex AI backend: the study runs as a HyperparameterTuningJob (Vizier) in `project`,
 * each trial in a container on its own machine. Runs `grid`, `random` and `bayesian` search (not `tpe` or `gp`);
 * trials run at once default to min(maxTrials, 3). Aborting the study's signal or `cancel()`
 * cancels the job.
 * @example launchStudy({ ..., backend: vertex({ project: 'my-project', bucket: 'my-bucket', containerUri: '...' }) })
 * @see https://cloud.google.com/vertex-ai/docs/training/hyperparameter-tuning-overview
 */
export function vertex(options: VertexBackendOptions): VertexBackend {
  const backend: VertexBackend = {
    ...options,
    kind: 'vertex',
    // `bayesian` is Vizier's default; `tpe` and `gp` have no Vertex AI counterpart.
    algorithms: VERTEX_ALGORITHMS,
    defaultParallelTrials: defaultVertexParallelTrials,
    launch: (launch) => launchVertexJob(launch, backend),
    resume: async ({ name }) => {
      throw new HptuneError(
        'STUDY_NOT_RESUMABLE',
        `study ${JSON.stringify(name)} runs as a Vertex AI job, which runs on its own and cannot be restarted once it ended; ` +
          'follow a running job through the handle launchStudy returned (or createVertexJobClient().getJob), and launch a new study to run more trials',
        { exitCode: 2 },
      );
    },
  };
  return backend;
}

/** The options of {@link planVertexStudy}: a study definition for `launchStudy` with a Vertex backend. */
export interface PlanVertexStudyOptions extends StudyOptions {
  readonly backend: VertexBackend;
  /** Refused on Vertex AI (the trainer is the container); here so a local study's options type-check. */
  readonly trainer?: TrainerCommand;
  /** Refused on Vertex AI; here so a local study's options type-check. */
  readonly studyDir?: string;
}

/**
 * The dry run of `launchStudy` on Vertex AI: the shared study checks, the Vertex preflight, and
 * the exact CreateHyperparameterTuningJob request; no client is loaded, nothing is sent.
 * @throws ValidationError for input the service (or the trial contract) would reject.
 */
export function planVertexStudy(options: PlanVertexStudyOptions): VertexStudyPlan {
  const { definition, space } = validateStudyDefinition(options, options.backend);
  return planVertexJob(vertexStudyOf({ definition, space, trainer: options.trainer, studyDir: options.studyDir }), options.backend);
}
