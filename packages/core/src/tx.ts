// Level-2 transactions: the canonical binary encoding, the txid, the signature, the
// coinbase, and the JSON codec of SPEC §4.
//
// Signing bytes (85 bytes, big-endian, fixed width):
//   type u8 (0 coinbase, 1 transfer, 2 reserved for level-3 contract txs) | chainId u32 |
//   nonce u64 | from 20 (zeros for a coinbase) | to 20 | amount u128 | fee u128
// txHash = SHA-256d(signing bytes); txid = its byte-reversed hex, as Bitcoin shows txids.
// The signature is secp256k1 ECDSA over txHash itself (no further hashing), low-S, sent
// as r(32) || s(32) || v(1), v = recovery id 0/1. The txid therefore excludes the
// signature: a third party cannot change a txid by re-encoding a signature (Bitcoin's
// malleability), and "the signature signs the txid".
import { secp } from './secp.js';
import { bigintToBytesBE, bytesToBigintBE, concatBytes, fromHex, isHex, toHex } from './bytes.js';
import { hashToDisplay, sha256d } from './hash.js';
import { RuleError } from './errors.js';
import {
  addressFromBytes,
  addressToBytes,
  parseAddress,
  privateKeyBytes,
  privateKeyToPublicKey,
  uncompressedKeyToAddressBytes,
} from './address.js';
import { MAX_U128 } from './coins.js';
import type { SignatureCache } from './sig-cache.js';
import type { CoinbaseTx, TransferTx, Tx } from './types.js';

// The block engineer imports these from './tx.js'; they live in their own concept files.
export { SignatureCache } from './sig-cache.js';
export { MAX_U128, blockSubsidy, formatCoins, parseCoins } from './coins.js';

export const TX_TYPE_COINBASE = 0;
export const TX_TYPE_TRANSFER = 1;
/** Reserved for level-3 contract deploys/calls; refused by this codec. */
export const TX_TYPE_CONTRACT = 2;

export const TX_SIGNING_BYTES = 85;
export const TX_SIG_BYTES = 65;
const MAX_U32 = 0xffffffff;

/** What signTx needs: a transfer without its signature (`from` is derived from the key). */
export type UnsignedTransfer = Omit<TransferTx, 'sig' | 'kind' | 'from'> & {
  kind?: 'transfer';
  /** When given, must be the key's address (a guard against signing with the wrong key). */
  from?: string;
};

// ---- field checks shared by the encoder, the JSON codec and the state ----

function checkU32(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_U32) {
    throw new RuleError('MALFORMED_TX', `${field} must be an integer in [0, 2^32-1]`);
  }
}

function checkNonce(value: unknown): asserts value is number {
  // u64 on the wire, but a JS number: the safe-integer range is the real limit (2^53-1 txs).
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RuleError('MALFORMED_TX', 'nonce must be a non-negative safe integer');
  }
}

function checkU128(value: unknown, field: string): asserts value is bigint {
  if (typeof value !== 'bigint') throw new RuleError('MALFORMED_TX', `${field} must be a bigint`);
  if (value < 0n || value > MAX_U128)
    throw new RuleError('AMOUNT_OUT_OF_RANGE', `${field} is outside [0, 2^128-1]`);
}

/**
 * Value rules: a transfer moves 1..maxAmount and pays a fee of 0..maxAmount; a coinbase
 * mints 0..2^128-1 (0 is legal: once the subsidy is gone a block without fees still needs
 * its coinbase) with fee 0. Throws AMOUNT_OUT_OF_RANGE / MALFORMED_TX.
 */
export function checkTxAmounts(tx: Tx, maxAmount: bigint = MAX_U128): void {
  checkU128(tx.amount, 'amount');
  checkU128(tx.fee, 'fee');
  if (tx.kind === 'coinbase') {
    if (tx.fee !== 0n) throw new RuleError('MALFORMED_TX', 'a coinbase pays no fee');
    return;
  }
  if (tx.amount <= 0n || tx.amount > maxAmount) {
    throw new RuleError(
      'AMOUNT_OUT_OF_RANGE',
      `amount must be in [1, ${maxAmount}], got ${tx.amount}`,
    );
  }
  if (tx.fee > maxAmount)
    throw new RuleError('AMOUNT_OUT_OF_RANGE', `fee must be in [0, ${maxAmount}], got ${tx.fee}`);
}

