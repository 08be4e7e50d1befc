import { statSync } from 'node:fs';
import { readMetricFile, type MetricReport } from '@hptune/trial';
import type { Measurement } from '../../study/types.js';

/**
 * Turns the reports a trial writes to its metric file into measurements, as they appear.
 *
 * The file holds a rolling window of the last reports and is rewritten whole on each report, so a
 * report is recognised by its content (tag, step, value, timestamp), not its position. Consecutive
 * reports at the same step make one measurement (a trainer reporting `accuracy` then `loss` for an
 * epoch gives one measurement with both); a tag seen again at the same step starts a new one, so
 * nothing reported is dropped. Since the trainer writes one tag per report, the newest step's
 * measurement is held until a read finds nothing new (or a later step, or the end), so a read that
 * falls between `accuracy` and `loss` does not split them.
 */
export class MeasurementTracker {
  readonly #seen = new Set<string>();
  readonly #reports: MetricReport[] = [];
  #pending: MetricReport[] = [];
  readonly #startedAtSeconds: number;
  /** `[tag, step, value]` of values measured before this tracker (by a coordinator that died), with how many times each was. */
  readonly #measuredBefore = new Map<string, number>();

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

  /** Every report seen so far, in the order seen. */
  get reports(): readonly MetricReport[] {
    return this.#reports;
  }

  /**
   * Takes the file's current reports and returns the measurements now complete: every group of new
   * reports but the newest, which waits for the next read; a read with nothing new releases it.
   */
  update(reports: readonly MetricReport[]): Measurement[] {
    const fresh = reports.filter((report) => {
      const key = JSON.stringify([report.tag, report.globalStep, report.value, report.timestamp]);
      if (this.#seen.has(key)) return false;
      this.#seen.add(key);
      return true;
    });
    if (fresh.length === 0) return this.flush();
    this.#reports.push(...fresh);
    const unmeasured = fresh.filter((report) => !this.#takeMeasuredBefore(report));
    if (unmeasured.length === 0) return this.flush();
    const groups = this.#group([...this.#pending, ...unmeasured]);
    this.#pending = groups.pop() ?? [];
    return groups.map((group) => this.#measurement(group));
  }

  #takeMeasuredBefore(report: MetricReport): boolean {
    const key = JSON.stringify([report.tag, report.globalStep, report.value]);
    const left = this.#measuredBefore.get(key) ?? 0;
    if (left === 0) return false;
    this.#measuredBefore.set(key, left - 1);
    return true;
  }

  /** Returns the held measurement, if any: the file is quiet, or the trial has ended. */
  flush(): Measurement[] {
    const pending = this.#pending;
    this.#pending = [];
    return pending.length === 0 ? [] : [this.#measurement(pending)];
  }

  #group(reports: readonly MetricReport[]): MetricReport[][] {
    const groups: MetricReport[][] = [];
    let current: MetricReport[] | undefined;
    for (const report of reports) {
      if (!current || current[0]?.globalStep !== report.globalStep || current.some((seen) => seen.tag === report.tag)) {
        current = [];
        groups.push(current);
      }
      current.push(report);
    }
    return groups;
  }

  #measurement(group: readonly MetricReport[]): Measurement {
    const metrics: Record<string, number> = {};
    let timestamp = 0;
    for (const report of group) {
      metrics[report.tag] = report.value;
      timestamp = Math.max(timestamp, report.timestamp);
    }
    return { step: group[0]?.globalStep ?? 0, metrics, elapsedSeconds: this.#elapsed(timestamp) };
  }

  /**
   * The final measurement: at the step of the last report of `metricId`, every tag's last value at
   * that step; `undefined` when the metric was never reported.
   */
  finalMeasurement(metricId: string): Measurement | undefined {
    const last = this.#reports.findLast((report) => report.tag === metricId);
    if (!last) return undefined;
    const metrics: Record<string, number> = {};
    for (const report of this.#reports) if (report.globalStep === last.globalStep) metrics[report.tag] = report.value;
    metrics[metricId] = last.value;
    return { step: last.globalStep, metrics, elapsedSeconds: this.#elapsed(last.timestamp) };
  }

  #elapsed(timestamp: number): number {
    return Math.max(0, Math.round((timestamp - this.#startedAtSeconds) * 1000) / 1000);
  }
}

/**
 * Reads a trial's metric file into a {@link MeasurementTracker} and hands each new measurement
 * to `onMeasurement`: `poll(false)` while the trial runs (a file unchanged since the last read
 * releases the measurement held back), `poll(true)` once it has ended (everything is released).
 * Returns the read error, if any: a trainer that writes the file in place (Python's
 * cloudml-hypertune) can be caught mid-write, so only the final read's error counts.
 */
export function metricFilePoller(
  metricFile: string,
  tracker: MeasurementTracker,
  onMeasurement: (measurement: Measurement) => void,
): (final: boolean) => Error | undefined {
  let lastStat = '';
  const emit = (measurements: Measurement[]) => {
    for (const measurement of measurements) onMeasurement(measurement);
  };
  return (final) => {
    if (!final) {
      try {
        const stat = statSync(metricFile, { bigint: true });
        const key = `${stat.ino}:${stat.size}:${stat.mtimeNs}`;
        if (key === lastStat) {
          emit(tracker.flush());
          return undefined;
        }
        lastStat = key;
      } catch {
        return undefined;
      }
    }
    let reports: MetricReport[];
    try {
      reports = readMetricFile(metricFile);
    } catch (error) {
      lastStat = '';
      if (final) emit(tracker.flush());
      return error as Error;
    }
    emit(tracker.update(reports));
    if (final) emit(tracker.flush());
    return undefined;
  };
}
