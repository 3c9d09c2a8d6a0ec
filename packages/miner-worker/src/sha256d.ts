// SHA-256d for proof-of-work, self-contained (no imports from @chainlab/core, so a worker
// thread starts fast). Everything works on 32-bit words held in Int32Array / int32 locals:
// no BigInt, no allocation per nonce.
//
// Header layout (docs/protocol.md, Bitcoin's): version u32 LE | prevHash 32 | merkleRoot 32 |
// time u32 LE | bits u32 LE | nonce u32 LE = 80 bytes. Block hash = SHA-256(SHA-256(header)).
// Valid iff the hash, read as a 256-bit little-endian number (the byte-reversed "display"
// form read big-endian), is <= target.
//
// Per nonce the search does only what changes: the first 64 header bytes are compressed
// once (the midstate), the second block (header bytes 64..79 + padding) differs only in
// word 3 (the nonce, byte-swapped because SHA-256 reads words big-endian), and the second
// SHA-256 hashes a 32-byte digest whose padding is fixed. The per-nonce work is done by a
// generated kernel (scripts/gen-kernel.mjs): WebAssembly SIMD, four nonces at a time
// (kernel-wasm.generated.ts), or unrolled JavaScript (kernel.generated.ts).
import { scanKernel } from './kernel.generated.js';
import { CANDIDATE_BASE, wasmKernel } from './kernel-wasm.js';

// prettier-ignore
const K = Int32Array.of(
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
);

/** SHA-256 initial hash value. */
// prettier-ignore
export const SHA256_IV: Readonly<Int32Array> = Int32Array.of(
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
);

/** Largest nonce range end (exclusive): the whole u32 space. */
export const NONCE_SPACE = 0x1_0000_0000;

const schedule = new Int32Array(64);

/**
 * One SHA-256 compression (the plain, rolled reference version; the hot loop uses the
 * generated kernel). `state`: 8 words, `block`: 16 big-endian words; writes the new state
 * to `out` (which may be `state`).
 */
export function compress(
  state: ArrayLike<number>,
  block: ArrayLike<number>,
  out: Int32Array,
): void {
  const w = schedule;
  for (let i = 0; i < 16; i++) w[i] = block[i]! | 0;
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (s1 + w[i - 7]! + s0 + w[i - 16]!) | 0;
  }
  let a = state[0]! | 0;
  let b = state[1]! | 0;
  let c = state[2]! | 0;
  let d = state[3]! | 0;
  let e = state[4]! | 0;
  let f = state[5]! | 0;
  let g = state[6]! | 0;
  let h = state[7]! | 0;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + (g ^ (e & (f ^ g))) + K[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) | (c & (a | b)))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  out[0] = (state[0]! + a) | 0;
  out[1] = (state[1]! + b) | 0;
  out[2] = (state[2]! + c) | 0;
  out[3] = (state[3]! + d) | 0;
  out[4] = (state[4]! + e) | 0;
  out[5] = (state[5]! + f) | 0;
  out[6] = (state[6]! + g) | 0;
  out[7] = (state[7]! + h) | 0;
}

function readWordsBE(bytes: Uint8Array, offset: number, count: number, out: Int32Array): void {
  for (let i = 0; i < count; i++) {
    const p = offset + 4 * i;
    out[i] = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!;
  }
}

function wordsToBytes(words: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 * words.length);
  for (let i = 0; i < words.length; i++) {
    const x = words[i]!;
    out[4 * i] = x >>> 24;
    out[4 * i + 1] = x >>> 16;
    out[4 * i + 2] = x >>> 8;
    out[4 * i + 3] = x;
  }
  return out;
}

/** Plain SHA-256 of any message (reference path, not the hot loop). */
export function sha256(data: Uint8Array): Uint8Array {
  const bitLen = data.length * 8;
  const padded = new Uint8Array((((data.length + 8) >> 6) + 1) << 6);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bitLen / 0x1_0000_0000));
  view.setUint32(padded.length - 4, bitLen >>> 0);
  const state = Int32Array.from(SHA256_IV);
  const block = new Int32Array(16);
  for (let off = 0; off < padded.length; off += 64) {
    readWordsBE(padded, off, 16, block);
    compress(state, block, state);
  }
  return wordsToBytes(state);
}

/** SHA-256(SHA-256(data)), internal byte order (Bitcoin displays it reversed). */
export function sha256d(data: Uint8Array): Uint8Array {
  return sha256(sha256(data));
}

/** The SHA-256 state after compressing the first 64 bytes of a header: 8 words. */
export function midstate(first64: Uint8Array): Int32Array {
  if (first64.length < 64) throw new RangeError('midstate needs 64 bytes');
  const block = new Int32Array(16);
  readWordsBE(first64, 0, 16, block);
  const out = new Int32Array(8);
  compress(SHA256_IV, block, out);
  return out;
}

/** A target as 8 unsigned words, most significant first (the big-endian 32-byte target). */
export type TargetWords = Uint32Array;
/** A target: 32 bytes big-endian, a bigint, a 64-digit hex string, or 8 words (see TargetWords). */
export type TargetInput = Uint8Array | Uint32Array | bigint | string;

