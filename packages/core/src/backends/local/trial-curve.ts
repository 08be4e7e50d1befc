import type { FrozenTrial, Measurement, MetricSpec, TrialSummary } from '../../study/types.js';

/** Rows a curve makes room for at first; it doubles as it fills. */
const INITIAL_CAPACITY = 16;

/** One metric's values, row by row: `present[row]` is 1 where that measurement has the metric. */
interface MetricColumn {
  values: Float64Array;
  present: Uint8Array;
}

/**
 * A trial's measurements as the local coordinator holds them: in columns of numbers (step, elapsed
 * seconds, one column per metric id), about 25 bytes a measurement with one metric, where each
 * `Measurement` object with its `metrics` object costs the JavaScript heap ten times that. A trainer
 * may report 100,000 steps; the coordinator keeps every one (its stopping rule, its events and
 * `handle.trials()` hand them out) without holding them as objects.
 *
 * The trials it hands out ({@link TrialCurve.snapshot}) are immutable `FrozenTrial`s whose
 * `measurements` (and `measurementsAfterStop`) are built from the columns the first time they are
 * read, and held only as long as the reader holds them (a `WeakRef`): a sampler, rule or listener
 * that never reads them costs nothing, and one that reads them gets the same frozen array each time
 * while it keeps it.
 *
 * Rows are appended in the order reported: first staged ({@link TrialCurve.stage}), visible only to
 * the early-stopping rule that judges them, then recorded ({@link TrialCurve.commit}) once the store
 * has them, so what snapshots show is what the store holds.
 */
export class TrialCurve {
  #rows = 0;
  #recorded = 0;
  /** Rows of the curve proper once an early-stopping decision is stored: those after it were reported after the decision. */
  #decided: number | undefined;
  #steps = new Float64Array(INITIAL_CAPACITY);
  #elapsed = new Float64Array(INITIAL_CAPACITY);
  readonly #metrics = new Map<string, MetricColumn>();
  /** Rows already built as objects, shared by every snapshot while any reader holds them. */
  #built: WeakRef<Measurement[]> | undefined;

  /** The curve of a trial as a store read it: its measurements, then those reported after its rule's decision. */
  static of(trial: Pick<FrozenTrial, 'measurements' | 'measurementsAfterStop' | 'stoppedAtStep'>): TrialCurve {
    const curve = new TrialCurve();
    curve.stage(trial.measurements);
    curve.commit(trial.measurements.length);
    if (trial.stoppedAtStep !== undefined) curve.decide();
    const after = trial.measurementsAfterStop ?? [];
    curve.stage(after);
    curve.commit(after.length);
    return curve;
  }

  /** Measurements recorded: those the store holds. */
  get recorded(): number {
    return this.#recorded;
  }

  /** Measurements recorded before the early-stopping decision, when one is stored; all recorded ones otherwise. */
  get decided(): number {
    return this.#decided ?? this.#recorded;
  }

