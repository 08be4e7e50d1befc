import { SEARCH_ALGORITHMS } from '@hptune/core/algorithms';
import { Option, type Command } from 'commander';
import type { CliIo, SetExitCode } from '../io.js';
import { QUICK_HELP, addObjectiveOptions, addTrainerPassThroughOptions, choiceFlag, earlyStoppingOption, integerFlag, portFlag, positiveNumberFlag, typedOptions } from './flags.js';

const DEFAULT_STUDY_DIR = './hptune';

function studyDirOption(io: CliIo): Option {
  return new Option('--study-dir <dir>', 'folder holding the study store and a folder per study (env HPTUNE_STUDY_DIR)').default(
    io.env.HPTUNE_STUDY_DIR ?? DEFAULT_STUDY_DIR,
  );
}

/** The local commands: `hptune study run|resume|list|show|delete|report` (the embedded default backend), `hptune dashboard`, `hptune tb inspect` and `hptune tensorboard`. */
export function registerLocalCommands(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const study = program.command('study').description('Run and inspect studies on this machine (the local backend)');

  const run = study
    .command('run')
    .description('Run a study on this machine: of the program after -- (e.g. -- python3 task.py), else of the LeNet-5 trainer over the seed search space')
    .usage('[options] [-- <command> [args...]]')
    .argument('[command...]', 'after --: the program each trial runs and its fixed arguments; the trial\'s --<parameter>=<value> follow them')
    .option('--config <file>', 'study file (JSON, see @hptune/cli/schema/study.schema.json): name, space, metric, algorithm, limits, trainer; flags override it')
    .option('--name <name>', 'study name; also its folder under --study-dir', 'seed')
    .addOption(
      new Option('--algorithm <algorithm>', 'search algorithm (bayesian is gp here: Gaussian-process Bayesian optimization)').choices(SEARCH_ALGORITHMS).default('grid').argParser(choiceFlag('--algorithm', SEARCH_ALGORITHMS)),
    )
    .option('--max-trial-count <n>', 'trials in all (default: the grid size; required for random, tpe, gp and bayesian)', integerFlag('--max-trial-count', 1))
    .option('--max-parallel-trial-count <n>', 'trials at the same time (default: the number of CPU cores)', integerFlag('--max-parallel-trial-count', 1))
    .option('--max-failed-trial-count <n>', 'failed trials after which the study stops (default: no limit)', integerFlag('--max-failed-trial-count', 0))
    .addOption(studyDirOption(io))
    .option('--seed <n>', "sampler's and trainer's seed", integerFlag('--seed', 0))
    .option('--trial-timeout <seconds>', 'stop a trial running longer than this (default: no limit)', positiveNumberFlag('--trial-timeout'))
    .addOption(earlyStoppingOption('stop hopeless trials early: median (after 5 full trials), asha (rungs at epochs 1, 3, 9, ...), hyperband (brackets of asha) or decay-curve'))
    .option('--asha-max-step <n>', "with --early-stopping asha or hyperband: a trial's last epoch (default: --num-epochs)", integerFlag('--asha-max-step', 2))
    .option('--quick', QUICK_HELP)
    .option('--no-reuse-trainer-processes', 'run every trial in a trainer process of its own (default: the LeNet-5 trainer runs trial after trial in one warm process per parallel slot)')
    .option('--json', 'print newline-delimited JSON events instead of progress');
  addTrainerPassThroughOptions(addObjectiveOptions(run), io.stderr)
    .action(async (command: string[], flags, self: Command) => {
      const { runStudyCommand } = await import('./study-run.js');
      setExitCode(await runStudyCommand(flags, io, { command, given: typedOptions(self) }));
    });

  study
    .command('resume')
    .description('Finish a study whose run stopped (Ctrl-C, a crash, kill -9): finished trials are kept, trainers still running are adopted')
    .argument('<name>', 'the study')
    .addOption(studyDirOption(io))
    .option('--max-parallel-trial-count <n>', 'trials at the same time (default: as stored)', integerFlag('--max-parallel-trial-count', 1))
    .option('--max-failed-trial-count <n>', 'failed trials after which the study stops (default: as stored)', integerFlag('--max-failed-trial-count', 0))
    .option('--trial-timeout <seconds>', 'stop a trial running longer than this (default: as stored)', positiveNumberFlag('--trial-timeout'))
    .option('--force-unlock', 'take the study over from a coordinator on another host that cannot be shown dead')
    .option('--no-reuse-trainer-processes', 'run every trial in a trainer process of its own (default: the LeNet-5 trainer runs trial after trial in one warm process per parallel slot)')
    .option('--json', 'print newline-delimited JSON events instead of progress')
    .action(async (name: string, flags) => {
      const { resumeStudyCommand } = await import('./study-resume.js');
      setExitCode(await resumeStudyCommand(name, flags, io));
    });

  study
    .command('list')
    .description('List the studies in the study directory')
    .addOption(studyDirOption(io))
    .option('--json', 'print JSON')
    .action(async (flags) => {
      const { listStudiesCommand } = await import('./study-list.js');
      setExitCode(listStudiesCommand(flags, io));
    });

  study
    .command('show')
    .description("Show a study's trials, their metrics and the best trial")
    .argument('<name>', 'the study')
    .addOption(studyDirOption(io))
    .option('--json', 'print { name, state, trials: [{ id, state, parameters, metrics, ... }], best } as JSON')
    .option('--config', 'print the study file that runs this study again: hptune study run --config <file> --name <new name>')
    .action(async (name: string, flags) => {
      const { showStudyCommand } = await import('./study-show.js');
      setExitCode(showStudyCommand(name, flags, io));
    });

  study
    .command('delete')
    .description("Delete a study: its trials from the study store and its folder (logs, models, checkpoints, TensorBoard runs); asks first")
    .argument('<name>', 'the study')
    .addOption(studyDirOption(io))
    .option('-y, --yes', 'delete without asking (for scripts)')
    .option('--force-unlock', 'delete a study whose coordinator ran on another host and cannot be shown dead')
    .action(async (name: string, flags) => {
      const { deleteStudyCommand } = await import('./study-delete.js');
      setExitCode(await deleteStudyCommand(name, flags, io));
    });

  study
    .command('report')
    .description('Write a self-contained HTML report of a study (summary, trials, history, parallel coordinates, curves, importance) and print its path')
    .argument('<name>', 'the study')
    .addOption(studyDirOption(io))
    .option('--out <file>', 'where to write it (default: <study dir>/<name>/report.html)')
    .action(async (name: string, flags) => {
      const { studyReportCommand } = await import('./study-report.js');
      setExitCode(studyReportCommand(name, flags, io));
    });

  program
    .command('dashboard')
    .description('Serve a read-only web dashboard of the studies in the study directory, updating while they run (Ctrl-C stops it)')
    .addOption(studyDirOption(io))
    .option('--port <n>', 'port to listen on (default: 8080; 0: any free port)', portFlag('--port'))
    .option('--host <address>', 'interface to listen on (default: 127.0.0.1, this machine only; any other warns)')
    .action(async (flags) => {
      const { dashboardCommand } = await import('./dashboard.js');
      setExitCode(await dashboardCommand(flags, io));
    });

  const tb = program.command('tb').description('TensorBoard log directories');
  tb.command('inspect')
    .description('Summarize a log directory (or event file): a row per run with its HParams session, a row per tag; exit 1 on corruption')
    .argument('<dir>', 'a log directory, e.g. ./hptune/seed')
    .option('--runs', "print every run's tags, counts, steps and last values")
    .option('--json', 'print JSON')
    .action(async (dir: string, flags) => {
      const { inspectCommand } = await import('./tb.js');
      setExitCode(inspectCommand(dir, flags, io));
    });

  program
    .command('tensorboard')
    .description('Print the tensorboard command that shows every trial of a study (scalars, images, HParams)')
    .argument('<study>', 'the study')
    .addOption(studyDirOption(io))
    .action(async (name: string, flags) => {
      const { tensorboardCommand } = await import('./tb.js');
      setExitCode(tensorboardCommand(name, flags, io));
    });
}
