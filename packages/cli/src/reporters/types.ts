import type { FrozenTrial, MetricSpec, Measurement } from '@hptune/core';

/** What a reporter knows about the study it renders. */
export interface StudyHeader {
  readonly name: string;
  readonly metric: MetricSpec;
  /** Trials the study will run in all (the grid size or maxTrials). */
  readonly totalTrials: number;
  /** Trials already finished before this run (a resumed study). */
  readonly alreadyFinished: number;
  readonly parallelTrials: number;
  readonly studyDir: string;
  /** The study's folder (`<study dir>/<name>`, absolute): one folder per trial, with its `stderr.log`. */
  readonly directory: string;
}

/**
 * Renders a running study for a person or a program. Every hook is optional, as in vitest's
 * reporters: a reporter implements the moments it cares about.
 */
export interface StudyReporter {
  onStudyStart?(header: StudyHeader): void;
  onTrialStarted?(trial: FrozenTrial): void;
  onMeasurement?(trial: FrozenTrial, measurement: Measurement): void;
  onTrialCompleted?(trial: FrozenTrial): void;
  /** Called once with every trial of the study, best first if there is one. */
  onStudyEnd?(summary: StudySummary): void;
}

/** The end of a run: all trials, the best, and how it ended. */
export interface StudySummary {
  readonly header: StudyHeader;
  readonly trials: readonly FrozenTrial[];
  readonly best: FrozenTrial | undefined;
  /** `COMPLETED`, or what stopped it. */
  readonly outcome: 'COMPLETED' | 'FAILED' | 'CANCELLED';
  readonly elapsedSeconds: number;
  /** Lines that explain the results to a newcomer, printed after the best trial (e.g. why some sit at chance). */
  readonly notes?: readonly string[];
}
