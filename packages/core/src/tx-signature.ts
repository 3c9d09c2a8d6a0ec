// Transactions, signatures: signing (RFC6979, low-S), sender recovery and verification of a
// tx's secp256k1 signature over its txHash, and of an Ethereum-signed tx's view.
import { secp } from './secp.js';
import { concatBytes, fromHex, isHex, toHex } from './bytes.js';
import { hashToDisplay } from './hash.js';
import { RuleError } from './errors.js';
import {
  addressFromBytes,
  addressToBytes,
  parseAddress,
  privateKeyBytes,
  privateKeyToPublicKey,
  uncompressedKeyToAddressBytes,
} from './address.js';
import type { SignatureBackend, SignatureCache } from './sig-cache.js';
import { decodeEthTx, isDecodedEthTx } from './eth-tx.js';
import type { ContractTx, SignedTx, TransferTx, Tx } from './types.js';
import { checkTxAmounts } from './tx-fields.js';
import { TX_SIG_BYTES, txHash } from './tx-codec.js';
import { txToJson } from './tx-json.js';

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
