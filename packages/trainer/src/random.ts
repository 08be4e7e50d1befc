/** A source of uniform random numbers in [0, 1). */
export type RandomSource = () => number;

/** A {@link RandomSource} whose whole state is one 32-bit number, so it can be saved and resumed. */
export interface SeededRandom extends RandomSource {
  /** The state now: `createRandom(state)` continues the same sequence from here. */
  readonly state: number;
}

/**
 * A small seeded generator (mulberry32): the same seed gives the same sequence on every
 * platform, which `Math.random` cannot promise. Its state is its seed advanced, so a checkpoint
 * keeps it as one number. Good enough for shuffling and seeding initializers; not for cryptography.
 */
export function createRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Object.defineProperty(next, 'state', { get: () => state, enumerable: true }) as SeededRandom;
}

/** Shuffles `values` in place (Fisher-Yates) with `random`, and returns it. */
export function shuffleInPlace<T extends { length: number; [index: number]: number }>(values: T, random: RandomSource): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const held = values[i] as number;
    values[i] = values[j] as number;
    values[j] = held;
  }
  return values;
}

/** A permutation of `0..count-1` drawn with `random`. */
export function permutation(count: number, random: RandomSource): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return shuffleInPlace(order, random);
}
