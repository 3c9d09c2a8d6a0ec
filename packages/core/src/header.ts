// The 80-byte block header, byte for byte Bitcoin's layout, so real Bitcoin headers
// encode, hash and verify unchanged:
//   version u32 LE | prevHash 32 | merkleRoot 32 | time u32 LE | bits u32 LE | nonce u32 LE
// prevHash and merkleRoot are stored in internal byte order; Header holds their display
// form (byte-reversed), exactly as Bitcoin Core's RPC shows them.
import { displayToHash, hashToDisplay, sha256d } from './hash.js';
import { isHex } from './bytes.js';
import type { Header } from './types.js';

export const HEADER_BYTES = 80;

function isU32(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

export function encodeHeader(header: Header): Uint8Array {
  for (const field of ['version', 'time', 'bits', 'nonce'] as const) {
    if (!isU32(header[field])) throw new RangeError(`header.${field} must be a u32`);
  }
  const out = new Uint8Array(HEADER_BYTES);
  const view = new DataView(out.buffer);
  view.setUint32(0, header.version, true);
  out.set(displayToHash(header.prevHash), 4);
  out.set(displayToHash(header.merkleRoot), 36);
  view.setUint32(68, header.time, true);
  view.setUint32(72, header.bits, true);
  view.setUint32(76, header.nonce, true);
  return out;
}

/**
 * Hash once: a frozen header cannot change, so its hash (or, until asked for, the bytes it
 * was decoded from) is kept beside it, as btcd's btcutil.Block caches its hash. A node
 * hashes a received header when it parses the block and again in the sanity rules; a
 * header nobody froze is hashed every time, since its fields may still be edited.
 */
const frozenHeaders = new WeakMap<Header, string | Uint8Array>();

/** Decodes 80 header bytes into a frozen header whose hash comes from those very bytes. */
export function decodeHeader(bytes: Uint8Array): Header {
  if (bytes.length !== HEADER_BYTES)
    throw new RangeError(`a header is ${HEADER_BYTES} bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = Object.freeze({
    version: view.getUint32(0, true),
    prevHash: hashToDisplay(bytes.subarray(4, 36)),
    merkleRoot: hashToDisplay(bytes.subarray(36, 68)),
    time: view.getUint32(68, true),
    bits: view.getUint32(72, true),
    nonce: view.getUint32(76, true),
  });
  frozenHeaders.set(header, bytes.slice());
  return header;
}

/** Block hash of an encoded header: SHA-256d, shown byte-reversed. */
export function hashHeader(bytes: Uint8Array): string {
  return hashToDisplay(sha256d(bytes));
}

export function blockHash(header: Header): string {
  if (!Object.isFrozen(header)) return hashHeader(encodeHeader(header));
  const known = frozenHeaders.get(header);
  if (typeof known === 'string') return known;
  const hash = hashHeader(known ?? encodeHeader(header));
  frozenHeaders.set(header, hash);
  return hash;
}

/** Shape check for untrusted JSON; says which field is wrong. */
export function headerShapeError(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'header must be an object';
  const h = value as Record<string, unknown>;
  for (const field of ['version', 'time', 'bits', 'nonce']) {
    if (!isU32(h[field])) return `header.${field} must be an integer in 0..2^32-1`;
  }
  for (const field of ['prevHash', 'merkleRoot']) {
    if (!isHex(h[field], 32)) return `header.${field} must be 0x + 64 hex digits`;
  }
  return null;
}