  /**
   * Puts `measurements` after the recorded ones, replacing anything staged before and not
   * recorded (a write the store refused): the rows a rule is shown before they are stored.
   */
  stage(measurements: readonly Measurement[]): void {
    this.#rows = this.#recorded;
    const built = this.#built?.deref();
    if (built && built.length > this.#rows) built.length = this.#rows;
    this.#reserve(this.#rows + measurements.length);
    for (const measurement of measurements) {
      const row = this.#rows;
      this.#steps[row] = measurement.step;
      this.#elapsed[row] = measurement.elapsedSeconds;
      for (const [id, value] of Object.entries(measurement.metrics)) {
        const column = this.#column(id);
        column.values[row] = value;
        column.present[row] = 1;
      }
      this.#rows = row + 1;
    }
  }

  /** The first `count` staged measurements are stored: snapshots show them from now on. */
  commit(count: number): void {
    if (count < 0 || this.#recorded + count > this.#rows) throw new RangeError(`cannot record ${count} measurements: ${this.#rows - this.#recorded} are staged`);
    this.#recorded += count;
  }

  /** The early-stopping decision is stored: the measurements recorded so far are the curve, later ones come after it. */
  decide(): void {
    this.#decided = this.#recorded;
  }

  /**
   * The trial as stored, `summary` with its measurements from this curve: while the trial keeps its
   * rule's decision (`stoppedAtStep`), those reported after it stay apart, as every store keeps them;
   * otherwise they are all its curve.
   */
  snapshot(summary: TrialSummary): FrozenTrial {
    return this.#frozen(summary, this.curveLength(summary), this.#recorded);
  }

  /** How many recorded measurements make the curve (`measurements`) of a trial in the state `summary` says. */
  curveLength(summary: Pick<TrialSummary, 'stoppedAtStep'>): number {
    return summary.stoppedAtStep === undefined ? this.#recorded : this.decided;
  }

  /** The trial as its rule judges the staged measurement `rows - 1`: its curve is the first `rows` rows, recorded or staged. */
  judged(summary: TrialSummary, rows: number): FrozenTrial {
    if (rows > this.#rows) throw new RangeError(`cannot show ${rows} measurements: the curve has ${this.#rows}`);
    return this.#frozen(summary, rows, rows);
  }

  /**
   * The measurement with the best finite value of the metric among the first `rows` recorded (the
   * earliest on a tie), as `bestMeasurement` chooses; `undefined` when none has one.
   */
  best(metric: MetricSpec, rows: number): Measurement | undefined {
    const column = this.#metrics.get(metric.id);
    if (!column) return undefined;
    let best = -1;
    for (let row = 0; row < rows; row += 1) {
      const value = column.values[row] as number;
      if (!column.present[row] || !Number.isFinite(value)) continue;
      if (best < 0 || (metric.goal === 'maximize' ? value > (column.values[best] as number) : value < (column.values[best] as number))) best = row;
    }
    return best < 0 ? undefined : this.#build(best);
  }

  /** The last of the first `rows` recorded measurements with a finite value of the metric, if any. */
  lastWith(metric: MetricSpec, rows: number): Measurement | undefined {
    const column = this.#metrics.get(metric.id);
    if (!column) return undefined;
    for (let row = rows - 1; row >= 0; row -= 1) {
      if (column.present[row] && Number.isFinite(column.values[row])) return this.#build(row);
    }
    return undefined;
  }

  /**
   * Those of the first `rows` recorded measurements that carry `metricId`, evenly thinned to at most
   * `limit`, the last always kept: a curve to draw, built without building the others.
   */
  metricPoints(metricId: string, rows: number, limit: number): Measurement[] {
    const column = this.#metrics.get(metricId);
    if (!column) return [];
    const carrying: number[] = [];
    for (let row = 0; row < rows; row += 1) if (column.present[row]) carrying.push(row);
    if (carrying.length <= limit) return carrying.map((row) => this.#build(row));
    const stride = carrying.length / limit;
    return Array.from({ length: limit }, (_, index) => this.#build(carrying[Math.min(carrying.length - 1, Math.floor(carrying.length - 1 - (limit - 1 - index) * stride))] as number));
  }

  #frozen(summary: TrialSummary, curveEnd: number, end: number): FrozenTrial {
    // Field by field: spreading a snapshot would build the curve its getters stand for.
    const trial: Record<string, unknown> = {};
    for (const key of Object.keys(summary)) if (key !== 'measurements' && key !== 'measurementsAfterStop') trial[key] = summary[key as keyof TrialSummary];
    Object.defineProperty(trial, 'measurements', { enumerable: true, get: heldWhileRead(() => this.#range(0, curveEnd)) });
    if (end > curveEnd) Object.defineProperty(trial, 'measurementsAfterStop', { enumerable: true, get: heldWhileRead(() => this.#range(curveEnd, end)) });
    return Object.freeze(trial) as unknown as FrozenTrial;
  }

  /** Rows `start` to `end` as frozen measurements, in a frozen array of its own. */
  #range(start: number, end: number): readonly Measurement[] {
    let built = this.#built?.deref();
    if (!built) {
      built = [];
      this.#built = new WeakRef(built);
    }
    for (let row = built.length; row < end; row += 1) built.push(this.#build(row));
    return Object.freeze(built.slice(start, end));
  }

  #build(row: number): Measurement {
    const built = this.#built?.deref()?.[row];
    if (built) return built;
    const metrics: Record<string, number> = {};
    for (const [id, column] of this.#metrics) if (column.present[row]) metrics[id] = column.values[row] as number;
    return Object.freeze({ step: this.#steps[row] as number, metrics: Object.freeze(metrics), elapsedSeconds: this.#elapsed[row] as number });
  }

  #column(id: string): MetricColumn {
    let column = this.#metrics.get(id);
    if (!column) {
      column = { values: new Float64Array(this.#steps.length), present: new Uint8Array(this.#steps.length) };
      this.#metrics.set(id, column);
    }
    return column;
  }

  #reserve(rows: number): void {
    if (rows <= this.#steps.length) return;
    let capacity = this.#steps.length;
    while (capacity < rows) capacity *= 2;
    this.#steps = grown(this.#steps, capacity);
    this.#elapsed = grown(this.#elapsed, capacity);
    for (const column of this.#metrics.values()) {
      column.values = grown(column.values, capacity);
      column.present = grown(column.present, capacity);
    }
  }
}

function grown<A extends Float64Array | Uint8Array>(array: A, capacity: number): A {
  const bigger = new (array.constructor as new (length: number) => A)(capacity);
  bigger.set(array);
  return bigger;
}

/**
 * A getter that builds its value on first read and gives the same value back while anyone holds
 * it, building it again only after it was collected: a snapshot never keeps its curve alive itself.
 */
function heldWhileRead<T extends object>(build: () => T): () => T {
  let held: WeakRef<T> | undefined;
  return () => {
    const value = held?.deref();
    if (value) return value;
    const fresh = build();
    held = new WeakRef(fresh);
    return fresh;
  };
}
