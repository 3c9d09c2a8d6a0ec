// Transactions: the canonical binary encoding, the txid, the signature, the coinbase, and
// the JSON codec of docs/protocol.md.
//
// Signing bytes (big-endian; the 85-byte head is shared by every type):
//   type u8 (0 coinbase, 1 transfer, 2 contract) | chainId u32 | nonce u64 |
//   from 20 (zeros for a coinbase) | to 20 (zeros for a deploy) | amount u128 | fee u128
// then, level 3 only:
//   coinbase: stateRoot 32 (the block's post-state commitment)
//   contract: toPresent u8 (0 deploy, 1 call) | gasLimit u64 | gasPrice u128 |
//             dataLength u32 | data
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
import type { SignatureBackend, SignatureCache } from './sig-cache.js';
import { decodeEthTx, ethTxHashInternal, isDecodedEthTx } from './eth-tx.js';
import type { ChainLevel, CoinbaseTx, ContractTx, SignedTx, TransferTx, Tx } from './types.js';

// The block engineer imports these from './tx.js'; they live in their own concept files.
export { SignatureCache } from './sig-cache.js';
export { MAX_U128, blockSubsidy, formatCoins, parseCoins } from './coins.js';

export const TX_TYPE_COINBASE = 0;
export const TX_TYPE_TRANSFER = 1;
/** Level-3 contract deploys, calls and gas-metered transfers (refused at levels 1–2). */
export const TX_TYPE_CONTRACT = 2;
/**
 * Level 3: an Ethereum-signed tx (docs/protocol.md §12). Its wire form is this byte, then the
 * raw Ethereum bytes; it is authenticated by Ethereum's own signature rules, not by these bytes.
 */
export const TX_TYPE_ETH = 3;

/** Signing bytes of a transfer and of a level-1/2 coinbase; the head of every type. */
export const TX_SIGNING_BYTES = 85;
export const TX_SIG_BYTES = 65;
/** A level-3 coinbase: the head, then the 32-byte state root. */
export const COINBASE_L3_SIGNING_BYTES = TX_SIGNING_BYTES + 32;
/** A contract tx's fixed part: the head, toPresent u8, gasLimit u64, gasPrice u128, data length u32. */
export const CONTRACT_TX_FIXED_BYTES = TX_SIGNING_BYTES + 1 + 8 + 16 + 4;
/** Codec bound on a contract tx's data (block size and gas bound it far earlier). */
export const MAX_TX_DATA_BYTES = 1 << 20;
const MAX_U32 = 0xffffffff;
const MAX_U64 = (1n << 64n) - 1n;

/** What signTx needs: a transfer without its signature (`from` is derived from the key). */
export type UnsignedTransfer = Omit<TransferTx, 'sig' | 'kind' | 'from'> & {
  kind?: 'transfer';
  /** When given, must be the key's address (a guard against signing with the wrong key). */
  from?: string;
};

