import type { MetricReport } from '@hptune/trial';
import type { Measurement } from '../../study/types.js';

/** Steps whose tags {@link MeasurementTracker} remembers for a trial's final measurement. */
const RECENT_STEPS = 8;

/**
 * Turns the reports a trial writes to its metric file into measurements, as they arrive (the
 * {@link MetricFileReader} hands it each report once).
 *
 * Consecutive reports at the same step make one measurement (a trainer reporting `accuracy` then
 * `loss` for an epoch gives one measurement with both); a tag seen again at the same step starts a
 * new one, so nothing reported is dropped. The newest step's group is held back while it may still
 * grow, and released as soon as it is known complete: a report at a later step, the same tags as
 * the measurement before it (a trainer reports the same tags every epoch), the file staying quiet
 * ({@link flush}, the intake's settle timer), or the trial's end.
 *
 * Memory is bounded whatever the trainer writes: it keeps the held group, the last report of each
 * tag and the tags of the last {@link RECENT_STEPS} steps, never every report.
 */
export class MeasurementTracker {
  #pending: MetricReport[] = [];
  /** The tags of the measurement released last, sorted and joined: what a complete group holds. */
  #lastTags = '';
  readonly #startedAtSeconds: number;
  /** `[tag, step, value]` of values measured before this tracker (by a coordinator that died), with how many times each was. */
  readonly #measuredBefore = new Map<string, number>();
  readonly #lastReportOf = new Map<string, MetricReport>();
  /** The tags reported at the last few steps, newest last: `[step, { tag: value }]`. */
  readonly #recentSteps: [number, Record<string, number>][] = [];

  /**
   * @param startedAtSeconds when the trial started, in seconds since the epoch (report timestamps' unit)
   * @param measuredBefore the trial's measurements already recorded (an adopted trial's): the
   *   reports they came from count as seen, so only what came after is measured again
   */
  constructor(startedAtSeconds: number, measuredBefore: readonly Measurement[] = []) {
    this.#startedAtSeconds = startedAtSeconds;
    for (const measurement of measuredBefore) {
      for (const [tag, value] of Object.entries(measurement.metrics)) {
        const key = JSON.stringify([tag, measurement.step, value]);
        this.#measuredBefore.set(key, (this.#measuredBefore.get(key) ?? 0) + 1);
      }
    }
  }

  /** Whether a group of reports is held back, waiting to be known complete. */
  get holding(): boolean {
    return this.#pending.length > 0;
  }

  /**
   * Whether the held group lacks tags the step before had: the rest of its step is surely coming,
   * so it is worth waiting longer than a quiet moment for it (a busy machine can delay a trainer
   * between two reports of one step).
   */
  get expectingMore(): boolean {
    if (this.#pending.length === 0 || this.#lastTags === '') return false;
    const expected = new Set(this.#lastTags.split('\n'));
    return this.#pending.length < expected.size && this.#pending.every((report) => expected.has(report.tag));
  }

  /** Takes reports new since the last call, in file order; returns the measurements now complete. */
  update(reports: readonly MetricReport[]): Measurement[] {
    const released: Measurement[] = [];
    for (const report of reports) {
      this.#remember(report);
      if (this.#takeMeasuredBefore(report)) continue;
      const pending = this.#pending;
      if (pending.length > 0 && (pending[0]?.globalStep !== report.globalStep || pending.some((seen) => seen.tag === report.tag))) released.push(this.#release());
      this.#pending.push(report);
    }
    if (this.#pending.length > 0 && this.#lastTags !== '' && tagsOf(this.#pending) === this.#lastTags) released.push(this.#release());
    return released;
  }

  /** Returns the held measurement, if any: the file is quiet, or the trial has ended. */
  flush(): Measurement[] {
    return this.#pending.length === 0 ? [] : [this.#release()];
  }

  #release(): Measurement {
    const group = this.#pending;
    this.#pending = [];
    this.#lastTags = tagsOf(group);
    const metrics: Record<string, number> = {};
    let timestamp = 0;
    for (const report of group) {
      metrics[report.tag] = report.value;
      timestamp = Math.max(timestamp, report.timestamp);
    }
    return { step: group[0]?.globalStep ?? 0, metrics, elapsedSeconds: this.#elapsed(timestamp) };
  }

  #remember(report: MetricReport): void {
    this.#lastReportOf.set(report.tag, report);
    let entry = this.#recentSteps.find(([step]) => step === report.globalStep);
    if (!entry) {
      entry = [report.globalStep, {}];
      this.#recentSteps.push(entry);
      if (this.#recentSteps.length > RECENT_STEPS) this.#recentSteps.shift();
    }
    entry[1][report.tag] = report.value;
  }

  #takeMeasuredBefore(report: MetricReport): boolean {
    if (this.#measuredBefore.size === 0) return false;
    const key = JSON.stringify([report.tag, report.globalStep, report.value]);
    const left = this.#measuredBefore.get(key) ?? 0;
    if (left === 0) return false;
    if (left === 1) this.#measuredBefore.delete(key);
    else this.#measuredBefore.set(key, left - 1);
    return true;
  }

  /**
   * The final measurement: at the step of the last report of `metricId`, every tag's last value at
   * that step; `undefined` when the metric was never reported.
   */
  finalMeasurement(metricId: string): Measurement | undefined {
    const last = this.#lastReportOf.get(metricId);
    if (!last) return undefined;
    const metrics: Record<string, number> = { ...this.#recentSteps.find(([step]) => step === last.globalStep)?.[1] };
    metrics[metricId] = last.value;
    return { step: last.globalStep, metrics, elapsedSeconds: this.#elapsed(last.timestamp) };
  }

  #elapsed(timestamp: number): number {
    return Math.max(0, Math.round((timestamp - this.#startedAtSeconds) * 1000) / 1000);
  }
}

function tagsOf(group: readonly MetricReport[]): string {
  if (group.length === 1) return (group[0] as MetricReport).tag;
  return group
    .map((report) => report.tag)
    .sort()
    .join('\n');
}
