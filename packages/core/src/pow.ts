// Proof of work: Bitcoin's compact target encoding ("bits"), the hash-vs-target check and
// the work a header represents. Follows Bitcoin Core's arith_uint256 SetCompact/GetCompact.
import { displayToHash } from './hash.js';
import { bytesToBigintBE, reverseBytes } from './bytes.js';

export const MAX_TARGET_256 = (1n << 256n) - 1n;

export interface DecodedBits {
  target: bigint;
  negative: boolean;
  overflow: boolean;
}

/** Decodes compact bits exactly like Bitcoin's SetCompact, reporting sign and overflow. */
export function decodeBits(bits: number): DecodedBits {
  const size = bits >>> 24;
  let word = bits & 0x007fffff;
  let target: bigint;
  if (size <= 3) {
    word >>>= 8 * (3 - size);
    target = BigInt(word);
  } else {
    target = BigInt(word) << BigInt(8 * (size - 3));
  }
  const negative = word !== 0 && (bits & 0x00800000) !== 0;
  const overflow =
    word !== 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
  return { target: target & MAX_TARGET_256, negative, overflow };
}

/**
 * The target encoded by `bits`. Throws on encodings Bitcoin rejects (negative, overflow,
 * zero): a header carrying them can never be valid.
 */
export function bitsToTarget(bits: number): bigint {
  const { target, negative, overflow } = decodeBits(bits);
  if (negative) throw new RangeError(`bits 0x${bits.toString(16)} encode a negative target`);
  if (overflow) throw new RangeError(`bits 0x${bits.toString(16)} overflow 256 bits`);
  if (target === 0n) throw new RangeError(`bits 0x${bits.toString(16)} encode a zero target`);
  return target;
}

/** Compact encoding of a target (Bitcoin's GetCompact): 3-byte mantissa, 1-byte exponent. */
export function targetToBits(target: bigint): number {
  if (target < 0n || target > MAX_TARGET_256) throw new RangeError('target out of range');
  let size = 0;
  for (let t = target; t > 0n; t >>= 8n) size++;
  let compact: number;
  if (size <= 3) {
    compact = Number(target << BigInt(8 * (3 - size)));
  } else {
    compact = Number(target >> BigInt(8 * (size - 3)));
  }
  // The mantissa's top bit is a sign bit: shift into the next exponent instead.
  if (compact & 0x00800000) {
    compact >>>= 8;
    size++;
  }
  return (compact | (size << 24)) >>> 0;
}

/** A display-form block hash as the 256-bit number compared against the target. */
export function hashToNumber(displayHash: string): bigint {
  // Display form is already big-endian (byte-reversed internal order).
  return bytesToBigintBE(reverseBytes(displayToHash(displayHash)));
}

/** True when the hash meets the target of `bits` and `bits` is no easier than `powLimit`. */
export function checkProofOfWork(displayHash: string, bits: number, powLimit?: bigint): boolean {
  let target: bigint;
  try {
    target = bitsToTarget(bits);
  } catch {
    return false;
  }
  if (powLimit !== undefined && target > powLimit) return false;
  return hashToNumber(displayHash) <= target;
}

/** Expected number of hashes to find a block at `bits`: 2^256 / (target + 1). */
export function headerWork(bits: number): bigint {
  return (1n << 256n) / (bitsToTarget(bits) + 1n);
}

/** Difficulty relative to a reference target (Bitcoin uses bits 0x1d00ffff), as a float for display. */
export function difficulty(bits: number, referenceBits = 0x1d00ffff): number {
  const scale = 1_000_000n;
  return Number((bitsToTarget(referenceBits) * scale) / bitsToTarget(bits)) / Number(scale);
}

/** Leading zero bits of a display hash: the intuition behind "difficulty". */
export function leadingZeroBits(displayHash: string): number {
  const n = hashToNumber(displayHash);
  return n === 0n ? 256 : 256 - n.toString(2).length;
}
