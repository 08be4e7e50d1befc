import { SEARCH_ALGORITHMS } from '@hptune/core/algorithms';
import { Option, type Command } from 'commander';
import type { CliIo, SetExitCode } from '../io.js';
import { addObjectiveOptions, addTrainerPassThroughOptions, choiceFlag, earlyStoppingOption, integerFlag, positiveNumberFlag, typedOptions } from './flags.js';

/** The region a job runs in without `--region` or the environment, as in the Python launcher. */
const DEFAULT_REGION = 'us-central1';

function projectOption(io: CliIo): Option {
  const option = new Option('--project <id>', 'Google Cloud project (env GOOGLE_CLOUD_PROJECT)');
  return io.env.GOOGLE_CLOUD_PROJECT ? option.default(io.env.GOOGLE_CLOUD_PROJECT) : option;
}

function regionOption(io: CliIo): Option {
  return new Option('--region <region>', 'Vertex AI region of the job and the bucket (env CLOUD_ML_REGION or HPTUNE_REGION)').default(
    io.env.CLOUD_ML_REGION ?? io.env.HPTUNE_REGION ?? DEFAULT_REGION,
  );
}

const apiEndpointOption = () => new Option('--api-endpoint <host[:port]>', 'Vertex AI endpoint instead of <region>-aiplatform.googleapis.com');

/**
 * The Vertex AI commands: `hptune launch` (a study as a HyperparameterTuningJob) and
 * `hptune jobs list|show|report|cancel`. Their implementations, and the Google Cloud clients, load only
 * when one of them runs.
 */
