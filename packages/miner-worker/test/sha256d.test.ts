import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  NONCE_SPACE,
  SHA256_IV,
  compress,
  hashMeetsTarget,
  headerHash,
  midstate,
  resolveEngine,
  searchNonces,
  sha256,
  sha256d,
  targetToWords,
  targetWordsToBigInt,
  withNonce,
  type Engine,
  type TargetInput,
} from '../src/sha256d.js';
import { GENESIS, bitsToTarget, cryptoSha256d, display, hashToBigInt } from './helpers.js';

const noCancel = () => new Int32Array(new SharedArrayBuffer(4));
const MAX = (1n << 256n) - 1n;
const ENGINES: Engine[] = ['js', 'wasm'];

describe('sha256 / sha256d against node:crypto', () => {
  it('sha256 of random messages of every length around the block boundaries', () => {
    for (let len = 0; len < 200; len++) {
      const data = randomBytes(len);
      const ref = createHash('sha256').update(data).digest();
      expect(Buffer.from(sha256(data)).equals(ref)).toBe(true);
    }
  });

  it.each(ENGINES)(
    'headerHash through the %s kernel equals sha256d of node:crypto on random headers',
    (engine) => {
      for (let i = 0; i < 2000; i++) {
        const header = randomBytes(80);
        if (i < 8)
          header.writeUInt32LE(
            [0, 1, 2, 3, 0xffffffff, 0xfffffffc, 0x80000000, 0x7fffffff][i]!,
            76,
          );
        const ref = cryptoSha256d(header);
        expect(display(headerHash(header, engine))).toBe(display(ref));
        if (i % 10 === 0) expect(display(sha256d(header))).toBe(display(ref));
      }
    },
  );

  it('midstate is the state after the first block', () => {
    const header = randomBytes(80);
    const mid = midstate(header);
    // Finishing the first hash from the midstate gives sha256(header).
    const block = new Int32Array(16);
    block[0] = header.readInt32BE(64);
    block[1] = header.readInt32BE(68);
    block[2] = header.readInt32BE(72);
    block[3] = header.readInt32BE(76);
    block[4] = 0x80000000 | 0;
    block[15] = 640;
    const out = new Int32Array(8);
    compress(mid, block, out);
    const bytes = Buffer.alloc(32);
    out.forEach((w, i) => bytes.writeInt32BE(w, 4 * i));
    expect(bytes.equals(createHash('sha256').update(header).digest())).toBe(true);
    expect(SHA256_IV[0]).toBe(0x6a09e667);
  });
});

describe('the Bitcoin genesis header', () => {
  it('hashes to the known block hash and meets its bits', () => {
    expect(display(headerHash(GENESIS.header))).toBe(GENESIS.hash);
    expect(display(cryptoSha256d(GENESIS.header))).toBe(GENESIS.hash);
    const target = bitsToTarget(GENESIS.bits);
    expect(target.toString(16)).toBe('ffff' + '0'.repeat(52));
    expect(hashMeetsTarget(headerHash(GENESIS.header), target)).toBe(true);
  });
});

