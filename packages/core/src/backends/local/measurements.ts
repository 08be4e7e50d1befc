import type { MetricReport } from '../../hypertune.js';
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

  /** @param startedAtSeconds when the trial started, in seconds since the epoch (report timestamps' unit) */
  constructor(startedAtSeconds: number) {
    this.#startedAtSeconds = startedAtSeconds;
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
    const groups = this.#group([...this.#pending, ...fresh]);
    this.#pending = groups.pop() ?? [];
    return groups.map((group) => this.#measurement(group));
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
