// Seeded randomness for the simulator: no Math.random anywhere, so a seed fixes a run.
//
// - Rng: Chris Doty-Humphrey's sfc32 (PractRand-clean, 128-bit state, 32-bit output),
//   seeded through splitmix32 so that nearby seeds give unrelated streams.
// - hashUniform: a counter-based uniform in [0, 1) from (seed, a, b), for draws whose
//   order of use must not matter (e.g. "does node j see the attacker's block first in
//   race k?"): the same triple always gives the same number, whoever asks first.

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_53 = 9007199254740992;

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** murmur3's 32-bit finalizer: a bijective avalanche mix. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Splits a non-negative integer seed (up to 2^53) into two 32-bit words. */
function seedWords(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  return [seed >>> 0, Math.floor(seed / TWO_POW_32) >>> 0];
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `stream` separates independent generators derived from one seed. */
  constructor(seed: number, stream = 0) {
    const [lo, hi] = seedWords(seed);
    const st = { s: fmix32(lo ^ fmix32(hi ^ fmix32(stream + 0x632be5ab))) | 0 };
    this.a = splitmix32(st) | 0;
    this.b = splitmix32(st) | 0;
    this.c = splitmix32(st) | 0;
    this.d = splitmix32(st) | 0;
    for (let i = 0; i < 15; i++) this.nextU32(); // warm up, as sfc's author recommends
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  /** Exp(1): the normalised waiting time of a Poisson process. */
  exp(): number {
    return -Math.log1p(-this.next());
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** A uniform in [0, 1) that depends only on (seed, a, b): order-independent draws. */
export function hashUniform(seed: number, a: number, b: number): number {
  const [lo, hi] = seedWords(seed);
  let h1 = fmix32(lo ^ 0x1b873593);
  h1 = fmix32(h1 ^ hi);
  h1 = fmix32(h1 ^ (a >>> 0));
  h1 = fmix32(h1 ^ (b >>> 0));
  const h2 = fmix32(h1 ^ 0x5bd1e995);
  return ((h1 >>> 5) * 67108864 + (h2 >>> 6)) / TWO_POW_53;
}