const MAX_TARGET = (1n << 256n) - 1n;

/** Normalizes any target form to 8 unsigned words, most significant first. */
export function targetToWords(target: TargetInput): TargetWords {
  if (target instanceof Uint32Array) {
    if (target.length !== 8) throw new RangeError('target words must be 8 u32');
    return Uint32Array.from(target);
  }
  let bytes: Uint8Array;
  if (typeof target === 'bigint') {
    if (target < 0n || target > MAX_TARGET) throw new RangeError('target out of range');
    bytes = new Uint8Array(32);
    let t = target;
    for (let i = 31; i >= 0; i--) {
      bytes[i] = Number(t & 0xffn);
      t >>= 8n;
    }
  } else if (typeof target === 'string') {
    const hex = target.startsWith('0x') ? target.slice(2) : target;
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new RangeError('target hex must be 64 digits');
    bytes = new Uint8Array(32);
    for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  } else {
    bytes = target;
  }
  if (bytes.length !== 32) throw new RangeError('target must be 32 bytes, big-endian');
  const words = new Int32Array(8);
  readWordsBE(bytes, 0, 8, words);
  return new Uint32Array(words.buffer);
}

/** Target words back to a bigint (for messages and tests). */
export function targetWordsToBigInt(words: TargetWords): bigint {
  let t = 0n;
  for (let i = 0; i < 8; i++) t = (t << 32n) | BigInt(words[i]!);
  return t;
}

