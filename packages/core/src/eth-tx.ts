// Ethereum-signed transactions on level 3 (docs/protocol.md §12). A level-3 block may carry
// a tx exactly as Ethereum encodes it — legacy with EIP-155 replay protection, EIP-2930
// (type 1) or EIP-1559 (type 2) — so keys, wallets and tools made for Ethereum sign for
// chainlab unchanged. The signed bytes are the tx; every other field is a view derived from
// them by @ethereumjs/tx (no hand-written RLP): the sender is recovered as Ethereum does,
// and the txid is Ethereum's tx hash, keccak-256 of the raw bytes.
//
// Inside chainlab such a tx is a ContractTx carrying an `eth` envelope, so the mempool's
// rules and the EVM engine treat both kinds alike; `gasPrice` is the most it may pay per
// gas (legacy/type 1: its gas price, type 2: maxFeePerGas).
import { Hardfork, Mainnet, createCustomCommon, type Common } from '@ethereumjs/common';
import { RLP } from '@ethereumjs/rlp';
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx';
import { RuleError } from './errors.js';
import {
  addressFromBytes,
  parseAddress,
  toChecksumAddress,
  uncompressedKeyToAddressBytes,
} from './address.js';
import {
  bigintToBytesBE,
  bytesToBigintBE,
  concatBytes,
  fromHex,
  isHex,
  reverseBytes,
  toHex,
} from './bytes.js';
import { keccak256 } from './hash.js';
import { secp } from './secp.js';
import type { SignatureBackend } from './sig-cache.js';
import type { ContractTx, EthEnvelope } from './types.js';

/** Ethereum tx types chainlab accepts: 0 legacy (EIP-155), 1 EIP-2930, 2 EIP-1559. */
export const ETH_TX_TYPES = [0, 1, 2] as const;
/** Bound on a raw tx (the same as chainlab's own contract tx data bound, plus envelope room). */
export const MAX_ETH_TX_BYTES = (1 << 20) + 1024;
/** EIP-2930 intrinsic gas per access-list address and per storage key. */
export const ACCESS_LIST_ADDRESS_GAS = 2_400n;
export const ACCESS_LIST_STORAGE_KEY_GAS = 1_900n;

const commons = new Map<number, Common>();

/** secp256k1's group order n, and n / 2 (EIP-2: a valid s is at most n / 2). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const SECP256K1_HALF_N = SECP256K1_N / 2n;

/**
 * The txs decodeEthTx made (frozen): their view is the raw bytes' by construction and their
 * sender was recovered, so checking their signature again would repeat the same work.
 */
const decodedTxs = new WeakSet<ContractTx>();

/** The Cancun rules for a chain id (cached: a Common is immutable once made). */
function commonFor(chainId: number): Common {
  let c = commons.get(chainId);
  if (!c) {
    c = createCustomCommon({ chainId }, Mainnet, { hardfork: Hardfork.Cancun });
    commons.set(chainId, c);
  }
  return c;
}

function asBigint(item: unknown): bigint {
  if (!(item instanceof Uint8Array)) throw new RuleError('MALFORMED_TX', 'not an RLP string');
  return bytesToBigintBE(item);
}

/**
 * The chain id a raw tx is signed for, read before decoding it fully (a Common needs it):
 * typed txs carry it as their first field, legacy txs in v = chainId × 2 + 35/36 (EIP-155).
 * Throws WRONG_CHAIN for a legacy tx without replay protection, as geth refuses them over RPC.
 */
