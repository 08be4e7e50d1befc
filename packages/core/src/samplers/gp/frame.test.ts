import { describe, expect, test } from 'vitest';
import { createRandom } from '../../space/random.js';
import { chooseFrame, gradientFromFrame, identityAxes, principalAxes, symmetricEigen, toFrame } from './frame.js';
import { scrambledHalton } from './halton.js';

/** `A B` for row-major `n x n` matrices. */
const multiply = (a: Float64Array, b: Float64Array, n: number): Float64Array => {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i += 1) for (let j = 0; j < n; j += 1) for (let k = 0; k < n; k += 1) out[i * n + j] = (out[i * n + j] as number) + (a[i * n + k] as number) * (b[k * n + j] as number);
  return out;
};
const transpose = (a: Float64Array, n: number): Float64Array => {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i += 1) for (let j = 0; j < n; j += 1) out[j * n + i] = a[i * n + j] as number;
  return out;
};

/** Values with mean 0 and deviation 1, as the sampler hands the fit. */
const standardized = (values: readonly number[]): Float64Array => {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const deviation = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
  return Float64Array.from(values, (value) => (value - mean) / deviation);
};

describe('symmetricEigen', () => {
  test('V diag(values) V^T rebuilds the matrix, and V is orthonormal', () => {
    const n = 6;
    const random = createRandom(7, 0);
    const b = Float64Array.from({ length: n * n }, () => random.nextFloat() - 0.5);
    const matrix = multiply(b, transpose(b, n), n);
    const { values, vectors } = symmetricEigen(matrix, n);
    const scaled = Float64Array.from(vectors, (value, index) => value * (values[index % n] as number));
    const rebuilt = multiply(scaled, transpose(vectors, n), n);
    rebuilt.forEach((value, index) => expect(value).toBeCloseTo(matrix[index] as number, 12));
    multiply(transpose(vectors, n), vectors, n).forEach((value, index) => expect(value).toBeCloseTo(index % (n + 1) === 0 ? 1 : 0, 12));
  });
});

describe('principalAxes', () => {
  test('the axis of largest spread among the best points runs along the valley they lie in', () => {
    // Points on the cube; the best (lowest) lie along the diagonal (1, 1, 0) through the centre.
    const design = scrambledHalton(3, createRandom(1, 0));
    const points = Array.from({ length: 40 }, (_, index) => design.point(index));
    const values = points.map((p) => 50 * ((p[0] as number) - (p[1] as number)) ** 2 + 20 * ((p[2] as number) - 0.5) ** 2);
    const axes = principalAxes(points, values, 3);
    // The column whose first two coordinates agree most is the valley's axis.
    const along = [0, 1, 2].map((i) => Math.abs((axes[0 * 3 + i] as number) + (axes[1 * 3 + i] as number)) / Math.SQRT2);
    expect(Math.max(...along)).toBeGreaterThan(0.95);
    multiply(transpose(axes, 3), axes, 3).forEach((value, index) => expect(value).toBeCloseTo(index % 4 === 0 ? 1 : 0, 12));
  });
});

describe('toFrame and gradientFromFrame', () => {
  test('a rotation about the centre: distances kept, the centre fixed; the gradient maps back by A', () => {
    const c = Math.SQRT1_2;
    const axes = Float64Array.of(c, -c, c, c);
    const a = Float64Array.of(0.2, 0.9);
    const b = Float64Array.of(0.7, 0.1);
    const distance = (p: Float64Array, q: Float64Array): number => Math.hypot((p[0] as number) - (q[0] as number), (p[1] as number) - (q[1] as number));
    expect(distance(toFrame(axes, a), toFrame(axes, b))).toBeCloseTo(distance(a, b), 12);
    expect([...toFrame(axes, Float64Array.of(0.5, 0.5))]).toEqual([expect.closeTo(0.5, 12), expect.closeTo(0.5, 12)]);
    // f(z) = 3 z0 + z1^2 in the frame; its gradient over x against central differences.
    const f = (x: Float64Array): number => {
      const z = toFrame(axes, x);
      return 3 * (z[0] as number) + (z[1] as number) ** 2;
    };
    const z = toFrame(axes, a);
    const gradient = new Float64Array(2);
    gradientFromFrame(axes, Float64Array.of(3, 2 * (z[1] as number)), gradient);
    for (let d = 0; d < 2; d += 1) {
      const up = Float64Array.from(a);
      const down = Float64Array.from(a);
      up[d] = (up[d] as number) + 1e-6;
      down[d] = (down[d] as number) - 1e-6;
      expect(gradient[d]).toBeCloseTo((f(up) - f(down)) / 2e-6, 6);
    }
  });
});

describe('chooseFrame', () => {
  const design = scrambledHalton(4, createRandom(3, 0));
  const points = Array.from({ length: 40 }, (_, index) => design.point(index));

  test('models a coupled valley (a rotated ill-conditioned quadratic) in the principal axes of the best trials', () => {
    const raw = points.map((p) => {
      const along = (p[0] as number) + (p[1] as number) + (p[2] as number) + (p[3] as number) - 2;
      const across = [(p[0] as number) - (p[1] as number), (p[1] as number) - (p[2] as number), (p[2] as number) - (p[3] as number)];
      return 0.1 * along ** 2 + across.reduce((sum, value) => sum + 30 * value ** 2, 0);
    });
    const chosen = chooseFrame(points, standardized(raw), points, raw);
    expect(chosen.rotated).toBe(true);
    expect([...chosen.axes]).not.toEqual([...identityAxes(4)]);
  });

  test('keeps the cube\'s own coordinates for a separable metric', () => {
    const raw = points.map((p) => p.reduce((sum, value, d) => sum + (d + 1) * (value - 0.3) ** 2, 0));
    const chosen = chooseFrame(points, standardized(raw), points, raw);
    expect(chosen.rotated).toBe(false);
    expect([...chosen.axes]).toEqual([...identityAxes(4)]);
  });

  test('one parameter: nothing to rotate', () => {
    const line = Array.from({ length: 8 }, (_, index) => Float64Array.of(index / 7));
    const raw = line.map((p) => ((p[0] as number) - 0.4) ** 2);
    expect(chooseFrame(line, standardized(raw), line, raw).rotated).toBe(false);
  });
});
