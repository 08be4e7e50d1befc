import { Option, type Command } from 'commander';
import type { CliIo } from '../io.js';
import { addObjectiveOptions, addTrainerPassThroughOptions, choiceFlag, integerFlag, positiveNumberFlag, typedOptions } from './flags.js';
import type { SetExitCode } from './index.js';

const DEFAULT_STUDY_DIR = './hptune';

function studyDirOption(io: CliIo): Option {
  return new Option('--study-dir <dir>', 'folder holding the study store and a folder per study (env HPTUNE_STUDY_DIR)').default(
    io.env.HPTUNE_STUDY_DIR ?? DEFAULT_STUDY_DIR,
  );
}

/** The local commands: `hptune study run|resume|list|show` (the embedded default backend), `hptune tb inspect` and `hptune tensorboard`. */
export function registerLocalCommands(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const study = program.command('study').description('Run and inspect studies on this machine (the local backend)');

  const run = study
    .command('run')
    .description('Run a study on this machine: of the program after -- (e.g. -- python3 task.py), else of the LeNet-5 trainer over the seed search space')
    .usage('[options] [-- <command> [args...]]')
    .argument('[command...]', 'after --: the program each trial runs and its fixed arguments; the trial\'s --<parameter>=<value> follow them')
    .option('--config <file>', 'study file (JSON, see @hptune/cli/schema/study.schema.json): name, space, metric, algorithm, limits, trainer; flags override it')
    .option('--name <name>', 'study name; also its folder under --study-dir', 'seed')
    .addOption(new Option('--algorithm <algorithm>', 'search algorithm').choices(['grid', 'random']).default('grid').argParser(choiceFlag('--algorithm', ['grid', 'random'] as const)))
    .option('--max-trial-count <n>', 'trials in all (default: the grid size; required for random)', integerFlag('--max-trial-count', 1))
    .option('--max-parallel-trial-count <n>', 'trials at the same time (default: the number of CPU cores)', integerFlag('--max-parallel-trial-count', 1))
    .option('--max-failed-trial-count <n>', 'failed trials after which the study stops (default: no limit)', integerFlag('--max-failed-trial-count', 0))
    .addOption(studyDirOption(io))
    .option('--seed <n>', "sampler's and trainer's seed", integerFlag('--seed', 0))
    .option('--trial-timeout <seconds>', 'stop a trial running longer than this (default: no limit)', positiveNumberFlag('--trial-timeout'))
    .option('--quick', 'the quick preset: --num-epochs 1 --train-size 2048 --test-size 1000 unless given')
    .option('--json', 'print newline-delimited JSON events instead of progress')
    .addOption(new Option('--backend <backend>', 'trainer: TensorFlow.js backend').choices(['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']));
  addTrainerPassThroughOptions(addObjectiveOptions(run))
    .action(async (command: string[], flags, self: Command) => {
      const { runStudyCommand } = await import('./study-run.js');
      setExitCode(await runStudyCommand(flags, io, { command, given: typedOptions(self) }));
    });

  study
    .command('resume')
    .description('Finish a study whose run stopped (Ctrl-C, a crash, kill -9): finished trials are kept')
    .argument('<name>', 'the study')
    .addOption(studyDirOption(io))
    .option('--max-parallel-trial-count <n>', 'trials at the same time (default: as stored)', integerFlag('--max-parallel-trial-count', 1))
    .option('--max-failed-trial-count <n>', 'failed trials after which the study stops (default: as stored)', integerFlag('--max-failed-trial-count', 0))
    .option('--trial-timeout <seconds>', 'stop a trial running longer than this (default: as stored)', positiveNumberFlag('--trial-timeout'))
    .option('--force-unlock', 'take the study over from a coordinator on another host that cannot be shown dead')
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

  const tb = program.command('tb').description('TensorBoard log directories');
  tb.command('inspect')
    .description('Print the runs, tags, counts and last values of a log directory (or event file); exit 1 on corruption')
    .argument('<dir>', 'a log directory, e.g. ./hptune/seed')
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
