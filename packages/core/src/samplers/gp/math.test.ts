import { describe, expect, test } from 'vitest';
import { createRandom } from '../../space/random.js';
import { erfcx, logExpectedImprovementFactor } from './acquisition.js';
import { scrambledHalton } from './halton.js';
import { emptyPrediction, gpPosterior, logMarginalLikelihood, matern52, matern52DerivativeR2, pairwiseDistances, type GpInputs } from './kernel.js';
import { choleskyInPlace, choleskyInverse, choleskySolveInPlace } from './linalg.js';
import { minimizeInBox } from './optimize.js';
import { LOG_WARP_RANGE, logScaled, rangeOverInterquartile, robustStandardize, standardize, warpValues, yeoJohnson } from './warping.js';

/** A random symmetric positive-definite matrix `A A^T + n I`. */
function spdMatrix(n: number, seed: number): Float64Array {
  const random = createRandom(seed);
  const a = Float64Array.from({ length: n * n }, () => random.nextFloat() - 0.5);
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j < n; j += 1) {
      let sum = i === j ? n : 0;
      for (let k = 0; k < n; k += 1) sum += (a[i * n + k] as number) * (a[j * n + k] as number);
      matrix[i * n + j] = sum;
    }
  }
  return matrix;
}

function inputs(count: number, categorical: boolean[], seed: number): GpInputs {
  const random = createRandom(seed);
  const dimensions = categorical.length;
  const points = Float64Array.from({ length: count * dimensions }, (_, index) => (categorical[index % dimensions] ? random.nextIndex(3) : random.nextFloat()));
  return { points, count, dimensions, categorical };
}

