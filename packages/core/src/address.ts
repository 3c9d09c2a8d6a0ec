// Keys and addresses: secp256k1 keys, Ethereum addresses (keccak-256 of the public key,
// last 20 bytes) written with the EIP-55 mixed-case checksum. An address here is the
// Ethereum address of the same key, so other Ethereum tools agree with chainlab on it.
import { secp } from './secp.js';
import { bytesEqual, fromHex, toHex } from './bytes.js';
import { keccak256 } from './hash.js';
import { RuleError } from './errors.js';

/** The all-zero address: the `from` of a coinbase in the binary encoding. */
export const ZERO_ADDRESS = '0x' + '0'.repeat(40);

/** Bytes of randomness generatePrivateKey expects (FIPS 186-5 B.4.1: 64 extra bits against bias). */
export const PRIVATE_KEY_SEED_BYTES = 48;

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const PRIVATE_KEY_RE = /^(0x)?[0-9a-fA-F]{64}$/;

/**
 * A private key as 32 bytes. Accepts bytes or 64 hex digits with or without 0x (wallets
 * print both). Throws INVALID_PRIVATE_KEY unless 1 ≤ key < n.
 */
export function privateKeyBytes(privateKey: Uint8Array | string): Uint8Array {
  let bytes: Uint8Array;
  if (typeof privateKey === 'string') {
    if (!PRIVATE_KEY_RE.test(privateKey)) {
      throw new RuleError(
        'INVALID_PRIVATE_KEY',
        'a private key is 64 hex digits (optionally 0x-prefixed)',
      );
    }
    bytes = fromHex(privateKey.startsWith('0x') ? privateKey : '0x' + privateKey, 32);
  } else if (privateKey instanceof Uint8Array) {
    bytes = Uint8Array.from(privateKey);
  } else {
    throw new RuleError('INVALID_PRIVATE_KEY', 'a private key is a Uint8Array or a hex string');
  }
  if (!secp.utils.isValidSecretKey(bytes)) {
    throw new RuleError('INVALID_PRIVATE_KEY', 'a private key is 32 bytes in the range [1, n-1]');
  }
  return bytes;
}

/**
 * A new private key from caller-supplied randomness (core is pure: the wallet passes
 * crypto.getRandomValues output). `seed` is 48–1024 bytes; it is reduced mod n−1, plus 1,
 * so every seed yields a valid key with negligible bias.
 */
export function generatePrivateKey(seed: Uint8Array): Uint8Array {
  if (!(seed instanceof Uint8Array) || seed.length < PRIVATE_KEY_SEED_BYTES || seed.length > 1024) {
    throw new RangeError(`generatePrivateKey needs ${PRIVATE_KEY_SEED_BYTES}..1024 random bytes`);
  }
  return secp.utils.randomSecretKey(seed);
}

/** The 65-byte uncompressed public key (0x04 || x || y), or 33 bytes when `compressed`. */
export function privateKeyToPublicKey(
  privateKey: Uint8Array | string,
  compressed = false,
): Uint8Array {
  return secp.getPublicKey(privateKeyBytes(privateKey), compressed);
}

/** Address of a public key: 33 (compressed) or 65 (uncompressed) SEC1 bytes. */
export function publicKeyToAddress(publicKey: Uint8Array): string {
  let uncompressed: Uint8Array;
  try {
    // fromBytes checks the point is on the curve; re-encoding decompresses 33-byte keys.
    uncompressed = secp.Point.fromBytes(publicKey).toBytes(false);
  } catch {
    throw new RuleError('INVALID_ADDRESS', 'not a valid secp256k1 public key');
  }
  return addressFromBytes(uncompressedKeyToAddressBytes(uncompressed));
}

/** The 20 address bytes of a 65-byte uncompressed key (no checksum work: the hot path of verification). */
export function uncompressedKeyToAddressBytes(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 65 || publicKey[0] !== 0x04) {
    throw new RuleError('INVALID_ADDRESS', 'expected a 65-byte uncompressed public key');
  }
  return keccak256(publicKey.subarray(1)).subarray(12);
}

export function privateKeyToAddress(privateKey: Uint8Array | string): string {
  return publicKeyToAddress(privateKeyToPublicKey(privateKey));
}

/**
 * EIP-55: uppercase the i-th hex letter iff the i-th nibble of keccak-256(lowercase hex,
 * as ASCII) is ≥ 8. Accepts any case (it recomputes the case); throws INVALID_ADDRESS when
 * `address` is not 0x + 40 hex digits.
 */
export function toChecksumAddress(address: string): string {
  if (typeof address !== 'string' || !ADDRESS_RE.test(address)) {
    throw new RuleError(
      'INVALID_ADDRESS',
      `not an address (0x + 40 hex digits): ${describe(address)}`,
    );
  }
  const lower = address.slice(2).toLowerCase();
  const known = checksummed.get(lower);
  if (known !== undefined) return known;
  const hash = keccak256(new TextEncoder().encode(lower));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const c = lower[i]!;
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0x0f;
    out += nibble >= 8 ? c.toUpperCase() : c;
  }
  if (checksummed.size >= CHECKSUM_MEMO_SIZE) checksummed.clear();
  checksummed.set(lower, out);
  return out;
}

/**
 * Recently checksummed addresses (lowercase hex → EIP-55 form). A keccak-256 per address
 * was the largest cost of parsing a tx; the same senders and recipients come back all the
 * time. A pure function's memo: it changes no answer, only how fast it comes.
 */
const checksummed = new Map<string, string>();
const CHECKSUM_MEMO_SIZE = 16_384;

/**
 * EIP-55 validity: a correctly checksummed address, or one with no checksum at all
 * (all-lowercase or all-uppercase hex letters). A mixed-case address whose case does not
 * match the checksum is rejected: that is how a typo is caught.
 */
export function isValidAddress(address: unknown): address is string {
  return checksumOf(address) !== null;
}

/** The checksummed form of a valid address (see isValidAddress), else null. */
function checksumOf(address: unknown): string | null {
  if (typeof address !== 'string' || !ADDRESS_RE.test(address)) return null;
  const sum = toChecksumAddress(address);
  const body = address.slice(2);
  if (sum === address || body === body.toLowerCase() || body === body.toUpperCase()) return sum;
  return null;
}

/** Validates and returns the checksummed form. Throws INVALID_ADDRESS. */
export function parseAddress(address: unknown): string {
  const sum = checksumOf(address);
  if (sum === null) {
    throw new RuleError(
      'INVALID_ADDRESS',
      typeof address === 'string' && ADDRESS_RE.test(address)
        ? `bad EIP-55 checksum: ${address}`
        : `not an address (0x + 40 hex digits): ${describe(address)}`,
    );
  }
  return sum;
}

/** The 20 address bytes. Checks the format only (not the checksum), for encoders. */
export function addressToBytes(address: string): Uint8Array {
  if (typeof address !== 'string' || !ADDRESS_RE.test(address)) {
    throw new RuleError(
      'INVALID_ADDRESS',
      `not an address (0x + 40 hex digits): ${describe(address)}`,
    );
  }
  return fromHex(address.toLowerCase(), 20);
}

/** 20 bytes → checksummed address. */
export function addressFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 20)
    throw new RuleError('INVALID_ADDRESS', `an address is 20 bytes, got ${bytes.length}`);
  return toChecksumAddress(toHex(bytes));
}

/** Case-insensitive equality of two well-formed addresses. */
export function sameAddress(a: string, b: string): boolean {
  return bytesEqual(addressToBytes(a), addressToBytes(b));
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
}