export function registerVertexCommands(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const bucket = new Option('--bucket <name>', 'Cloud Storage bucket in the job\'s region, for trial outputs (env HPTUNE_BUCKET)');
  const launch = program
    .command('launch')
    .description('Launch a study on Vertex AI as a HyperparameterTuningJob: of your image with the arguments after -- (--container-uri IMAGE --space FILE --metric ID -- <args...>), else of the LeNet-5 trainer')
    .usage('[options] [-- <args...>]')
    .argument('[trainer-args...]', "after --: arguments of your image's entrypoint in every trial; Vertex AI appends the trial's --<parameter>=<value>")
    .addOption(projectOption(io))
    .addOption(io.env.HPTUNE_BUCKET ? bucket.default(io.env.HPTUNE_BUCKET) : bucket)
    .addOption(regionOption(io))
    .option('--use-custom-container', 'run the trainer image given by --container-uri; without it, hptune stages the trainer to gs://<bucket>/hptune/staging/<name>/ and each trial installs it on a stock Node image (slower start, no GPUs)')
    .option('--container-uri <image>', 'your trainer image (with -- <args...>), or with --use-custom-container the LeNet-5 image built from packages/trainer/Dockerfile; without either: the stock Node image (default: node:22-bookworm-slim)')
    .option('--max-trial-count <n>', 'trials in all (default: the grid size; required for random and bayesian)', integerFlag('--max-trial-count', 1))
    .option('--max-parallel-trial-count <n>', 'trials at the same time (default: 3)', integerFlag('--max-parallel-trial-count', 1))
    .option('--max-failed-trial-count <n>', 'failed trials after which the job fails (default: 0, Vertex AI decides)', integerFlag('--max-failed-trial-count', 0))
    .option('--debug-sync', 'wait for the job, printing each change of it and its trials; exit non-zero if it fails')
    .option('--accelerator-type <type>', 'GPU per trial, e.g. NVIDIA_TESLA_T4 (with --accelerator-count)')
    .option('--accelerator-count <n>', 'GPUs per trial (with --accelerator-type)', integerFlag('--accelerator-count', 1))
    .option('--machine-type <type>', 'machine per trial', 'n1-standard-4')
    .option('--display-name <name>', 'the job\'s name in the console (default: hptune-<study name>)')
    .option('--service-account <email>', 'service account the trials run as (required with --tensorboard)')
    .option('--network <name>', 'peered VPC network: projects/<project number>/global/networks/<network>')
    .option('--tensorboard <resource>', 'Vertex AI TensorBoard: projects/<p>/locations/<region>/tensorboards/<id>')
    .option('--labels <k=v,...>', 'labels of the job, e.g. team=vision,stage=dev')
    .option('--timeout <duration>', 'most a trial may run: 3600, 90m, 2h or 1d')
    .option('--spot', 'run trials on Spot VMs (cheaper, may be preempted)')
    .addOption(earlyStoppingOption("Vertex AI's automated stopping: median (studySpec.medianAutomatedStoppingSpec) or decay-curve (decayCurveStoppingSpec); asha and hyperband run only locally"))
    .addOption(apiEndpointOption())
    .option('--dry-run', 'run every check that needs no network, print the request as JSON, send nothing')
    .option('--cancel-on-interrupt', 'with --debug-sync, Ctrl-C cancels the job without asking')
    .option('--name <name>', 'study name: the output folder gs://<bucket>/hptune/<name>/ (default: lenet5-<UTC time>)')
    .addOption(
      new Option('--algorithm <algorithm>', "search algorithm (bayesian is Vertex AI's Bayesian optimization; shuffled-grid, tpe and gp run only locally)")
        .choices(SEARCH_ALGORITHMS)
        .default('grid')
        .argParser(choiceFlag('--algorithm', SEARCH_ALGORITHMS)),
    )
    .addOption(new Option('--poll-interval <seconds>', 'first wait between polls with --debug-sync').default(5).argParser(positiveNumberFlag('--poll-interval')))
    .option('--seed <n>', 'trainer: random seed of the data sample and initial weights', integerFlag('--seed', 0));
  addTrainerPassThroughOptions(addObjectiveOptions(launch), io.stderr)
    .action(async (trainerArgs: string[], flags, self: Command) => {
      const { launchCommand } = await import('./launch.js');
      setExitCode(await launchCommand(flags, io, { trainerArgs, given: typedOptions(self) }));
    });

  const jobs = program.command('jobs').description('HyperparameterTuningJobs on Vertex AI: list, show, report, cancel');
  jobs
    .command('list')
    .description('List the hyperparameter tuning jobs of a project and region, newest first')
    .addOption(projectOption(io))
    .addOption(regionOption(io))
    .addOption(apiEndpointOption())
    .option('--filter <filter>', 'the service\'s filter, e.g. state="JOB_STATE_RUNNING"')
    .option('--json', 'print JSON')
    .action(async (flags) => {
      const { listJobsCommand } = await import('./jobs.js');
      setExitCode(await listJobsCommand(flags, io));
    });
  jobs
    .command('show')
    .description("Show a job: its state, trials table and best trial")
    .argument('<id>', 'the job id, or its full resource name')
    .addOption(projectOption(io))
    .addOption(regionOption(io))
    .addOption(apiEndpointOption())
    .option('--json', 'print { name, state, error, trials: [{ id, state, parameters, metrics, ... }], best } as JSON')
    .action(async (id: string, flags) => {
      const { showJobCommand } = await import('./jobs.js');
      setExitCode(await showJobCommand(id, flags, io));
    });
  jobs
    .command('report')
    .description('Write a self-contained HTML report of a job\'s trials (as hptune study report) and print its path')
    .argument('<id>', 'the job id, or its full resource name')
    .addOption(projectOption(io))
    .addOption(regionOption(io))
    .addOption(apiEndpointOption())
    .option('--out <file>', 'where to write it (default: ./hptune-job-<id>.html)')
    .action(async (id: string, flags) => {
      const { reportJobCommand } = await import('./jobs-report.js');
      setExitCode(await reportJobCommand(id, flags, io));
    });
  jobs
    .command('cancel')
    .description('Cancel a job (its running trials are stopped)')
    .argument('<id>', 'the job id, or its full resource name')
    .addOption(projectOption(io))
    .addOption(regionOption(io))
    .addOption(apiEndpointOption())
    .action(async (id: string, flags) => {
      const { cancelJobCommand } = await import('./jobs.js');
      setExitCode(await cancelJobCommand(id, flags, io));
    });
}