export function ethTxChainId(raw: Uint8Array): { type: number; chainId: bigint } {
  if (raw.length === 0) throw new RuleError('MALFORMED_TX', 'an empty tx');
  const first = raw[0]!;
  let decoded: unknown;
  try {
    decoded = RLP.decode(first >= 0xc0 ? raw : raw.subarray(1));
  } catch (e) {
    throw new RuleError('MALFORMED_TX', `not an RLP-encoded Ethereum tx: ${(e as Error).message}`);
  }
  if (!Array.isArray(decoded) || decoded.length < 7)
    throw new RuleError('MALFORMED_TX', 'not an Ethereum tx (an RLP list of its fields)');
  if (first >= 0xc0) {
    const v = asBigint(decoded[6]);
    if (v === 27n || v === 28n)
      throw new RuleError(
        'WRONG_CHAIN',
        'only replay-protected (EIP-155) transactions allowed: v is 27/28, the tx names no chain',
      );
    if (v < 35n) throw new RuleError('MALFORMED_TX', `invalid legacy v ${v}`);
    return { type: 0, chainId: (v - 35n) / 2n };
  }
  if (!(ETH_TX_TYPES as readonly number[]).includes(first))
    throw new RuleError(
      'TX_NOT_ALLOWED',
      `Ethereum tx type ${first} is not supported (chainlab takes types 0, 1 and 2; no blobs, no 7702)`,
    );
  return { type: first, chainId: asBigint(decoded[0]) };
}

/**
 * Decodes and authenticates a signed Ethereum tx into chainlab's view of it. Throws
 * MALFORMED_TX (bad encoding, fields out of range), WRONG_CHAIN (no or absurd chain id),
 * TX_NOT_ALLOWED (a type other than 0/1/2) or INVALID_SIGNATURE (no sender recoverable,
 * high S). Amount bounds and gas rules are the caller's (checkTxAmounts, checkContractTx).
 * `sender`: a faster secp256k1 backend for the recovery, or `{ trusted: from }` to take
 * the sender a trusted party already recovered (see ParseTxOptions.trustSender).
 */
export function decodeEthTx(
  raw: Uint8Array | string,
  sender?: SignatureBackend | { trusted: string },
): ContractTx {
  const bytes = typeof raw === 'string' ? hexRaw(raw) : raw;
  if (bytes.length > MAX_ETH_TX_BYTES)
    throw new RuleError('MALFORMED_TX', `a raw tx is at most ${MAX_ETH_TX_BYTES} bytes`);
  const { type, chainId } = ethTxChainId(bytes);
  if (chainId < 1n || chainId > 0xffffffffn)
    throw new RuleError('WRONG_CHAIN', `chain id ${chainId} is outside [1, 2^32-1]`);
  let tx: TypedTransaction;
  try {
    tx = createTxFromRLP(bytes, { common: commonFor(Number(chainId)) });
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    if (/signature|[^a-z]s-values?|highS|high S/i.test(msg))
      throw new RuleError('INVALID_SIGNATURE', `bad signature: ${firstLine(msg)}`);
    throw new RuleError('MALFORMED_TX', `not a valid Ethereum tx: ${firstLine(msg)}`);
  }
  if (!tx.isSigned()) throw new RuleError('INVALID_SIGNATURE', 'the tx is not signed');
  const r = tx.r!;
  const s = tx.s!;
  const yParity = type === 0 ? tx.v! - chainId * 2n - 35n : tx.v!;
  // A sender a trusted party already recovered (parseTx's trustSender) is only checked for
  // form; otherwise it is recovered, with the faster backend when one is given.
  const from =
    sender !== undefined && 'trusted' in sender
      ? parseAddress(sender.trusted)
      : recoverEthSender(tx.getMessageToVerifySignature(), r, s, yParity, sender);
  if (tx.nonce > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RuleError('MALFORMED_TX', 'nonce above 2^53-1');
  if (tx.gasLimit >= 1n << 64n) throw new RuleError('GAS_LIMIT', 'gasLimit is above 2^64-1');
  const sig = '0x' + hex32(r) + hex32(s) + (yParity === 1n ? '01' : '00');
  let gasPrice: bigint;
  let maxPriorityFeePerGas: bigint;
  if ('maxFeePerGas' in tx) {
    gasPrice = tx.maxFeePerGas;
    maxPriorityFeePerGas = tx.maxPriorityFeePerGas;
  } else {
    gasPrice = (tx as { gasPrice: bigint }).gasPrice;
    maxPriorityFeePerGas = gasPrice;
  }
  const accessList: EthEnvelope['accessList'] =
    'accessList' in tx
      ? (tx.accessList as [Uint8Array, Uint8Array[]][]).map(([address, keys]) => ({
          address: toChecksumAddress(toHex(address)),
          storageKeys: keys.map((k) => toHex(k)),
        }))
      : [];
  const view: ContractTx = Object.freeze({
    kind: 'contract',
    from,
    to: tx.to === undefined ? null : toChecksumAddress(tx.to.toString()),
    amount: tx.value,
    fee: 0n,
    nonce: Number(tx.nonce),
    chainId: Number(chainId),
    sig,
    data: toHex(tx.data),
    gasLimit: tx.gasLimit,
    gasPrice,
    eth: Object.freeze({
      raw: toHex(bytes),
      type: type as EthEnvelope['type'],
      maxPriorityFeePerGas,
      accessList,
    }),
  });
  decodedTxs.add(view);
  return view;
}

/**
 * The sender of an Ethereum signature (r, s, yParity) of `digest`, as Ethereum recovers it
 * (EIP-2: s at most n / 2), EIP-55 checksummed; INVALID_SIGNATURE when none. `backend`: a
 * faster secp256k1 (the apps plug in libsecp256k1); default @noble/secp256k1.
 */
function recoverEthSender(
  digest: Uint8Array,
  r: bigint,
  s: bigint,
  yParity: bigint,
  backend?: SignatureBackend,
): string {
  if (r < 1n || r >= SECP256K1_N || s < 1n || s > SECP256K1_HALF_N)
    throw new RuleError('INVALID_SIGNATURE', 'bad signature: r or s out of range (EIP-2: low s)');
  if (yParity !== 0n && yParity !== 1n)
    throw new RuleError('INVALID_SIGNATURE', `bad signature: y parity ${yParity}`);
  const sig64 = concatBytes(bigintToBytesBE(r, 32), bigintToBytesBE(s, 32));
  let key: Uint8Array | null;
  try {
    key = backend
      ? backend.recover(digest, sig64, Number(yParity))
      : secp.recoverPublicKey(concatBytes(Uint8Array.of(Number(yParity)), sig64), digest, {
          prehash: false,
          isCompressed: false,
        });
  } catch {
    key = null;
  }
  if (!key) throw new RuleError('INVALID_SIGNATURE', 'no sender recoverable from the signature');
  return addressFromBytes(uncompressedKeyToAddressBytes(key));
}

/** Whether decodeEthTx made `tx` (so its view and sender are the raw bytes' own). */
export function isDecodedEthTx(tx: ContractTx): boolean {
  return decodedTxs.has(tx);
}

function hexRaw(raw: string): Uint8Array {
  if (!isHex(raw) || raw.length < 4)
    throw new RuleError('MALFORMED_TX', 'raw must be 0x-prefixed hex of the signed tx');
  return fromHex(raw);
}

function hex32(v: bigint): string {
  return v.toString(16).padStart(64, '0');
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 200);
}

