import { local, resumeStudy } from '@hptune/core';
import { STUDY_RUN_FLAGS, withFlagNames } from '../flag-names.js';
import type { CliIo } from '../io.js';
import { followStudy } from './study-progress.js';

/** The flags of `hptune study resume`. */
export interface StudyResumeFlags {
  studyDir: string;
  maxParallelTrialCount?: number;
  maxFailedTrialCount?: number;
  trialTimeout?: number;
  forceUnlock?: boolean;
  /** `--no-reuse-trainer-processes` sets it false: a trainer process per trial. */
  reuseTrainerProcesses?: boolean;
  json?: boolean;
}

/** `hptune study resume <name>`: finishes a study whose coordinator stopped (Ctrl-C, crash, kill -9). */
export async function resumeStudyCommand(name: string, flags: StudyResumeFlags, io: CliIo): Promise<number> {
  const handle = await withFlagNames(STUDY_RUN_FLAGS, () => resumeStudy(name, {
    studyDir: flags.studyDir,
    ...(flags.maxParallelTrialCount === undefined ? {} : { parallelTrials: flags.maxParallelTrialCount }),
    // --max-failed-trial-count 0 keeps the stored limit, as leaving it out does.
    ...(flags.maxFailedTrialCount === undefined || flags.maxFailedTrialCount === 0 ? {} : { maxFailedTrials: flags.maxFailedTrialCount }),
    ...(flags.trialTimeout === undefined ? {} : { trialTimeoutSeconds: flags.trialTimeout }),
    ...(flags.forceUnlock ? { forceUnlock: true } : {}),
    ...(flags.reuseTrainerProcesses === false ? { backend: local({ reuseTrainerProcesses: false }) } : {}),
  }));
  return followStudy(handle, io, { json: flags.json });
}