/** What signTx needs for a level-3 contract tx (`fee` is always 0, `from` comes from the key). */
export type UnsignedContractTx = Omit<ContractTx, 'sig' | 'kind' | 'from' | 'fee'> & {
  kind: 'contract';
  fee?: 0n;
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

function checkGasLimit(value: unknown): asserts value is bigint {
  if (typeof value !== 'bigint') throw new RuleError('MALFORMED_TX', 'gasLimit must be a bigint');
  if (value < 0n || value > MAX_U64)
    throw new RuleError('GAS_LIMIT', 'gasLimit is outside [0, 2^64-1]');
}

function checkData(value: unknown, field: string, exactBytes?: number): asserts value is string {
  if (!isHex(value, exactBytes))
    throw new RuleError(
      'MALFORMED_TX',
      exactBytes === undefined
        ? `${field} must be 0x-prefixed hex with an even number of digits`
        : `${field} must be 0x + ${exactBytes} bytes of hex`,
    );
  if ((value.length - 2) / 2 > MAX_TX_DATA_BYTES)
    throw new RuleError('MALFORMED_TX', `${field} is over ${MAX_TX_DATA_BYTES} bytes`);
}

/**
 * Value rules: a transfer moves 1..maxAmount and pays a fee of 0..maxAmount; a coinbase
 * mints 0..2^128-1 (0 is legal: once the subsidy is gone a block without fees still needs
 * its coinbase) with fee 0; a contract tx sends 0..maxAmount with fee 0 (it pays gas),
 * gasLimit u64, gasPrice u128. Throws AMOUNT_OUT_OF_RANGE / MALFORMED_TX / GAS_LIMIT.
 */
export function checkTxAmounts(tx: Tx, maxAmount: bigint = MAX_U128): void {
  checkU128(tx.amount, 'amount');
  checkU128(tx.fee, 'fee');
  if (tx.kind === 'coinbase') {
    if (tx.fee !== 0n) throw new RuleError('MALFORMED_TX', 'a coinbase pays no fee');
    return;
  }
  if (tx.kind === 'contract') {
    if (tx.fee !== 0n)
      throw new RuleError(
        'MALFORMED_TX',
        'a contract tx pays gasUsed × gasPrice: its fee must be 0',
      );
    if (tx.amount > maxAmount)
      throw new RuleError(
        'AMOUNT_OUT_OF_RANGE',
        `amount must be in [0, ${maxAmount}], got ${tx.amount}`,
      );
    checkGasLimit(tx.gasLimit);
    checkU128(tx.gasPrice, 'gasPrice');
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

/**
 * The signing bytes: 85 for a transfer or a level-1/2 coinbase, 117 for a level-3 coinbase,
 * 114 + data length for a contract tx. Throws a RuleError for a field that does not fit its width.
 */
export function encodeTxForSigning(tx: Tx): Uint8Array {
  if (tx.kind === 'contract' && tx.eth !== undefined) return encodeEthTx(tx.eth.raw);
  let type: number;
  let from: Uint8Array;
  if (tx.kind === 'coinbase') {
    if (tx.from !== null) throw new RuleError('MALFORMED_TX', 'a coinbase has from = null');
    type = TX_TYPE_COINBASE;
    from = new Uint8Array(20);
  } else if (tx.kind === 'transfer') {
    type = TX_TYPE_TRANSFER;
    from = addressToBytes(tx.from);
  } else if (tx.kind === 'contract') {
    type = TX_TYPE_CONTRACT;
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
  let size = TX_SIGNING_BYTES;
  let data: Uint8Array | undefined;
  if (tx.kind === 'contract') {
    checkGasLimit(tx.gasLimit);
    checkU128(tx.gasPrice, 'gasPrice');
    checkData(tx.data, 'data');
    data = fromHex(tx.data);
    size = CONTRACT_TX_FIXED_BYTES + data.length;
  } else if (tx.kind === 'coinbase' && tx.data !== undefined) {
    checkData(tx.data, 'coinbase data (the state root)', 32);
    size = COINBASE_L3_SIGNING_BYTES;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = type;
  view.setUint32(1, tx.chainId);
  view.setBigUint64(5, BigInt(tx.nonce));
  out.set(from, 13);
  if (tx.to !== null) out.set(addressToBytes(tx.to), 33); // a deploy leaves 20 zero bytes
  out.set(bigintToBytesBE(tx.amount, 16), 53);
  out.set(bigintToBytesBE(tx.fee, 16), 69);
  if (tx.kind === 'contract') {
    out[85] = tx.to === null ? 0 : 1;
    view.setBigUint64(86, tx.gasLimit);
    out.set(bigintToBytesBE(tx.gasPrice, 16), 94);
    view.setUint32(110, data!.length);
    out.set(data!, CONTRACT_TX_FIXED_BYTES);
  } else if (tx.kind === 'coinbase' && tx.data !== undefined) {
    out.set(fromHex(tx.data, 32), TX_SIGNING_BYTES);
  }
  return out;
}

/** An Ethereum tx on chainlab's wire: TX_TYPE_ETH, then its raw bytes. */
function encodeEthTx(raw: string): Uint8Array {
  return concatBytes(Uint8Array.of(TX_TYPE_ETH), fromHex(raw));
}

/** The full wire encoding: signing bytes, then the 65-byte signature (none for a coinbase). What block size counts. */
export function encodeTx(tx: Tx): Uint8Array {
  if (tx.kind === 'contract' && tx.eth !== undefined) return encodeEthTx(tx.eth.raw);
  const body = encodeTxForSigning(tx);
  if (tx.kind === 'coinbase') return body;
  return concatBytes(body, signatureBytes(tx.sig));
}

/** Byte length of encodeTx(tx) without encoding it. */
export function txSize(tx: Tx): number {
  if (tx.kind === 'coinbase')
    return tx.data === undefined ? TX_SIGNING_BYTES : COINBASE_L3_SIGNING_BYTES;
  if (tx.kind === 'contract' && tx.eth !== undefined) return 1 + (tx.eth.raw.length - 2) / 2;
  if (tx.kind === 'contract')
    return CONTRACT_TX_FIXED_BYTES + (tx.data.length - 2) / 2 + TX_SIG_BYTES;
  return TX_SIGNING_BYTES + TX_SIG_BYTES;
}

export interface DecodeTxOptions {
  /** The chain's level: contract txs and state-root coinbases decode only at level 3. Default 2. */
  level?: ChainLevel;
  /** Faster secp256k1 for recovering an Ethereum tx's sender (default @noble/secp256k1). */
  sigBackend?: SignatureBackend;
}

/**
 * Inverse of encodeTx. Throws MALFORMED_TX (TX_NOT_ALLOWED for a contract tx below level 3).
 * The tx comes back frozen, so its txHash is computed once (see txHash).
 */
export function decodeTx(bytes: Uint8Array, opts: DecodeTxOptions = {}): Tx {
  return Object.freeze(decodeTxFields(bytes, opts));
}

function decodeTxFields(bytes: Uint8Array, opts: DecodeTxOptions): Tx {
  const level3 = (opts.level ?? 2) >= 3;
  if (bytes[0] === TX_TYPE_ETH) {
    if (!level3) throw new RuleError('TX_NOT_ALLOWED', 'Ethereum txs (type 3) are level 3');
    return decodeEthTx(bytes.subarray(1), opts.sigBackend);
  }
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
    const withRoot = level3 && bytes.length === COINBASE_L3_SIGNING_BYTES;
    if (bytes.length !== TX_SIGNING_BYTES && !withRoot)
      throw new RuleError('MALFORMED_TX', 'a coinbase has no signature');
    if (from.some((b) => b !== 0))
      throw new RuleError('MALFORMED_TX', 'a coinbase has a zero from');
    if (fee !== 0n) throw new RuleError('MALFORMED_TX', 'a coinbase pays no fee');
    const cb: CoinbaseTx = {
      kind: 'coinbase',
      from: null,
      to,
      amount,
      fee: 0n,
      nonce,
      chainId,
      sig: null,
    };
    if (withRoot) cb.data = toHex(bytes.subarray(TX_SIGNING_BYTES));
    return cb;
  }
  if (type === TX_TYPE_TRANSFER) {
    if (bytes.length !== TX_SIGNING_BYTES + TX_SIG_BYTES)
      throw new RuleError('MALFORMED_TX', 'a transfer is 150 bytes');
    const sig = toHex(bytes.subarray(TX_SIGNING_BYTES));
    return { kind: 'transfer', from: addressFromBytes(from), to, amount, fee, nonce, chainId, sig };
  }
  if (type === TX_TYPE_CONTRACT) {
    if (!level3) throw new RuleError('TX_NOT_ALLOWED', 'contract txs (type 2) are level 3');
    if (bytes.length < CONTRACT_TX_FIXED_BYTES + TX_SIG_BYTES)
      throw new RuleError('MALFORMED_TX', 'a contract tx is at least 179 bytes');
    const toPresent = bytes[85];
    if (toPresent !== 0 && toPresent !== 1)
      throw new RuleError('MALFORMED_TX', 'the toPresent byte is 0 or 1');
    if (toPresent === 0 && bytes.subarray(33, 53).some((b) => b !== 0))
      throw new RuleError('MALFORMED_TX', 'a deploy has a zero to field');
    const gasLimit = view.getBigUint64(86);
    const gasPrice = bytesToBigintBE(bytes.subarray(94, 110));
    const dataLength = view.getUint32(110);
    if (bytes.length !== CONTRACT_TX_FIXED_BYTES + dataLength + TX_SIG_BYTES)
      throw new RuleError('MALFORMED_TX', 'contract tx length does not match its data length');
    if (dataLength > MAX_TX_DATA_BYTES)
      throw new RuleError('MALFORMED_TX', `data is over ${MAX_TX_DATA_BYTES} bytes`);
    if (fee !== 0n) throw new RuleError('MALFORMED_TX', 'a contract tx has fee 0');
    const dataEnd = CONTRACT_TX_FIXED_BYTES + dataLength;
    return {
      kind: 'contract',
      from: addressFromBytes(from),
      to: toPresent === 0 ? null : to,
      amount,
      fee: 0n,
      nonce,
      chainId,
      sig: toHex(bytes.subarray(dataEnd)),
      data: toHex(bytes.subarray(CONTRACT_TX_FIXED_BYTES, dataEnd)),
      gasLimit,
      gasPrice,
    };
  }
  throw new RuleError('MALFORMED_TX', `unknown tx type ${type}`);
}

/**
 * Hash once: a frozen tx (parseTx and decodeTx return them) cannot change, so its hash is
 * remembered beside it, as btcd's btcutil.Tx caches its hash. The mempool, the chain and
 * the signature cache all ask for the same tx's hash; a tx object nobody froze is hashed
 * every time, since its fields may still be edited.
 */
const frozenHashes = new WeakMap<Tx, Uint8Array>();

function computeTxHash(tx: Tx): Uint8Array {
  // An Ethereum tx keeps Ethereum's hash, stored reversed so that its display form is unchanged.
  if (tx.kind === 'contract' && tx.eth !== undefined) return ethTxHashInternal(tx.eth.raw);
  return sha256d(encodeTxForSigning(tx));
}

/**
 * The tx id, internal byte order (what merkle trees use): SHA-256d of the signing bytes
 * (also what a chainlab signature signs), or Ethereum's keccak-256 of an Ethereum tx's raw bytes.
 */
export function txHash(tx: Tx): Uint8Array {
  if (!Object.isFrozen(tx)) return computeTxHash(tx);
  let hash = frozenHashes.get(tx);
  if (!hash) {
    hash = computeTxHash(tx);
    frozenHashes.set(tx, hash);
  }
  return hash.slice(); // a copy: a caller may reuse the bytes it gets
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
 * Signs a transfer (or, with `kind: 'contract'`, a level-3 contract tx) with RFC6979
 * deterministic nonces (same inputs → same sig, so test vectors are stable), low-S. Fills
 * `from` from the key. Checks the fields it signs.
 */
export function signTx(unsigned: UnsignedTransfer, privateKey: Uint8Array | string): TransferTx;
export function signTx(unsigned: UnsignedContractTx, privateKey: Uint8Array | string): ContractTx;
export function signTx(
  unsigned: UnsignedTransfer | UnsignedContractTx,
  privateKey: Uint8Array | string,
): SignedTx {
  const key = privateKeyBytes(privateKey);
  const from = addressFromBytes(uncompressedKeyToAddressBytes(privateKeyToPublicKey(key)));
  if (unsigned.from !== undefined && parseAddress(unsigned.from) !== from) {
    throw new RuleError('INVALID_SIGNATURE', `the key signs for ${from}, not ${unsigned.from}`);
  }
  const base = {
    from,
    amount: unsigned.amount,
    nonce: unsigned.nonce,
    chainId: unsigned.chainId,
    sig: '0x',
  };
  const tx: SignedTx =
    unsigned.kind === 'contract'
      ? {
          kind: 'contract',
          ...base,
          to: unsigned.to === null ? null : parseAddress(unsigned.to),
          fee: unsigned.fee ?? 0n,
          data: typeof unsigned.data === 'string' ? unsigned.data.toLowerCase() : unsigned.data,
          gasLimit: unsigned.gasLimit,
          gasPrice: unsigned.gasPrice,
        }
      : { kind: 'transfer', ...base, to: parseAddress(unsigned.to), fee: unsigned.fee };
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
export function recoverTxSender(tx: SignedTx): string | null {
  const bytes = recoverSenderBytes(tx, txHash(tx));
  return bytes ? addressFromBytes(bytes) : null;
}

/** The 64-byte r ‖ s and recovery id of a well-formed low-S signature, or null. */
function parseLowS(tx: SignedTx): { sig64: Uint8Array; v: number } | null {
  if (!isHex(tx.sig, TX_SIG_BYTES)) return null;
  return parseLowSBytes(fromHex(tx.sig, TX_SIG_BYTES));
}

function parseLowSBytes(sig: Uint8Array): { sig64: Uint8Array; v: number } | null {
  if (sig.length !== TX_SIG_BYTES) return null;
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
    return secp.recoverPublicKey(concatBytes(Uint8Array.of(v), sig64), digest, {
      prehash: false,
      isCompressed: false,
    });
  } catch {
    return null;
  }
}

function recoverSenderBytes(tx: SignedTx, digest: Uint8Array): Uint8Array | null {
  const parsed = parseLowS(tx);
  const key = parsed && recoverSignerKey(parsed.sig64, parsed.v, digest);
  return key ? uncompressedKeyToAddressBytes(key) : null;
}

/**
 * True iff `tx` is a transfer or a contract tx whose signature is a valid low-S signature of its txHash by
 * the key of `from`. A coinbase carries no signature, so this is false for it: coinbases are
 * authorized by the block rules (first tx, amount ≤ subsidy + fees), never by a key.
 * Pure; `cache` (one per thread) remembers results by txid + sig.
 */
export function verifyTx(tx: Tx, cache?: SignatureCache): boolean {
  if (tx.kind === 'coinbase' || typeof tx.sig !== 'string') return false;
  if (tx.kind === 'contract' && tx.eth !== undefined) return verifyEthTx(tx, cache);
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

/**
 * An Ethereum tx is valid iff its raw bytes decode, its signature recovers a sender, and
 * every field of chainlab's view is the one the raw bytes give (so a block cannot pair
 * honest bytes with a lying view).
 */
function verifyEthTx(tx: ContractTx, cache?: SignatureCache): boolean {
  let id: string;
  try {
    id = hashToDisplay(txHash(tx));
  } catch {
    return false;
  }
  const cached = cache?.get(id, tx.sig);
  if (cached !== undefined) return cached;
  let valid: boolean;
  try {
    const decoded = isDecodedEthTx(tx) ? tx : decodeEthTx(tx.eth!.raw, cache?.backend);
    valid = decoded === tx || JSON.stringify(txToJson(decoded)) === JSON.stringify(txToJson(tx));
  } catch {
    valid = false;
  }
  cache?.set(id, tx.sig, valid);
  return valid;
}

function verifyUncached(
  tx: SignedTx,
  digest: Uint8Array,
  fromBytes: Uint8Array,
  cache?: SignatureCache,
): boolean {
  const parsed = parseLowS(tx);
  return parsed !== null && signedBy(digest, parsed, fromBytes, cache?.backend);
}

function signedBy(
  digest: Uint8Array,
  { sig64, v }: { sig64: Uint8Array; v: number },
  fromBytes: Uint8Array,
  backend?: SignatureBackend,
): boolean {
  const key = backend ? backend.recover(digest, sig64, v) : recoverSignerKey(sig64, v, digest);
  if (!key) return false;
  return uncompressedKeyToAddressBytes(key).every((b, i) => b === fromBytes[i]);
}

/**
 * verifyTx's check on bytes a tx was already reduced to: whether `sig` (r ‖ s ‖ v, 65 bytes)
 * is a valid low-S signature of `digest` (the txHash) by the address `fromBytes` (20 bytes).
 * For worker threads that receive digests, not txs, so nothing is parsed or hashed twice.
 */
export function verifyTxDigest(
  digest: Uint8Array,
  sig: Uint8Array,
  fromBytes: Uint8Array,
  backend?: SignatureBackend,
): boolean {
  if (digest.length !== 32 || fromBytes.length !== 20) return false;
  const parsed = parseLowSBytes(sig);
  return parsed !== null && signedBy(digest, parsed, fromBytes, backend);
}

/** Throws INVALID_SIGNATURE unless verifyTx(tx) holds. */
export function checkTxSignature(tx: Tx, cache?: SignatureCache): void {
  if (tx.kind === 'coinbase')
    throw new RuleError('INVALID_SIGNATURE', 'a coinbase carries no signature');
  if (!verifyTx(tx, cache))
    throw new RuleError('INVALID_SIGNATURE', `bad signature for a tx from ${tx.from}`);
}

// ---- coinbase and context ----

/**
 * The coinbase of the block at `height` (nonce = height makes every coinbase txid unique,
 * as BIP34). Level 3 passes `stateRoot`: the state root after the block (0x + 32 bytes).
 */
export function createCoinbase(
  to: string,
  amount: bigint,
  height: number,
  chainId: number,
  stateRoot?: string,
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
  if (stateRoot !== undefined) {
    checkData(stateRoot, 'stateRoot', 32);
    tx.data = stateRoot.toLowerCase();
  }
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

// ---- JSON (docs/protocol.md) ----

/** A transfer or a coinbase (a level-3 coinbase adds `data`, the state root). */
export interface TransferTxJson {
  from: string | null;
  to: string;
  amount: string;
  fee: string;
  nonce: number;
  chainId: number;
  sig: string | null;
  data?: string;
}

/** A level-3 contract tx: the level-2 fields (fee "0", `to` null for a deploy) plus data and gas. */
export interface ContractTxJson {
  from: string;
  to: string | null;
  amount: string;
  fee: string;
  nonce: number;
  chainId: number;
  sig: string;
  data: string;
  gasLimit: string;
  gasPrice: string;
  /** Ethereum-signed txs only (docs/protocol.md §12): the signed bytes, and the view's extra fields. */
  raw?: string;
  type?: 0 | 1 | 2;
  maxPriorityFeePerGas?: string;
  accessList?: { address: string; storageKeys: string[] }[];
}

/** Any tx as JSON (docs/protocol.md). */
export type TxJson = TransferTxJson | ContractTxJson;

const TX_JSON_KEYS = ['from', 'to', 'amount', 'fee', 'nonce', 'chainId', 'sig'] as const;
const CONTRACT_JSON_KEYS = ['data', 'gasLimit', 'gasPrice'] as const;

export function txToJson(tx: TransferTx | CoinbaseTx): TransferTxJson;
export function txToJson(tx: ContractTx): ContractTxJson;
export function txToJson(tx: Tx): TxJson;
export function txToJson(tx: Tx): TxJson {
  if (tx.kind === 'contract') {
    const json: ContractTxJson = {
      from: tx.from,
      to: tx.to,
      amount: tx.amount.toString(),
      fee: tx.fee.toString(),
      nonce: tx.nonce,
      chainId: tx.chainId,
      sig: tx.sig,
      data: tx.data,
      gasLimit: tx.gasLimit.toString(),
      gasPrice: tx.gasPrice.toString(),
    };
    if (tx.eth !== undefined) {
      json.type = tx.eth.type;
      json.maxPriorityFeePerGas = tx.eth.maxPriorityFeePerGas.toString();
      json.accessList = tx.eth.accessList.map((e) => ({
        address: e.address,
        storageKeys: [...e.storageKeys],
      }));
      json.raw = tx.eth.raw;
    }
    return json;
  }
  const json: TransferTxJson = {
    from: tx.from,
    to: tx.to,
    amount: tx.amount.toString(),
    fee: tx.fee.toString(),
    nonce: tx.nonce,
    chainId: tx.chainId,
    sig: tx.sig,
  };
  if (tx.kind === 'coinbase' && tx.data !== undefined) json.data = tx.data;
  return json;
}

export interface ParseTxOptions {
  /** Largest amount or fee a transfer may carry (the spec's maxAmount). Default 2^128−1. */
  maxAmount?: bigint;
  /**
   * The chain's level (default 2). Level 3 also accepts contract txs (the level-2 fields
   * plus data, gasLimit, gasPrice) and coinbases carrying `data` (the state root). Below
   * level 3 a contract tx is TX_NOT_ALLOWED.
   */
  level?: ChainLevel;
  /** Faster secp256k1 for recovering an Ethereum tx's sender (default @noble/secp256k1). */
  sigBackend?: SignatureBackend;
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
 * back EIP-55 checksummed and the sig and data lowercase, so txToJson(parseTx(x)) is canonical.
 * Throws MALFORMED_TX, INVALID_ADDRESS, AMOUNT_OUT_OF_RANGE, GAS_LIMIT or TX_NOT_ALLOWED (a
 * contract tx below level 3). The signature is not verified. The tx comes back frozen: it is
 * hashed once however often its txid is asked for (see txHash).
 */
export function parseTx(json: unknown, opts: ParseTxOptions = {}): Tx {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new RuleError('MALFORMED_TX', 'a tx is a JSON object');
  }
  const j = json as Record<string, unknown>;
  const level3 = (opts.level ?? 2) >= 3;
  if (Object.hasOwn(j, 'raw')) {
    if (!level3) throw new RuleError('TX_NOT_ALLOWED', 'Ethereum txs ("raw") need a level-3 chain');
    return parseEthTxJson(j, opts.maxAmount ?? MAX_U128, opts.sigBackend);
  }
  const contractKeys = CONTRACT_JSON_KEYS.filter((k) => Object.hasOwn(j, k));
  if (contractKeys.length === CONTRACT_JSON_KEYS.length && !level3)
    throw new RuleError(
      'TX_NOT_ALLOWED',
      'contract txs (data, gasLimit, gasPrice) need a level-3 chain',
    );
  if (level3 && contractKeys.length > 0 && !(j.from === null && j.sig === null)) {
    return Object.freeze(parseContractTx(j, opts.maxAmount ?? MAX_U128));
  }
  for (const key of Object.keys(j)) {
    if (!(TX_JSON_KEYS as readonly string[]).includes(key) && !(level3 && key === 'data'))
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
    if (j.data !== undefined) {
      // Level 3: the coinbase carries the block's state root.
      checkData(j.data, 'coinbase data (the state root)', 32);
      tx.data = j.data.toLowerCase();
    }
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
  return Object.freeze(tx);
}

/** The level-3 contract tx shape: every level-2 field plus data, gasLimit and gasPrice. */
function parseContractTx(j: Record<string, unknown>, maxAmount: bigint): ContractTx {
  const keys: readonly string[] = [...TX_JSON_KEYS, ...CONTRACT_JSON_KEYS];
  for (const key of Object.keys(j)) {
    if (!keys.includes(key))
      throw new RuleError('MALFORMED_TX', `unknown field ${JSON.stringify(key.slice(0, 40))}`);
  }
  for (const key of keys) {
    if (!Object.hasOwn(j, key) || j[key] === undefined)
      throw new RuleError('MALFORMED_TX', `missing field ${key}`);
  }
  if (typeof j.from !== 'string')
    throw new RuleError('MALFORMED_TX', 'from must be an address string');
  if (j.to !== null && typeof j.to !== 'string')
    throw new RuleError('MALFORMED_TX', 'to must be an address string, or null to deploy');
  checkU32(j.chainId, 'chainId');
  checkNonce(j.nonce);
  if (!isHex(j.sig, TX_SIG_BYTES))
    throw new RuleError('MALFORMED_TX', 'sig must be 0x + 65 bytes (130 hex digits)');
  checkData(j.data, 'data');
  const fee = parseDecimal(j.fee, 'fee');
  if (fee !== 0n)
    throw new RuleError(
      'MALFORMED_TX',
      'a contract tx pays gasUsed × gasPrice: its fee must be "0"',
    );
  const tx: ContractTx = {
    kind: 'contract',
    from: parseAddress(j.from),
    to: j.to === null ? null : parseAddress(j.to),
    amount: parseDecimal(j.amount, 'amount'),
    fee: 0n,
    nonce: j.nonce,
    chainId: j.chainId,
    sig: j.sig.toLowerCase(),
    data: j.data.toLowerCase(),
    gasLimit: parseDecimal(j.gasLimit, 'gasLimit'),
    gasPrice: parseDecimal(j.gasPrice, 'gasPrice'),
  };
  checkTxAmounts(tx, maxAmount);
  return tx;
}

const ETH_VIEW_KEYS = [
  ...TX_JSON_KEYS,
  ...CONTRACT_JSON_KEYS,
  'type',
  'maxPriorityFeePerGas',
  'accessList',
  'raw',
];

/**
 * An Ethereum-signed tx as JSON: `{"raw": "0x…"}`, optionally with the view fields txToJson
 * adds (from, to, amount, …); the tx is decoded from `raw` and every view field given must
 * equal the decoded one (MALFORMED_TX otherwise).
 */
function parseEthTxJson(
  j: Record<string, unknown>,
  maxAmount: bigint,
  backend?: SignatureBackend,
): ContractTx {
  for (const key of Object.keys(j)) {
    if (!ETH_VIEW_KEYS.includes(key))
      throw new RuleError('MALFORMED_TX', `unknown field ${JSON.stringify(key.slice(0, 40))}`);
  }
  if (typeof j.raw !== 'string')
    throw new RuleError('MALFORMED_TX', 'raw must be 0x-prefixed hex of the signed tx');
  const tx = decodeEthTx(j.raw.toLowerCase(), backend);
  const view = txToJson(tx) as unknown as Record<string, unknown>;
  for (const key of Object.keys(j)) {
    if (key === 'raw') continue;
    const given = key === 'sig' || key === 'data' ? String(j[key]).toLowerCase() : j[key];
    if (JSON.stringify(given) !== JSON.stringify(view[key]))
      throw new RuleError('MALFORMED_TX', `${key} does not match the raw tx`);
  }
  checkTxAmounts(tx, maxAmount);
  return tx;
}