describe.each(ENGINES)('searchNonces, %s kernel', (engine) => {
  const search = (
    header: Uint8Array,
    target: TargetInput,
    start: number,
    end: number,
    flag = noCancel(),
    checkEvery?: number,
    onProgress?: (n: number) => void,
  ) => searchNonces(header, target, start, end, flag, checkEvery, { engine, onProgress });

  it('runs the requested kernel', () => {
    expect(resolveEngine(engine)).toBe(engine);
  });

  it('finds the genesis nonce from every alignment of the range start (SIMD lanes)', () => {
    const template = withNonce(GENESIS.header, 0); // the search ignores the nonce bytes
    const target = bitsToTarget(GENESIS.bits);
    for (let k = 0; k < 9; k++) {
      const start = GENESIS.nonce - 20_000 - k;
      const res = search(template, target, start, GENESIS.nonce + 20_000 + k, noCancel(), 4093);
      expect(res).toEqual({ found: true, nonce: GENESIS.nonce, hashes: GENESIS.nonce - start + 1 });
    }
    expect(display(cryptoSha256d(withNonce(template, GENESIS.nonce)))).toBe(GENESIS.hash);
    // Ranges that end just before it, or start just after it, miss it.
    for (let k = 1; k < 6; k++) {
      const before = search(template, target, GENESIS.nonce - 5000 - k, GENESIS.nonce);
      expect(before).toEqual({ found: false, reason: 'exhausted', hashes: 5000 + k });
      const after = search(template, target, GENESIS.nonce + 1, GENESIS.nonce + k + 1);
      expect(after.found).toBe(false);
      expect(search(template, target, GENESIS.nonce, GENESIS.nonce + k).found).toBe(true);
    }
  });

  it('compares like Bitcoin: a hash equal to the target passes, one below it fails', () => {
    for (let i = 0; i < 300; i++) {
      const header = randomBytes(80);
      const nonce = header.readUInt32LE(76);
      const h = hashToBigInt(cryptoSha256d(header));
      // A range of 1..7 nonces ending at `nonce`: the other nonces miss (their hashes
      // are almost surely above h - 1 and h), so the result names exactly `nonce`.
      const from = Math.max(0, nonce - (i % 7));
      const at = search(header, h, from, nonce + 1);
      if (at.found) expect(at.nonce).toBeLessThanOrEqual(nonce);
      expect(at).toMatchObject({ found: true });
      const below = search(header, h - 1n, nonce, nonce + 1);
      expect(below.found).toBe(false);
      // Same through every target form.
      const hex = h.toString(16).padStart(64, '0');
      expect(search(header, hex, nonce, nonce + 1).found).toBe(true);
      expect(search(header, targetToWords(h), nonce, nonce + 1).found).toBe(true);
      expect(targetWordsToBigInt(targetToWords(h))).toBe(h);
    }
  });

  it('checks whole hashes when the top word ties the target (easy targets)', () => {
    // Targets with a non-zero top word make most nonces candidates: the full compare decides.
    const header = randomBytes(80);
    for (const target of [bitsToTarget(0x207fffff), 1n << 250n, (1n << 255n) + 12345n]) {
      let start = 3;
      for (let k = 0; k < 40; k++) {
        const res = search(header, target, start, start + 100_000);
        if (!res.found) throw new Error('easy target not met in 100k nonces');
        // Every nonce before the hit misses, the hit meets the target (node:crypto).
        for (let n = start; n < res.nonce; n++) {
          expect(hashToBigInt(cryptoSha256d(withNonce(header, n))) > target).toBe(true);
        }
        expect(hashToBigInt(cryptoSha256d(withNonce(header, res.nonce))) <= target).toBe(true);
        start = res.nonce + 1;
      }
    }
  });

  it('handles nonces at the top of the u32 space (byte swap, no overflow)', () => {
    const header = randomBytes(80);
    for (let k = 1; k <= 8; k++) {
      const res = search(header, MAX, NONCE_SPACE - k, NONCE_SPACE);
      expect(res).toEqual({ found: true, nonce: NONCE_SPACE - k, hashes: 1 });
    }
    const none = search(header, 0n, NONCE_SPACE - 10_001, NONCE_SPACE, noCancel(), 1000);
    expect(none).toEqual({ found: false, reason: 'exhausted', hashes: 10_001 });
    // The last nonce is hashed right: its hash as target is met, its hash - 1 is not.
    const last = withNonce(header, NONCE_SPACE - 1);
    const h = hashToBigInt(cryptoSha256d(last));
    expect(search(header, h, NONCE_SPACE - 4, NONCE_SPACE)).toMatchObject({ found: true });
    expect(search(header, h - 1n, NONCE_SPACE - 1, NONCE_SPACE).found).toBe(false);
    expect(last.subarray(76)).toEqual(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
    expect(display(headerHash(last))).toBe(display(cryptoSha256d(last)));
  });

  it('stops on the cancel flag and reports progress', () => {
    const flag = noCancel();
    Atomics.store(flag, 0, 1);
    expect(search(randomBytes(80), 0n, 0, 1_000_000, flag)).toEqual({
      found: false,
      reason: 'cancelled',
      hashes: 0,
    });

    const flag2 = noCancel();
    let progress = 0;
    let calls = 0;
    const res = search(randomBytes(80), 0n, 0, 50_000, flag2, 1000, (n) => {
      progress += n;
      if (++calls === 10) Atomics.store(flag2, 0, 1); // cancelled from "outside" mid-search
    });
    expect(res).toEqual({ found: false, reason: 'cancelled', hashes: 10_000 });
    expect(progress).toBe(10_000);

    let total = 0;
    const done = search(randomBytes(80), 0n, 7, 12_345, noCancel(), 1000, (n) => {
      total += n;
    });
    expect(done.hashes).toBe(12_338);
    expect(total).toBe(12_338);
  });
});

describe('searchNonces input checks', () => {
  it('rejects bad input', () => {
    const h = randomBytes(80);
    expect(() => searchNonces(randomBytes(79), 0n, 0, 1, noCancel())).toThrow(RangeError);
    expect(() => searchNonces(h, 0n, 5, 4, noCancel())).toThrow(RangeError);
    expect(() => searchNonces(h, 0n, 0, NONCE_SPACE + 1, noCancel())).toThrow(RangeError);
    expect(() => searchNonces(h, new Uint8Array(31), 0, 1, noCancel())).toThrow(RangeError);
    expect(() => searchNonces(h, 1n << 256n, 0, 1, noCancel())).toThrow(RangeError);
    expect(() => searchNonces(h, 'zz', 0, 1, noCancel())).toThrow(RangeError);
    expect(() => searchNonces(h, 0n, 0, 1, noCancel(), 0)).toThrow(RangeError);
  });
});
