import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  bitsToTarget,
  decodeBits,
  targetToBits,
  headerWork,
  checkProofOfWork,
} from '../src/pow.js';

// Bitcoin Core's arith_uint256_tests for SetCompact/GetCompact.
describe('compact bits', () => {
  it.each([
    0, 0x00123456, 0x01003456, 0x02000056, 0x03000000, 0x04000000, 0x00923456, 0x01803456,
    0x02800056, 0x03800000, 0x04800000,
  ])('0x%s decodes to zero, neither negative nor overflowing', (bits) => {
    expect(decodeBits(bits)).toEqual({ target: 0n, negative: false, overflow: false });
    expect(() => bitsToTarget(bits)).toThrow(/zero/);
  });

  it.each([
    [0x01123456, 0x12n, 0x01120000],
    [0x02123456, 0x1234n, 0x02123400],
    [0x03123456, 0x123456n, 0x03123456],
    [0x04123456, 0x12345600n, 0x04123456],
    [0x05009234, 0x92340000n, 0x05009234],
    [0x20123456, 0x123456n << (8n * 29n), 0x20123456],
    [0x1d00ffff, 0xffffn << 208n, 0x1d00ffff],
  ])('0x%s → target %s → bits 0x%s', (bits, target, compact) => {
    expect(bitsToTarget(bits)).toBe(target);
    expect(targetToBits(target)).toBe(compact);
  });

  it('flags negative encodings (sign bit set) and refuses them', () => {
    expect(decodeBits(0x01fedcba)).toEqual({ target: 0x7en, negative: true, overflow: false });
    expect(decodeBits(0x04923456).negative).toBe(true);
    expect(() => bitsToTarget(0x04923456)).toThrow(/negative/);
  });

  it('flags overflow past 256 bits and refuses it', () => {
    expect(decodeBits(0xff123456).overflow).toBe(true);
    expect(decodeBits(0x21010000).overflow).toBe(true);
    expect(() => bitsToTarget(0xff123456)).toThrow(/overflow/);
  });

  it('moves a mantissa with its top bit set into the next exponent', () => {
    expect(targetToBits(0x80n)).toBe(0x02008000);
    expect(bitsToTarget(0x02008000)).toBe(0x80n);
  });

  it('round trip: decode(encode(t)) keeps the top 23 bits of any target (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: (1n << 255n) - 1n }), (t) => {
        const back = bitsToTarget(targetToBits(t));
        expect(back <= t).toBe(true);
        const size = t.toString(2).length;
        if (size > 24) expect(t - back < 1n << BigInt(size - 16)).toBe(true);
        else expect(back).toBe(t);
        // and bits → target → bits is exact for canonical encodings
        expect(targetToBits(back)).toBe(targetToBits(t));
      }),
    );
  });
});

describe('work', () => {
  it('work is 2^256 / (target + 1) and grows as the target shrinks', () => {
    expect(headerWork(0x207fffff)).toBe(2n);
    expect(headerWork(0x1d00ffff) < headerWork(0x1b04864c)).toBe(true);
  });

  it('a hash equal to the target passes, one above fails', () => {
    const bits = 0x1f00ffff;
    const target = bitsToTarget(bits);
    const show = (n: bigint) => '0x' + n.toString(16).padStart(64, '0');
    expect(checkProofOfWork(show(target), bits)).toBe(true);
    expect(checkProofOfWork(show(target + 1n), bits)).toBe(false);
    expect(checkProofOfWork(show(0n), bits, bitsToTarget(0x1e00ffff))).toBe(false); // easier than the pow limit
  });
});
