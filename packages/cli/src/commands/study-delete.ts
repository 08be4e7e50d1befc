import { HptuneError, countTrials, deleteStudy, openStudy } from '@hptune/core';
import { speakAsInvoked } from '../invocation.js';
import { confirm, type CliIo } from '../io.js';
import { formatTrialCounts } from '../reporters/format.js';

/** The flags of `hptune study delete`. */
export interface StudyDeleteFlags {
  studyDir: string;
  /** Delete without asking. */
  yes?: boolean;
  forceUnlock?: boolean;
}

/**
 * `hptune study delete <name>`: removes a study from the study store and its folder (every trial's
 * logs, models, checkpoints and TensorBoard runs), after asking; `--yes` answers for a script.
 * Refused while the study runs.
 */
export async function deleteStudyCommand(name: string, flags: StudyDeleteFlags, io: CliIo): Promise<number> {
  const { study, trials } = openStudy(name, { studyDir: flags.studyDir });
  if (!flags.yes) {
    const answer = await confirm(`Delete study ${study.name} (${formatTrialCounts(countTrials(trials))}) and its folder ${study.directory}?`, io);
    if (answer === undefined) {
      throw new HptuneError('CONFIRMATION_REQUIRED', speakAsInvoked(`hptune study delete ${name} asks before deleting, and there is no terminal to ask on; pass --yes to delete study ${name} without asking`, io.env), { exitCode: 2 });
    }
    if (!answer) {
      io.stderr.write(`hptune: study ${name} kept\n`);
      return 1;
    }
  }
  const deleted = deleteStudy(name, { studyDir: flags.studyDir, ...(flags.forceUnlock ? { forceUnlock: true } : {}) });
  io.stdout.write(`deleted study ${deleted.name}: ${deleted.trials} trial${deleted.trials === 1 ? '' : 's'}${deleted.directory ? ` and ${deleted.directory}` : ''}\n`);
  return 0;
}