/** Ethereum's tx hash: keccak-256 of the raw signed bytes (0x hex, as Ethereum shows it). */
export function ethTxHash(raw: string): string {
  return toHex(keccak256(fromHex(raw)));
}

/**
 * The internal byte order of an Ethereum tx's id: reversed, so that hashToDisplay (which
 * reverses, as Bitcoin shows ids) prints Ethereum's hash unchanged everywhere.
 */
export function ethTxHashInternal(raw: string): Uint8Array {
  return reverseBytes(keccak256(fromHex(raw)));
}

/** EIP-2930 intrinsic gas of an access list. */
export function accessListGas(list: EthEnvelope['accessList']): bigint {
  let gas = 0n;
  for (const e of list)
    gas += ACCESS_LIST_ADDRESS_GAS + BigInt(e.storageKeys.length) * ACCESS_LIST_STORAGE_KEY_GAS;
  return gas;
}

/**
 * What one gas costs the sender in a block with `baseFee`: legacy and type 1 pay their
 * gasPrice; type 2 pays min(maxFeePerGas, baseFee + maxPriorityFeePerGas) (EIP-1559).
 * chainlab's own contract txs are legacy-priced.
 */
export function effectiveGasPrice(
  tx: Pick<ContractTx, 'gasPrice' | 'eth'>,
  baseFee: bigint,
): bigint {
  if (tx.eth === undefined || tx.eth.type !== 2) return tx.gasPrice;
  const tipped = baseFee + tx.eth.maxPriorityFeePerGas;
  return tipped < tx.gasPrice ? tipped : tx.gasPrice;
}
