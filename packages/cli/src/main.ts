import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { HptuneError } from '@hptune/core/errors';
import { SHARED_FLAGS, isWorded, toCommandWording, toFlagWording } from './flag-names.js';
import { speakAsInvoked } from './invocation.js';
import { processIo, type CliIo, type SetExitCode } from './io.js';
import { registerCommands } from './commands/register.js';

/** Exit code for input rejected before anything ran. */
const EXIT_USAGE = 2;
/** Exit code for a failure at run time. */
const EXIT_FAILURE = 1;

/**
 * Runs the `hptune` command line with `argv` (without `node` and the script path).
 * Never throws: every error becomes one message on stderr and an exit code
 * (2 for rejected input, 1 for run-time failures, 130 for Ctrl-C).
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  const program = createProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

/** The `hptune` program with every command declared (none loaded): what `main` parses with. */
export function createProgram(io: CliIo, setExitCode: SetExitCode): Command {
  const program = new Command('hptune')
    .description('Hyperparameter tuning for TypeScript: LeNet-5 on MNIST, locally or on Vertex AI')
    .version((createRequire(import.meta.url)('../package.json') as { version: string }).version)
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // One line, as every other refusal: commander's message names the flag and the value, the hint the fix.
      outputError: (text, write) => write(`${text.trimEnd()} (run with --help for usage)\n`),
    });
  registerCommands(program, io, setExitCode);
  return program;
}

/**
 * Keeps stack traces from reaching a user when a library fails outside any promise `main` awaits
 * (Google's clients have done so with bad credentials): the process prints one line, as for any
 * unexpected error, and exits with code 1. The trace is printed with `HPTUNE_DEBUG=1`.
 */
export function guardUnexpectedErrors(io: CliIo = processIo()): void {
  const report = (error: unknown) => {
    process.exitCode = reportError(error, io);
    process.exit();
  };
  process.on('uncaughtException', report);
  process.on('unhandledRejection', report);
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help text).
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    if (error.code === 'commander.help') return 0;
    return EXIT_USAGE;
  }
  if (error instanceof HptuneError) {
    // The library's advice names its functions and options; a CLI user needs commands and flags.
    const message = toCommandWording(isWorded(error) ? error.message : toFlagWording(error.message, SHARED_FLAGS));
    io.stderr.write(`hptune: ${speakAsInvoked(message, io.env)}\n`);
    if (error.cause instanceof Error && process.env.HPTUNE_DEBUG) io.stderr.write(`${error.cause.stack}\n`);
    return error.exitCode;
  }
  const detail = error instanceof Error ? (process.env.HPTUNE_DEBUG ? error.stack : error.message) : String(error);
  io.stderr.write(`hptune: unexpected error: ${detail}\n(set HPTUNE_DEBUG=1 for the stack trace; please report it)\n`);
  return EXIT_FAILURE;
}