const bswap = (x: number): number =>
  ((x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;

/**
 * Compares a SHA-256 digest (8 state words, big-endian word order of the digest bytes) as
 * Bitcoin does: the digest bytes read as a little-endian 256-bit number <= target.
 * Its most significant word is the byte-swapped last digest word.
 */
export function digestWordsMeetTarget(digest: ArrayLike<number>, target: TargetWords): boolean {
  for (let j = 0; j < 8; j++) {
    const h = bswap(digest[7 - j]!);
    const t = target[j]!;
    if (h !== t) return h < t;
  }
  return true;
}

/** Whether a 32-byte hash (internal byte order, as node:crypto returns it) meets a target. */
export function hashMeetsTarget(hash: Uint8Array, target: TargetInput): boolean {
  if (hash.length !== 32) throw new RangeError('hash must be 32 bytes');
  const words = new Int32Array(8);
  readWordsBE(hash, 0, 8, words);
  return digestWordsMeetTarget(words, targetToWords(target));
}

/**
 * SHA-256d of an 80-byte header through the search's own code path: midstate, then the
 * first hash of bytes 64..79 by the chosen kernel (wasm: the header's lane of its group of
 * four), then the second hash. Lets tests hold each kernel against node:crypto.
 */
export function headerHash(header80: Uint8Array, engine: Engine = 'js'): Uint8Array {
  checkHeader(header80);
  const mid = midstate(header80);
  const tail = new Int32Array(3);
  readWordsBE(header80, 64, 3, tail);
  const nonce = new DataView(header80.buffer, header80.byteOffset, 80).getUint32(76, true);
  const block = new Int32Array(16);
  if (resolveEngine(engine) === 'wasm') {
    const wasm = wasmKernel()!;
    wasm.mem.set(mid, 0);
    wasm.mem.set(tail, 8);
    wasm.mem[11] = -1; // target top word 0xffffffff: every nonce is a candidate
    if (wasm.scan((nonce & ~3) | 0, 4) !== 0) throw new Error('wasm kernel skipped a candidate');
    const lane = nonce & 3;
    for (let k = 0; k < 8; k++) block[k] = wasm.mem[CANDIDATE_BASE + 4 * k + lane]!;
  } else {
    const ctx = new Int32Array(20);
    ctx.set(mid, 0);
    ctx.set(tail, 8);
    ctx[11] = -1;
    if (scanKernel(ctx, nonce, nonce + 1) !== nonce) throw new Error('kernel skipped a candidate');
    block.set(ctx.subarray(12, 20));
  }
  block[8] = 0x80000000 | 0;
  block[15] = 256;
  const out = new Int32Array(8);
  compress(SHA256_IV, block, out);
  return wordsToBytes(out);
}

function checkHeader(header80: Uint8Array): void {
  if (!(header80 instanceof Uint8Array) || header80.length !== 80) {
    throw new RangeError('header must be 80 bytes');
  }
}

/** The outcome of a nonce search over one range. */
export type SearchResult =
  | { found: true; nonce: number; hashes: number }
  | { found: false; reason: 'exhausted' | 'cancelled'; hashes: number };

/**
 * Which kernel hashes: 'wasm' = WebAssembly SIMD, four nonces at a time (the fastest);
 * 'js' = the unrolled JavaScript kernel; 'auto' = wasm when the runtime supports it.
 */
export type Engine = 'auto' | 'wasm' | 'js';

export interface SearchOptions {
  /** Called every `checkEvery` nonces (and at the end) with the hashes done since the last call. */
  onProgress?: (hashes: number) => void;
  /** Default 'auto'. */
  engine?: Engine;
}

/** Default number of nonces between two checks of the cancel flag (~1-2 ms per thread). */
export const DEFAULT_CHECK_EVERY = 8192;

/** The engine 'auto' resolves to in this thread. */
export function resolveEngine(engine: Engine = 'auto'): 'wasm' | 'js' {
  if (engine === 'js') return 'js';
  if (wasmKernel()) return 'wasm';
  if (engine === 'wasm') throw new Error('WebAssembly SIMD is not available in this runtime');
  return 'js';
}

/**
 * Searches nonces in [startNonce, endNonce) for the first whose header hash meets `target`.
 * The nonce bytes (76..79) of `header80` are ignored (never modified). Every `checkEvery`
 * nonces it reads `cancelFlag[0]` (Atomics.load) and stops with reason 'cancelled' if it is
 * non-zero, and calls `options.onProgress(hashesSinceLastCall)` so rates can be published.
 */
export function searchNonces(
  header80: Uint8Array,
  target: TargetInput,
  startNonce: number,
  endNonce: number,
  cancelFlag: Int32Array,
  checkEvery: number = DEFAULT_CHECK_EVERY,
  options: SearchOptions = {},
): SearchResult {
  checkHeader(header80);
  if (!Number.isInteger(startNonce) || !Number.isInteger(endNonce)) {
    throw new RangeError('nonce range must be integers');
  }
  if (startNonce < 0 || endNonce > NONCE_SPACE || startNonce > endNonce) {
    throw new RangeError(`bad nonce range [${startNonce}, ${endNonce})`);
  }
  if (!Number.isInteger(checkEvery) || checkEvery < 1 || checkEvery > 1 << 24) {
    throw new RangeError('checkEvery must be an integer in 1..2^24');
  }
  const onProgress = options.onProgress;
  const tw = targetToWords(target);
  const mid = midstate(header80);
  const tail = new Int32Array(3);
  readWordsBE(header80, 64, 3, tail);

  // JS kernel ctx: 0..7 midstate, 8..10 block-2 words 0..2, 11 target top, 12..19 candidate.
  const ctx = new Int32Array(20);
  ctx.set(mid, 0);
  ctx.set(tail, 8);
  ctx[11] = tw[0]! | 0;
  // The wasm kernel takes the same inputs in its memory; it scans groups of four nonces,
  // the JS kernel does the rest of a chunk (fewer than four).
  const wasm = resolveEngine(options.engine) === 'wasm' ? wasmKernel() : null;
  if (wasm) {
    wasm.mem.set(mid, 0);
    wasm.mem.set(tail, 8);
    wasm.mem[11] = tw[0]! | 0;
  }

  // Second SHA-256: a 32-byte message in one block, with fixed padding.
  const block3 = new Int32Array(16);
  block3[8] = 0x80000000 | 0;
  block3[15] = 256;
  const digest2 = new Int32Array(8);

  let n = startNonce;
  let reported = startNonce;
  while (n < endNonce) {
    if (Atomics.load(cancelFlag, 0) !== 0) {
      if (onProgress && n > reported) onProgress(n - reported);
      return { found: false, reason: 'cancelled', hashes: n - startNonce };
    }
    const stop = Math.min(endNonce, n + checkEvery);
    while (n < stop) {
      // Next candidate: its nonce, with its first digest in block3[0..7]; or none up to stop.
      let hit = -1;
      const groups = wasm ? (stop - n) & ~3 : 0;
      if (groups > 0) {
        const off = wasm!.scan(n | 0, groups);
        if (off >= 0) {
          hit = n + off;
          const lane = off & 3;
          for (let k = 0; k < 8; k++) block3[k] = wasm!.mem[CANDIDATE_BASE + 4 * k + lane]!;
        } else {
          n += groups;
          if (n === stop) break;
        }
      }
      if (hit < 0) {
        hit = scanKernel(ctx, n, stop);
        if (hit < 0) {
          n = stop;
          break;
        }
        for (let k = 0; k < 8; k++) block3[k] = ctx[12 + k]!;
      }
      // The top word passed: finish the second hash and compare in full.
      compress(SHA256_IV, block3, digest2);
      if (digestWordsMeetTarget(digest2, tw)) {
        if (onProgress) onProgress(hit + 1 - reported);
        return { found: true, nonce: hit, hashes: hit + 1 - startNonce };
      }
      n = hit + 1;
    }
    if (onProgress) onProgress(n - reported);
    reported = n;
  }
  return { found: false, reason: 'exhausted', hashes: endNonce - startNonce };
}

/** A copy of `header80` with `nonce` written at bytes 76..79 (u32 little-endian). */
export function withNonce(header80: Uint8Array, nonce: number): Uint8Array {
  checkHeader(header80);
  const out = Uint8Array.from(header80);
  new DataView(out.buffer).setUint32(76, nonce >>> 0, true);
  return out;
}
