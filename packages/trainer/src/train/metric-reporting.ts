import { reportMetric } from '@hptune/trial';
import type { EpochMetrics, TrainingObserver } from './observers.js';

/** Options of {@link createMetricReportingObserver}. */
export interface MetricReportingOptions {
  /** The metric tag, the study's metric id. */
  tag: string;
  /** The metric file (`CLOUD_ML_HP_METRIC_FILE`). */
  metricFile: string;
  /** The trial id written in each report (`CLOUD_ML_TRIAL_ID`). */
  trialId: string;
  /**
   * Epochs an interrupted run of the trial finished (from its checkpoint), reported again when
   * training begins, so the metric file of a resumed trial holds every epoch. @default []
   */
  resumedHistory?: readonly EpochMetrics[];
}

/**
 * Reports test accuracy to the metric file after every epoch (global_step = epoch), so a study
 * sees intermediate values and can stop a trial early.
 * @see https://github.com/GoogleCloudPlatform/cloudml-hypertune
 */
export function createMetricReportingObserver(options: MetricReportingOptions): TrainingObserver {
  const report = (metrics: EpochMetrics): void => {
    reportMetric({ tag: options.tag, value: metrics.testAccuracy, globalStep: metrics.epoch, metricFile: options.metricFile, trialId: options.trialId });
  };
  return {
    onTrainBegin() {
      for (const metrics of options.resumedHistory ?? []) report(metrics);
    },
    onEpochEnd: report,
  };
}
