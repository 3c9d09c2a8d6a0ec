import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteReader, compactSizeLength, writeCompactSize } from '../src/compact-size.js';
import { WireError } from '../src/errors.js';

const encode = (n: number) => {
  const out = new Uint8Array(compactSizeLength(n));
  expect(writeCompactSize(out, 0, n)).toBe(out.length);
  return out;
};

describe('CompactSize', () => {
  it('uses Bitcoin’s forms at the boundaries', () => {
    expect([...encode(0)]).toEqual([0]);
    expect([...encode(0xfc)]).toEqual([0xfc]);
    expect([...encode(0xfd)]).toEqual([0xfd, 0xfd, 0x00]);
    expect([...encode(0xffff)]).toEqual([0xfd, 0xff, 0xff]);
    expect([...encode(0x10000)]).toEqual([0xfe, 0x00, 0x00, 0x01, 0x00]);
    expect([...encode(0x100000000)]).toEqual([0xff, 0, 0, 0, 0, 1, 0, 0, 0]);
  });

  it('reads back what it writes (property)', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        const r = new ByteReader(encode(n));
        expect(r.compactSize('n', Number.MAX_SAFE_INTEGER)).toBe(n);
        expect(r.remaining).toBe(0);
      }),
    );
  });

  it('refuses non-canonical forms, values over the bound and truncation', () => {
    expect(() => new ByteReader(Uint8Array.of(0xfd, 0x10, 0x00)).compactSize('n', 1e9)).toThrow(
      /non-canonical/,
    );
    expect(() =>
      new ByteReader(Uint8Array.of(0xfe, 0xff, 0xff, 0x00, 0x00)).compactSize('n', 1e9),
    ).toThrow(/non-canonical/);
    expect(() => new ByteReader(Uint8Array.of(0x20)).compactSize('count', 10)).toThrow(
      'count 32 is over 10',
    );
    expect(() => new ByteReader(Uint8Array.of(0xfd, 0x10)).compactSize('n', 1e9)).toThrow(
      WireError,
    );
    expect(() =>
      new ByteReader(Uint8Array.of(0xff, 0, 0, 0, 0, 0, 0, 0, 0x80)).compactSize('n', 1e9),
    ).toThrow(/over/);
  });
});
