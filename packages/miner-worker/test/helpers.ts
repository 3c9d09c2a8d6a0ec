// Shared test helpers: reference hashing through node:crypto, and the Bitcoin genesis header.
import { createHash } from 'node:crypto';

export function cryptoSha256d(data: Uint8Array): Uint8Array {
  const once = createHash('sha256').update(data).digest();
  return new Uint8Array(createHash('sha256').update(once).digest());
}

/** A 32-byte hash (internal order) as the 256-bit little-endian number PoW compares. */
export function hashToBigInt(hash: Uint8Array): bigint {
  return BigInt('0x' + Buffer.from(hash).reverse().toString('hex'));
}

export function display(hash: Uint8Array): string {
  return Buffer.from(hash).reverse().toString('hex');
}

/** Compact "bits" to target, as Bitcoin (no sign / overflow handling needed here). */
export function bitsToTarget(bits: number): bigint {
  const exp = bits >>> 24;
  const mant = BigInt(bits & 0x7fffff);
  return exp <= 3 ? mant >> BigInt(8 * (3 - exp)) : mant << BigInt(8 * (exp - 3));
}

export function makeHeader(fields: {
  version: number;
  prevHash: Uint8Array;
  merkleRoot: Uint8Array;
  time: number;
  bits: number;
  nonce: number;
}): Uint8Array {
  const h = new Uint8Array(80);
  const v = new DataView(h.buffer);
  v.setUint32(0, fields.version, true);
  h.set(fields.prevHash, 4);
  h.set(fields.merkleRoot, 36);
  v.setUint32(68, fields.time, true);
  v.setUint32(72, fields.bits, true);
  v.setUint32(76, fields.nonce, true);
  return h;
}

export const GENESIS = {
  nonce: 2083236893,
  bits: 0x1d00ffff,
  hash: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
  header: makeHeader({
    version: 1,
    prevHash: new Uint8Array(32),
    merkleRoot: Buffer.from(
      '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b',
      'hex',
    ).reverse(),
    time: 1231006505,
    bits: 0x1d00ffff,
    nonce: 2083236893,
  }),
};
