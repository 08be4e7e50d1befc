import type { Command } from 'commander';
import type { CliIo, SetExitCode } from '../io.js';
import { registerLocalCommands } from './local.js';
import { registerVertexCommands } from './launch-register.js';

/**
 * Declares every command. Each command's implementation is imported only when it runs,
 * so `hptune study list` never loads TensorFlow.js or the Google Cloud clients.
 */
export function registerCommands(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  program
    .command('train')
    .description('Train LeNet-5 on MNIST once (the trial a study runs); `hptune train --help` lists its flags')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .passThroughOptions()
    .argument('[trainer-flags...]')
    .action(async (trainerFlags: string[]) => {
      const { runTrainCommand } = await import('./train.js');
      setExitCode(await runTrainCommand(trainerFlags));
    });
  registerLocalCommands(program, io, setExitCode);
  registerVertexCommands(program, io, setExitCode);
}
