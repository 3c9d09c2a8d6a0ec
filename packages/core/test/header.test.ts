import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeHeader, encodeHeader, hashHeader, blockHash } from '../src/header.js';
import { checkProofOfWork, headerWork, leadingZeroBits } from '../src/pow.js';
import { toHex } from '../src/bytes.js';
import { BITCOIN_HEADERS } from './bitcoin-vectors.js';

describe('header', () => {
  it.each(BITCOIN_HEADERS)(
    'Bitcoin block $height hashes to its known hash and meets its target',
    ({ hash, header }) => {
      const bytes = encodeHeader(header);
      expect(bytes.length).toBe(80);
      expect(hashHeader(bytes)).toBe(hash);
      expect(checkProofOfWork(hash, header.bits)).toBe(true);
      expect(decodeHeader(bytes)).toEqual(header);
    },
  );

  it('encodes the genesis header exactly as Bitcoin serializes it', () => {
    expect(toHex(encodeHeader(BITCOIN_HEADERS[0]!.header))).toBe(
      '0x0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c',
    );
  });

  it('a header with one nonce changed no longer meets the target', () => {
    const h = { ...BITCOIN_HEADERS[1]!.header, nonce: BITCOIN_HEADERS[1]!.header.nonce + 1 };
    expect(checkProofOfWork(blockHash(h), h.bits)).toBe(false);
  });

  it('chainwork: the genesis block is worth 0x100010001 hashes, as in Bitcoin Core', () => {
    expect(headerWork(0x1d00ffff)).toBe(0x100010001n);
    expect(leadingZeroBits(BITCOIN_HEADERS[0]!.hash)).toBe(43);
  });

  it('rejects fields out of range', () => {
    expect(() => encodeHeader({ ...BITCOIN_HEADERS[0]!.header, nonce: 2 ** 32 })).toThrow(/nonce/);
    expect(() => encodeHeader({ ...BITCOIN_HEADERS[0]!.header, time: -1 })).toThrow(/time/);
    expect(() => decodeHeader(new Uint8Array(79))).toThrow(/80 bytes/);
  });

  it('decode(encode(h)) = h for any header (property)', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));
    fc.assert(
      fc.property(
        fc.record({
          version: u32,
          prevHash: hash,
          merkleRoot: hash,
          time: u32,
          bits: u32,
          nonce: u32,
        }),
        (h) => {
          expect(decodeHeader(encodeHeader(h))).toEqual(h);
        },
      ),
    );
  });
});
