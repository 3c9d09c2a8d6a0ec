// Transactions, binary: the canonical encoding, its decoder, the tx hash and the txid.
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
import { bigintToBytesBE, bytesToBigintBE, concatBytes, fromHex, isHex, toHex } from './bytes.js';
import { hashToDisplay, sha256d } from './hash.js';
import { RuleError } from './errors.js';
import { addressFromBytes, addressToBytes } from './address.js';
import { decodeEthTx, ethTxHashInternal } from './eth-tx.js';
import type { SignatureBackend } from './sig-cache.js';
import type { LevelNumber, CoinbaseTx, Tx } from './types.js';
import {
  checkData,
  checkGasLimit,
  checkNonce,
  checkU128,
  checkU32,
  MAX_TX_DATA_BYTES,
} from './tx-fields.js';

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
  level?: LevelNumber;
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

export function signatureBytes(sig: unknown): Uint8Array {
  if (!isHex(sig, TX_SIG_BYTES))
    throw new RuleError('MALFORMED_TX', 'sig must be 0x + 65 bytes of hex');
  return fromHex(sig, TX_SIG_BYTES);
}
