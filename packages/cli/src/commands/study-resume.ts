import { resumeStudy } from '@hptune/core';
import type { CliIo } from '../io.js';
import { followStudy } from './study-progress.js';

/** The flags of `hptune study resume`. */
export interface StudyResumeFlags {
  studyDir: string;
  maxParallelTrialCount?: number;
  maxFailedTrialCount?: number;
  trialTimeout?: number;
  forceUnlock?: boolean;
  json?: boolean;
}

/** `hptune study resume <name>`: finishes a study whose coordinator stopped (Ctrl-C, crash, kill -9). */
export async function resumeStudyCommand(name: string, flags: StudyResumeFlags, io: CliIo): Promise<number> {
  const handle = await resumeStudy(name, {
    studyDir: flags.studyDir,
    ...(flags.maxParallelTrialCount === undefined ? {} : { parallelTrials: flags.maxParallelTrialCount }),
    ...(flags.maxFailedTrialCount === undefined ? {} : { maxFailedTrials: flags.maxFailedTrialCount }),
    ...(flags.trialTimeout === undefined ? {} : { trialTimeoutSeconds: flags.trialTimeout }),
    ...(flags.forceUnlock ? { forceUnlock: true } : {}),
  });
  return followStudy(handle, io, { json: flags.json });
}
