/**
 * A small seeded pseudo-random generator: xoshiro128** (Blackman and Vigna, 2018; 128-bit state,
 * 32-bit output, period 2^128 - 1), its state filled by splitmix32 from the seed. Not for
 * cryptography; chosen because it is tiny, fast, well studied and gives the same sequence on every
 * platform (only 32-bit integer arithmetic).
 * @see https://prng.di.unimi.it/
 */
export interface Random {
  /** The next 32-bit unsigned integer. */
  nextUint32(): number;
  /** The next float in `[0, 1)`, with 53 random bits. */
  nextFloat(): number;
  /** The next integer in `[0, count)`, uniformly; `count` a positive safe integer. */
  nextIndex(count: number): number;
}

/**
 * A generator for a seed and a stream number. Different streams of one seed are independent
 * sequences: the random sampler uses one stream per trial, so trial `n`'s parameters depend only on
 * the seed and `n`.
 * @param seed any safe integer (negative included; its low and high 32 bits are both used).
 * @param stream @default 0
 */
export function createRandom(seed: number, stream = 0): Random {
  let mixer = 0;
  const splitmix32 = (): number => {
    mixer = (mixer + 0x9e3779b9) | 0;
    let z = mixer;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  // Fold the seed's two 32-bit halves and the stream into the splitmix state, each mixed in turn.
  for (const word of [lowWord(seed), highWord(seed), lowWord(stream), highWord(stream)]) {
    mixer = (mixer ^ word) | 0;
    mixer = splitmix32() | 0;
  }
  const state: [number, number, number, number] = [splitmix32(), splitmix32(), splitmix32(), splitmix32()];
  if (state.every((word) => word === 0)) state[0] = 1; // the all-zero state is the generator's one fixed point
  const nextUint32 = xoshiro128StarStar(state);
  const nextFloat = (): number => {
    const high = nextUint32() >>> 5; // 27 bits
    const low = nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  };
  return {
    nextUint32,
    nextFloat,
    nextIndex: (count) => Math.min(count - 1, Math.floor(nextFloat() * count)),
  };
}

/**
 * The xoshiro128** step function over a 128-bit state (four 32-bit words, not all zero), exactly as
 * the reference C implementation; exported for the reference-vector test.
 */
export function xoshiro128StarStar(seedState: readonly [number, number, number, number]): () => number {
  let [s0, s1, s2, s3] = seedState.map((word) => word | 0) as [number, number, number, number];
  return () => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
}

function rotl(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

function lowWord(value: number): number {
  return Number(BigInt.asUintN(32, BigInt(Math.trunc(value))));
}

function highWord(value: number): number {
  return Number(BigInt.asUintN(32, BigInt(Math.trunc(value)) >> 32n));
}