describe('linear algebra', () => {
  test.each([1, 2, 7, 33])('Cholesky of an SPD matrix of order %i: L L^T = A, L lower triangular; solve and inverse agree with A', (n) => {
    const matrix = spdMatrix(n, n);
    const factor = Float64Array.from(matrix);
    expect(choleskyInPlace(factor, n)).toBe(true);
    for (let i = 0; i < n; i += 1) {
      for (let j = 0; j < n; j += 1) {
        let sum = 0;
        for (let k = 0; k < n; k += 1) sum += (factor[i * n + k] as number) * (factor[j * n + k] as number);
        expect(sum).toBeCloseTo(matrix[i * n + j] as number, 10);
        if (j > i) expect(factor[i * n + j]).toBe(0);
      }
    }
    const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const x = Float64Array.from(b);
    choleskySolveInPlace(factor, n, x);
    const inverse = choleskyInverse(factor, n);
    for (let i = 0; i < n; i += 1) {
      let ax = 0;
      for (let k = 0; k < n; k += 1) ax += (matrix[i * n + k] as number) * (x[k] as number);
      expect(ax).toBeCloseTo(b[i] as number, 10);
      for (let j = 0; j < n; j += 1) {
        let product = 0;
        for (let k = 0; k < n; k += 1) product += (matrix[i * n + k] as number) * (inverse[k * n + j] as number);
        expect(product).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
  });

  test('Cholesky reports a matrix that is not positive definite', () => {
    expect(choleskyInPlace(Float64Array.from([1, 2, 2, 1]), 2)).toBe(false);
    expect(choleskyInPlace(Float64Array.from([1, 1, 1, 1]), 2)).toBe(false); // singular: the second pivot is 0
  });
});

describe('Matérn-5/2 kernel and the marginal likelihood', () => {
  test('the kernel is 1 at distance 0, decreasing, and its r^2-derivative matches finite differences', () => {
    expect(matern52(0)).toBe(1);
    let previous = 1;
    for (const r2 of [1e-6, 0.01, 0.5, 1, 4, 25]) {
      expect(matern52(r2)).toBeLessThan(previous);
      previous = matern52(r2);
      const h = 1e-6 * Math.max(r2, 1e-3);
      expect(matern52DerivativeR2(r2)).toBeCloseTo((matern52(r2 + h) - matern52(r2 - h)) / (2 * h), 6);
    }
  });

  test.each([
    ['continuous coordinates', [false, false, false]],
    ['a categorical coordinate (Hamming term)', [false, true, false, true]],
  ])('the analytic gradient of the log marginal likelihood matches central differences, %s', (_name, categorical) => {
    const data = inputs(25, categorical, 3);
    const distances = pairwiseDistances(data);
    const random = createRandom(9);
    const values = Float64Array.from({ length: data.count }, () => random.nextFloat() * 2 - 1);
    const theta = Float64Array.from([...categorical.map((_, d) => 0.3 * d - 0.5), 0.2, Math.log(0.05)]);
    const likelihood = logMarginalLikelihood(data, distances, values, theta);
    expect(likelihood).toBeDefined();
    for (let i = 0; i < theta.length; i += 1) {
      const up = Float64Array.from(theta);
      const down = Float64Array.from(theta);
      up[i] = (up[i] as number) + 1e-5;
      down[i] = (down[i] as number) - 1e-5;
      const numeric = ((logMarginalLikelihood(data, distances, values, up)?.value as number) - (logMarginalLikelihood(data, distances, values, down)?.value as number)) / 2e-5;
      expect(Math.abs((likelihood?.gradient[i] as number) - numeric)).toBeLessThan(1e-5 * Math.max(1, Math.abs(numeric)));
    }
  });

  test('the posterior interpolates its data, and its mean and variance gradients match central differences', () => {
    const data = inputs(15, [false, false, true], 4);
    const values = Float64Array.from({ length: data.count }, (_, i) => Math.cos(3 * (data.points[i * 3] as number)) + (data.points[i * 3 + 1] as number));
    const theta = Float64Array.from([1, 0.5, 0, 0, Math.log(1e-6)]);
    const posterior = gpPosterior(data, values, theta);
    expect(posterior).toBeDefined();
    const prediction = emptyPrediction(3);
    posterior?.predict(data.points.subarray(0, 3), prediction, false);
    expect(prediction.mean).toBeCloseTo(values[0] as number, 4);
    expect(prediction.variance).toBeLessThan(1e-4);
    const x = Float64Array.from([0.37, 0.61, 1]);
    posterior?.predict(x, prediction, true);
    expect(posterior?.mean(x)).toBeCloseTo(prediction.mean, 12); // the mean alone, as the trust region asks for it
    const { meanGradient, varianceGradient } = { meanGradient: Float64Array.from(prediction.meanGradient), varianceGradient: Float64Array.from(prediction.varianceGradient) };
    for (const d of [0, 1]) {
      const up = Float64Array.from(x);
      const down = Float64Array.from(x);
      up[d] = (up[d] as number) + 1e-6;
      down[d] = (down[d] as number) - 1e-6;
      const upPrediction = emptyPrediction(3);
      const downPrediction = emptyPrediction(3);
      posterior?.predict(up, upPrediction, false);
      posterior?.predict(down, downPrediction, false);
      expect(meanGradient[d]).toBeCloseTo((upPrediction.mean - downPrediction.mean) / 2e-6, 5);
      expect(varianceGradient[d]).toBeCloseTo((upPrediction.variance - downPrediction.variance) / 2e-6, 5);
    }
    expect(meanGradient[2]).toBe(0); // no gradient along a categorical coordinate
  });
});

/** `h(z) = E[max(0, z + X)]`, X standard normal, by Simpson's rule over `u = z + x`: `integral_0^inf u phi(u - z) du`, an independent route to the same number. */
function logFactorByQuadrature(z: number): number {
  if (z < -5) {
    // With t = -z, u = v / t: h = phi(t) / t^2 * integral_0^inf v exp(-v - v^2 / (2 t^2)) dv.
    const t = -z;
    const integral = simpson((v) => v * Math.exp(-v - (v * v) / (2 * t * t)), 0, 60, 20000);
    return -0.5 * t * t - 0.5 * Math.log(2 * Math.PI) - 2 * Math.log(t) + Math.log(integral);
  }
  const phi = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  return Math.log(simpson((u) => u * phi(u - z), 0, Math.max(z, 0) + 40, 40000));
}

function simpson(f: (x: number) => number, from: number, to: number, intervals: number): number {
  const h = (to - from) / intervals;
  let sum = f(from) + f(to);
  for (let i = 1; i < intervals; i += 1) sum += (i % 2 === 1 ? 4 : 2) * f(from + i * h);
  return (sum * h) / 3;
}

describe('log expected improvement', () => {
  test('erfcx matches exp(x^2) erfc(x) from the C library (Python math.erfc), on both sides of the switch at 2', () => {
    const reference: ReadonlyArray<readonly [number, number]> = [
      [0, 1],
      [0.5, 0.6156903441929259],
      [1, 0.427583576155807],
      [1.99, 0.25646783671952994],
      [2, 0.2553956763105057],
      [2.01, 0.25433187656081824],
      [3.5, 0.1552936556088943],
      [5, 0.11070463773306866],
      [10, 0.056140992743822594],
      [25, 0.022549572432641357],
    ];
    for (const [x, expected] of reference) expect(Math.abs(erfcx(x) - expected) / expected).toBeLessThan(1e-12);
  });

  test.each([3, 0.5, 0, -0.5, -0.999, -1, -1.001, -3, -8, -19.99, -20, -20.01, -37, -40, -100, -1e3, -1e5])('log h(%d) matches quadrature to 1e-9 relative', (z) => {
    const { value } = logExpectedImprovementFactor(z);
    expect(Number.isFinite(value)).toBe(true);
    const reference = logFactorByQuadrature(z);
    expect(Math.abs(value - reference)).toBeLessThan(1e-9 * Math.max(1, Math.abs(reference)));
  });

  test('stays finite and strictly increasing far below the incumbent, where plain EI is 0', () => {
    const phi = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    expect(phi(-40)).toBe(0); // plain EI = sigma (phi(z) + z Phi(z)) has underflowed by z = -40
    let previous = Number.NEGATIVE_INFINITY;
    for (const z of [-1e150, -1e10, -1e6, -1e3, -60, -38, -25, -20, -19, -5, -1, 0, 1, 30]) {
      const { value, derivative } = logExpectedImprovementFactor(z);
      expect(Number.isFinite(value)).toBe(true);
      expect(Number.isFinite(derivative)).toBe(true);
      expect(derivative).toBeGreaterThan(0);
      expect(value).toBeGreaterThan(previous);
      previous = value;
    }
    // Far below: -z^2/2 - log sqrt(2 pi) - 2 log|z| to leading order.
    const z = -1e6;
    expect(logExpectedImprovementFactor(z).value).toBeCloseTo(-0.5 * z * z - 0.5 * Math.log(2 * Math.PI) - 2 * Math.log(-z), 3);
  });

  test.each([2, 0, -0.9, -1.1, -7, -19.5, -20.5, -300])('the derivative of log h at %d matches central differences', (z) => {
    const h = 1e-5 * Math.max(1, Math.abs(z));
    const numeric = (logExpectedImprovementFactor(z + h).value - logExpectedImprovementFactor(z - h).value) / (2 * h);
    expect(Math.abs(logExpectedImprovementFactor(z).derivative - numeric)).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
  });
});

describe('projected BFGS', () => {
  const rosenbrock = (x: Float64Array, gradient: Float64Array): number => {
    const [a, b] = [x[0] as number, x[1] as number];
    gradient[0] = -2 * (1 - a) - 400 * a * (b - a * a);
    gradient[1] = 200 * (b - a * a);
    return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
  };

  test('finds the minimum of Rosenbrock inside the box', () => {
    const result = minimizeInBox(rosenbrock, Float64Array.from([-1.2, 1]), { lower: Float64Array.from([-2, -2]), upper: Float64Array.from([2, 2]), maxIterations: 200, gradientTolerance: 1e-8 });
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
  });

  test('stops on the bound when the minimum lies outside the box, and never leaves it', () => {
    const result = minimizeInBox(rosenbrock, Float64Array.from([-1.2, 0.2]), { lower: Float64Array.from([-2, -2]), upper: Float64Array.from([0.5, 0.5]), maxIterations: 200, gradientTolerance: 1e-8 });
    expect(result.x[0]).toBeCloseTo(0.5, 6);
    expect(result.x[1]).toBeCloseTo(0.25, 4);
  });
});

describe('scrambled Halton and output warping', () => {
  test('a seed fixes the sequence; each coordinate is evenly spread (every tenth of [0, 1) holds 10% +- 2% of 1,000 points)', () => {
    const first = scrambledHalton(5, createRandom(3));
    const again = scrambledHalton(5, createRandom(3));
    const other = scrambledHalton(5, createRandom(4));
    expect(Array.from(first.point(17))).toEqual(Array.from(again.point(17)));
    expect(Array.from(first.point(17))).not.toEqual(Array.from(other.point(17)));
    for (let d = 0; d < 5; d += 1) {
      const bins = new Array<number>(10).fill(0);
      for (let i = 0; i < 1000; i += 1) {
        const value = first.point(i)[d] as number;
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThan(1);
        bins[Math.floor(value * 10)] = (bins[Math.floor(value * 10)] as number) + 1;
      }
      for (const count of bins) expect(Math.abs(count - 100)).toBeLessThanOrEqual(20);
    }
  });

  test('the Yeo-Johnson warp keeps the order, and tames a heavy tail', () => {
    expect(yeoJohnson(3, 1)).toBeCloseTo(3, 12);
    expect(yeoJohnson(-3, 1)).toBeCloseTo(-3, 12);
    const values = [0.1, 0.2, 0.15, 0.3, 1000, 0.25, 50];
    const warped = warpValues(values);
    const order = (list: readonly number[]): number[] => list.map((_, i) => i).sort((a, b) => (list[a] as number) - (list[b] as number));
    expect(order(warped)).toEqual(order(values));
    // Standardized, the five good values differ by 6e-4 deviations: the GP sees one flat floor and one spike.
    // Warped, the differences among them grow severalfold, which is what the acquisition works with.
    const spread = (list: readonly number[]): number => Math.max(...[0, 1, 2, 3, 5].map((i) => list[i] as number)) - Math.min(...[0, 1, 2, 3, 5].map((i) => list[i] as number));
    expect(spread(warped) / spread(standardize(values))).toBeGreaterThan(3);
    // 40 interquartile ranges: the power transform alone.
    expect(rangeOverInterquartile(values)).toBeLessThan(LOG_WARP_RANGE);
  });

  test('values spread over more than LOG_WARP_RANGE interquartile ranges are log-scaled first: the good ones stay apart', () => {
    // A good region between 0.5 and 55 and two trials far out (Brown's function has values to 3e21).
    const values = [3, 0.5, 1e15, 2, 8, 1, 21, 5, 1e6, 13, 34, 55];
    expect(rangeOverInterquartile(values)).toBeGreaterThan(LOG_WARP_RANGE);
    const warped = warpValues(values);
    const order = (list: readonly number[]): number[] => list.map((_, i) => i).sort((a, b) => (list[a] as number) - (list[b] as number));
    expect(order(warped)).toEqual(order(values));
    // Standardized, 0.5, 1 and 2 lie within 1e-14 deviations of each other; warped, tenths apart.
    expect((standardize(values)[3] as number) - (standardize(values)[1] as number)).toBeLessThan(1e-13);
    expect((warped[5] as number) - (warped[1] as number)).toBeGreaterThan(0.1);
    expect((warped[3] as number) - (warped[5] as number)).toBeGreaterThan(0.1);
  });

  test('the first standardization takes its scale from the middle half, not from the worst trials', () => {
    // Quartiles 2.25 and 4.75, median 3.5: the trial at 1e9 moves neither.
    const scaled = robustStandardize([1, 2, 3, 4, 5, 1e9]);
    expect(scaled[0]).toBeCloseTo((1 - 3.5) / (2.5 / 1.349), 12);
    expect(scaled[4]).toBeCloseTo((5 - 3.5) / (2.5 / 1.349), 12);
    expect(robustStandardize([1, 2, 3, 4, 5, 1e12]).slice(0, 5)).toEqual(scaled.slice(0, 5));
    // A middle half of one value has no spread: plain standardization.
    expect(robustStandardize([1, 1, 1, 1, 5])).toEqual(standardize([1, 1, 1, 1, 5]));
  });

  test("SMAC's log scaling: the lowest value sits its distance to the 5th percentile below the others, the highest at 0", () => {
    const values = Array.from({ length: 21 }, (_, i) => 10 + i * i);
    const scaled = logScaled(values);
    // The 5th percentile of 21 values is the second lowest (11): the shift is 1.
    expect(scaled[0]).toBeCloseTo(Math.log(1 / 401), 12);
    expect(scaled[1]).toBeCloseTo(Math.log(2 / 401), 12);
    expect(scaled[20]).toBeCloseTo(0, 12);
    expect(logScaled([4, 4, 4])).toEqual([0, 0, 0]);
  });
});
