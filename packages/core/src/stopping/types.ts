import type { FrozenTrial, MetricSpec } from '../study/types.js';

/** The early-stopping rules hptune knows by name (`--early-stopping` on the command line). */
export type EarlyStoppingKind = 'median' | 'asha' | 'hyperband' | 'decay-curve';

/** {@link median}'s settings, as stored with the study. */
export interface MedianStoppingSpec {
  readonly kind: 'median';
  /** Trials that must have run to their end before any trial is stopped. */
  readonly startupTrials: number;
  /** A trial is judged only at steps of at least this (Optuna's `n_warmup_steps`). */
  readonly warmupSteps: number;
}

/** {@link asha}'s settings, as stored with the study. */
export interface AshaStoppingSpec {
  readonly kind: 'asha';
  /** The first rung's step. */
  readonly minStep: number;
  /** The step a trial that is never stopped reaches (its last epoch); rungs lie below it. */
  readonly maxStep: number;
  /** Rungs lie at `minStep * reductionFactor^k`; one trial in `reductionFactor` goes on past each. */
  readonly reductionFactor: number;
}

/** {@link hyperband}'s settings, as stored with the study. */
export interface HyperbandStoppingSpec {
  readonly kind: 'hyperband';
  /** The first rung's step in the most aggressive bracket. */
  readonly minStep: number;
  /** The step a trial that is never stopped reaches (its last epoch); rungs lie below it. */
  readonly maxStep: number;
  /** Rungs lie at `minStep * reductionFactor^k`; one trial in `reductionFactor` goes on past each. */
  readonly reductionFactor: number;
}

/** {@link decayCurve}'s settings, as stored with the study. */
export interface DecayCurveStoppingSpec {
  readonly kind: 'decay-curve';
  /** Trials that must have run to their end before any trial is stopped (their curves are the model). */
  readonly startupTrials: number;
}

/**
 * An early-stopping rule's settings as plain JSON: what `StudyDefinition.earlyStopping` stores, so a
 * resumed study rebuilds the same rule. Rules written outside hptune use their own `kind`.
 */
export type EarlyStoppingSpec = MedianStoppingSpec | AshaStoppingSpec | HyperbandStoppingSpec | DecayCurveStoppingSpec | { readonly kind: string; readonly [setting: string]: unknown };

/** What a rule is shown when a running trial reports a measurement. */
export interface StoppingContext {
  /** The running trial, with every measurement so far; the newest is the one being judged. */
  readonly trial: FrozenTrial;
  /**
   * The study's other trials that count for the search (cancelled and interrupted ones left out),
   * finished or running, as immutable snapshots.
   */
  readonly others: readonly FrozenTrial[];
  /** The study's metric and whether larger or smaller is better. */
  readonly metric: MetricSpec;
  /** The study's name: {@link hyperband} draws each trial's bracket from it and the trial's number. @default "" */
  readonly studyName?: string;
}

/** A rule's verdict on the newest measurement of a running trial. */
export type StoppingDecision = { readonly stop: false } | { readonly stop: true; readonly reason: string };

/**
 * Decides whether a running trial should stop before its last step (Optuna's pruners, Ray Tune's
 * schedulers, Vertex AI's automated stopping). The contract every rule honours:
 * - it is deterministic: the same trial and others give the same decision, whatever was asked before;
 * - it judges the trial's newest measurement, seeing its earlier ones and the other trials' snapshots
 *   (the local coordinator asks about every measurement in the order reported, even when several
 *   arrive at once, and stops the trial at the first one rejected);
 * - it never changes what it is shown;
 * - it never stops a trial whose newest measurement lacks the study's metric, nor one without measurements;
 * - its `spec` is plain JSON, stored with the study, from which a resumed study rebuilds it.
 * A stopped trial ends SUCCEEDED with `stoppedEarly: true` and `stoppedAtStep`, its value chosen from
 * its measurements up to the decision; one whose trainer finished its run first is an ordinary
 * SUCCEEDED trial.
 * Every rule passes the conformance suite of `conformance.ts` (`@hptune/core/testing`).
 */
export interface StoppingRule {
  /** The rule's settings as stored with the study (`StudyDefinition.earlyStopping`). */
  readonly spec: EarlyStoppingSpec;
  /** Whether the trial stops now, after its newest measurement. */
  decide(context: StoppingContext): StoppingDecision;
}