// ---- binary encoding ----

/** The 85 signing bytes. Throws a RuleError for a field that does not fit its width. */
export function encodeTxForSigning(tx: Tx): Uint8Array {
  let type: number;
  let from: Uint8Array;
  if (tx.kind === 'coinbase') {
    if (tx.from !== null) throw new RuleError('MALFORMED_TX', 'a coinbase has from = null');
    type = TX_TYPE_COINBASE;
    from = new Uint8Array(20);
  } else if (tx.kind === 'transfer') {
    type = TX_TYPE_TRANSFER;
    from = addressToBytes(tx.from);
  } else {
    throw new RuleError(
      'MALFORMED_TX',
      `unknown tx kind ${String((tx as { kind: unknown }).kind)}`,
    );
  }
  checkU32(tx.chainId, 'chainId');
  checkNonce(tx.nonce);
  checkU128(tx.amount, 'amount');
  checkU128(tx.fee, 'fee');
  const out = new Uint8Array(TX_SIGNING_BYTES);
  const view = new DataView(out.buffer);
  out[0] = type;
  view.setUint32(1, tx.chainId);
  view.setBigUint64(5, BigInt(tx.nonce));
  out.set(from, 13);
  out.set(addressToBytes(tx.to), 33);
  out.set(bigintToBytesBE(tx.amount, 16), 53);
  out.set(bigintToBytesBE(tx.fee, 16), 69);
  return out;
}

/** The full wire encoding: signing bytes, then the 65-byte signature (none for a coinbase). What block size counts. */
export function encodeTx(tx: Tx): Uint8Array {
  const body = encodeTxForSigning(tx);
  if (tx.kind === 'coinbase') return body;
  return concatBytes(body, signatureBytes(tx.sig));
}

/** Byte length of encodeTx(tx) without encoding it. */
export function txSize(tx: Tx): number {
  return tx.kind === 'coinbase' ? TX_SIGNING_BYTES : TX_SIGNING_BYTES + TX_SIG_BYTES;
}

