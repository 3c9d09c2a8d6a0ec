// The hash functions of the protocol. SHA-256d (Bitcoin) for blocks, txids and merkle
// trees; keccak-256 (Ethereum) for addresses only.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { reverseBytes, toHex, fromHex } from './bytes.js';

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

export function sha256d(data: Uint8Array): Uint8Array {
  return nobleSha256(nobleSha256(data));
}

export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}

/** A 32-byte hash in display form: byte-reversed hex, as Bitcoin shows block hashes and txids. */
export function hashToDisplay(internal: Uint8Array): string {
  return toHex(reverseBytes(internal));
}

/** Inverse of hashToDisplay: display hex back to the internal byte order. */
export function displayToHash(display: string): Uint8Array {
  return reverseBytes(fromHex(display, 32));
}