/** Inverse of encodeTx. Throws MALFORMED_TX (TX_NOT_ALLOWED for the reserved contract type). */
export function decodeTx(bytes: Uint8Array): Tx {
  if (bytes.length < TX_SIGNING_BYTES)
    throw new RuleError('MALFORMED_TX', `a tx is at least ${TX_SIGNING_BYTES} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = bytes[0];
  const chainId = view.getUint32(1);
  const nonce64 = view.getBigUint64(5);
  if (nonce64 > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RuleError('MALFORMED_TX', 'nonce above 2^53-1');
  const nonce = Number(nonce64);
  const from = bytes.subarray(13, 33);
  const to = addressFromBytes(bytes.subarray(33, 53));
  const amount = bytesToBigintBE(bytes.subarray(53, 69));
  const fee = bytesToBigintBE(bytes.subarray(69, 85));
  if (type === TX_TYPE_COINBASE) {
    if (bytes.length !== TX_SIGNING_BYTES)
      throw new RuleError('MALFORMED_TX', 'a coinbase has no signature');
    if (from.some((b) => b !== 0))
      throw new RuleError('MALFORMED_TX', 'a coinbase has a zero from');
    if (fee !== 0n) throw new RuleError('MALFORMED_TX', 'a coinbase pays no fee');
    return { kind: 'coinbase', from: null, to, amount, fee: 0n, nonce, chainId, sig: null };
  }
  if (type === TX_TYPE_TRANSFER) {
    if (bytes.length !== TX_SIGNING_BYTES + TX_SIG_BYTES)
      throw new RuleError('MALFORMED_TX', 'a transfer is 150 bytes');
    const sig = toHex(bytes.subarray(TX_SIGNING_BYTES));
    return { kind: 'transfer', from: addressFromBytes(from), to, amount, fee, nonce, chainId, sig };
  }
  if (type === TX_TYPE_CONTRACT)
    throw new RuleError('TX_NOT_ALLOWED', 'contract txs (type 2) are level 3');
  throw new RuleError('MALFORMED_TX', `unknown tx type ${type}`);
}

/** SHA-256d of the signing bytes, internal byte order (what merkle trees and signatures use). */
export function txHash(tx: Tx): Uint8Array {
  return sha256d(encodeTxForSigning(tx));
}

/** The txid as shown everywhere (REST, explorer, wallet): byte-reversed 0x hex. */
export function txid(tx: Tx): string {
  return hashToDisplay(txHash(tx));
}

// ---- signatures ----

function signatureBytes(sig: unknown): Uint8Array {
  if (!isHex(sig, TX_SIG_BYTES))
    throw new RuleError('MALFORMED_TX', 'sig must be 0x + 65 bytes of hex');
  return fromHex(sig, TX_SIG_BYTES);
}

/**
 * Signs a transfer with RFC6979 deterministic nonces (same inputs → same sig, so test
 * vectors are stable), low-S. Fills `from` from the key. Checks the fields it signs.
 */
export function signTx(unsigned: UnsignedTransfer, privateKey: Uint8Array | string): TransferTx {
  const key = privateKeyBytes(privateKey);
  const from = addressFromBytes(uncompressedKeyToAddressBytes(privateKeyToPublicKey(key)));
  if (unsigned.from !== undefined && parseAddress(unsigned.from) !== from) {
    throw new RuleError('INVALID_SIGNATURE', `the key signs for ${from}, not ${unsigned.from}`);
  }
  const tx: TransferTx = {
    kind: 'transfer',
    from,
    to: parseAddress(unsigned.to),
    amount: unsigned.amount,
    fee: unsigned.fee,
    nonce: unsigned.nonce,
    chainId: unsigned.chainId,
    sig: '0x',
  };
  checkTxAmounts(tx);
  const digest = txHash(tx);
  // 'recovered' format is rec(1) || r(32) || s(32); the wire order is r || s || v (Ethereum's).
  const rec = secp.sign(digest, key, {
    prehash: false,
    lowS: true,
    format: 'recovered',
    extraEntropy: false,
  });
  const v = rec[0]!;
  // Recovery ids 2/3 (r ≥ n after reduction) happen with probability ~2^-127; refuse them
  // rather than widen the format.
  if (v > 1) throw new Error('unsupported recovery id; sign again with another nonce');
  return { ...tx, sig: toHex(concatBytes(rec.subarray(1), Uint8Array.of(v))) };
}

/** The signer's address recovered from the signature, or null if the signature is unusable (also for a high S). */
export function recoverTxSender(tx: TransferTx): string | null {
  const bytes = recoverSenderBytes(tx, txHash(tx));
  return bytes ? addressFromBytes(bytes) : null;
}

/** The 64-byte r ‖ s and recovery id of a well-formed low-S signature, or null. */
function parseLowS(tx: TransferTx): { sig64: Uint8Array; v: number } | null {
  if (!isHex(tx.sig, TX_SIG_BYTES)) return null;
  const sig = fromHex(tx.sig, TX_SIG_BYTES);
  const v = sig[64]!;
  if (v !== 0 && v !== 1) return null;
  try {
    const parsed = secp.Signature.fromBytes(sig.subarray(0, 64), 'compact'); // checks 1 ≤ r, s < n
    // Low-S only: (r, n−s) is an equally valid signature, so accepting both would let
    // anyone produce a second sig for the same tx.
    if (parsed.hasHighS()) return null;
  } catch {
    return null;
  }
  return { sig64: sig.subarray(0, 64), v };
}

/** The uncompressed public key that signed `digest`, or null. */
function recoverSignerKey(sig64: Uint8Array, v: number, digest: Uint8Array): Uint8Array | null {
  try {
    return secp.recoverPublicKey(concatBytes(Uint8Array.of(v), sig64), digest, { prehash: false, isCompressed: false });
  } catch {
    return null;
  }
}

function recoverSenderBytes(tx: TransferTx, digest: Uint8Array): Uint8Array | null {
  const parsed = parseLowS(tx);
  const key = parsed && recoverSignerKey(parsed.sig64, parsed.v, digest);
  return key ? uncompressedKeyToAddressBytes(key) : null;
}

/**
 * True iff `tx` is a transfer whose signature is a valid low-S signature of its txHash by
 * the key of `from`. A coinbase carries no signature, so this is false for it: coinbases are
 * authorized by the block rules (first tx, amount ≤ subsidy + fees), never by a key.
 * Pure; `cache` (one per thread) remembers results by txid + sig.
 */
export function verifyTx(tx: Tx, cache?: SignatureCache): boolean {
  if (tx.kind !== 'transfer' || typeof tx.sig !== 'string') return false;
  let digest: Uint8Array;
  let fromBytes: Uint8Array;
  try {
    digest = txHash(tx);
    fromBytes = addressToBytes(tx.from);
  } catch {
    return false;
  }
  const id = hashToDisplay(digest);
  const cached = cache?.get(id, tx.sig);
  if (cached !== undefined) return cached;
  const valid = verifyUncached(tx, digest, fromBytes, cache);
  cache?.set(id, tx.sig, valid);
  return valid;
}

function verifyUncached(tx: TransferTx, digest: Uint8Array, fromBytes: Uint8Array, cache?: SignatureCache): boolean {
  const parsed = parseLowS(tx);
  if (!parsed) return false;
  // Known sender: a plain verify against its key (fast when native) instead of a recovery.
  const fast = cache?.knownKeys?.verify(tx.from, encodeTxForSigning(tx), parsed.sig64);
  if (fast !== undefined) return fast;
  const key = recoverSignerKey(parsed.sig64, parsed.v, digest);
  if (!key) return false;
  const valid = uncompressedKeyToAddressBytes(key).every((b, i) => b === fromBytes[i]);
  if (valid) cache?.knownKeys?.learn(tx.from, key);
  return valid;
}

/** Throws INVALID_SIGNATURE unless verifyTx(tx) holds. */
export function checkTxSignature(tx: Tx, cache?: SignatureCache): void {
  if (tx.kind === 'coinbase')
    throw new RuleError('INVALID_SIGNATURE', 'a coinbase carries no signature');
  if (!verifyTx(tx, cache))
    throw new RuleError('INVALID_SIGNATURE', `bad signature for a tx from ${tx.from}`);
}

// ---- coinbase and context ----

/** The coinbase of the block at `height` (nonce = height makes every coinbase txid unique, as BIP34). */
export function createCoinbase(
  to: string,
  amount: bigint,
  height: number,
  chainId: number,
): CoinbaseTx {
  const tx: CoinbaseTx = {
    kind: 'coinbase',
    from: null,
    to: parseAddress(to),
    amount,
    fee: 0n,
    nonce: height,
    chainId,
    sig: null,
  };
  checkNonce(height);
  checkU32(chainId, 'chainId');
  checkTxAmounts(tx);
  return tx;
}

/** Throws WRONG_CHAIN for a tx signed for another chain (the replay protection chainId gives). */
export function checkTxContext(tx: Tx, chainId: number): void {
  if (tx.chainId !== chainId)
    throw new RuleError('WRONG_CHAIN', `tx is for chain ${tx.chainId}, this is chain ${chainId}`);
}

// ---- JSON (SPEC §4) ----

export interface TxJson {
  from: string | null;
  to: string;
  amount: string;
  fee: string;
  nonce: number;
  chainId: number;
  sig: string | null;
}

const TX_JSON_KEYS = ['from', 'to', 'amount', 'fee', 'nonce', 'chainId', 'sig'] as const;

export function txToJson(tx: Tx): TxJson {
  return {
    from: tx.from,
    to: tx.to,
    amount: tx.amount.toString(),
    fee: tx.fee.toString(),
    nonce: tx.nonce,
    chainId: tx.chainId,
    sig: tx.sig,
  };
}

export interface ParseTxOptions {
  /** Largest amount or fee a transfer may carry (the spec's maxAmount). Default 2^128−1. */
  maxAmount?: bigint;
}

// A minus sign is recognized only to report "-5" as out of range rather than malformed.
const DECIMAL_RE = /^-?(0|[1-9][0-9]*)$/;

function parseDecimal(value: unknown, field: string): bigint {
  if (typeof value !== 'string')
    throw new RuleError('MALFORMED_TX', `${field} must be a decimal string of base units`);
  if (!DECIMAL_RE.test(value) || value === '-0') {
    throw new RuleError(
      'MALFORMED_TX',
      `${field} must be plain decimal digits (no sign, exponent or leading zeros): ${JSON.stringify(value.slice(0, 80))}`,
    );
  }
  // 2^128 has 39 digits; refuse longer strings before BigInt() spends time on them.
  if (value.length > 41)
    throw new RuleError('AMOUNT_OUT_OF_RANGE', `${field} is far above 2^128-1`);
  return BigInt(value);
}

/**
 * Validates untrusted JSON (a peer's, a user's) into a Tx. Every field is checked; unknown
 * fields are refused so that two encodings of one tx cannot differ by junk. Addresses come
 * back EIP-55 checksummed and the sig lowercase, so txToJson(parseTx(x)) is canonical.
 * Throws MALFORMED_TX, INVALID_ADDRESS or AMOUNT_OUT_OF_RANGE. The signature is not verified.
 */
export function parseTx(json: unknown, opts: ParseTxOptions = {}): Tx {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new RuleError('MALFORMED_TX', 'a tx is a JSON object');
  }
  const j = json as Record<string, unknown>;
  for (const key of Object.keys(j)) {
    if (!(TX_JSON_KEYS as readonly string[]).includes(key))
      throw new RuleError('MALFORMED_TX', `unknown field ${JSON.stringify(key.slice(0, 40))}`);
  }
  for (const key of TX_JSON_KEYS) {
    if (!Object.hasOwn(j, key) || j[key] === undefined)
      throw new RuleError('MALFORMED_TX', `missing field ${key}`);
  }
  const isCoinbase = j.from === null && j.sig === null;
  if (!isCoinbase && (j.from === null || j.sig === null)) {
    throw new RuleError(
      'MALFORMED_TX',
      'from and sig are both null (coinbase) or both set (transfer)',
    );
  }
  if (!isCoinbase && typeof j.from !== 'string')
    throw new RuleError('MALFORMED_TX', 'from must be an address string');
  if (typeof j.to !== 'string') throw new RuleError('MALFORMED_TX', 'to must be an address string');
  checkU32(j.chainId, 'chainId');
  checkNonce(j.nonce);
  const amount = parseDecimal(j.amount, 'amount');
  const fee = parseDecimal(j.fee, 'fee');
  const to = parseAddress(j.to);
  let tx: Tx;
  if (isCoinbase) {
    if (fee !== 0n) throw new RuleError('MALFORMED_TX', 'a coinbase pays no fee');
    tx = {
      kind: 'coinbase',
      from: null,
      to,
      amount,
      fee: 0n,
      nonce: j.nonce,
      chainId: j.chainId,
      sig: null,
    };
  } else {
    const from = parseAddress(j.from);
    if (!isHex(j.sig, TX_SIG_BYTES))
      throw new RuleError('MALFORMED_TX', 'sig must be 0x + 65 bytes (130 hex digits)');
    tx = {
      kind: 'transfer',
      from,
      to,
      amount,
      fee,
      nonce: j.nonce,
      chainId: j.chainId,
      sig: j.sig.toLowerCase(),
    };
  }
  checkTxAmounts(tx, opts.maxAmount ?? MAX_U128);
  return tx;
}
