// Transactions as JSON (docs/protocol.md): txToJson, and parseTx for untrusted input.
import { isHex } from './bytes.js';
import { RuleError } from './errors.js';
import { parseAddress } from './address.js';
import { MAX_U128 } from './coins.js';
import { decodeEthTx } from './eth-tx.js';
import type { SignatureBackend } from './sig-cache.js';
import type { LevelNumber, CoinbaseTx, ContractTx, TransferTx, Tx } from './types.js';
import { checkData, checkNonce, checkTxAmounts, checkU32 } from './tx-fields.js';
import { TX_SIG_BYTES } from './tx-codec.js';

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
  level?: LevelNumber;
  /** Faster secp256k1 for recovering an Ethereum tx's sender (default @noble/secp256k1). */
  sigBackend?: SignatureBackend;
  /**
   * Take an Ethereum tx's `from` as given instead of recovering it from the signature. Only
   * for txs a trusted party already authenticated (a node's own mempool, whose signature
   * checks the node takes as its own); the other fields are still checked against `raw`.
   */
  trustSender?: boolean;
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
    return parseEthTxJson(j, opts.maxAmount ?? MAX_U128, opts.sigBackend, opts.trustSender);
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
  trustSender = false,
): ContractTx {
  for (const key of Object.keys(j)) {
    if (!ETH_VIEW_KEYS.includes(key))
      throw new RuleError('MALFORMED_TX', `unknown field ${JSON.stringify(key.slice(0, 40))}`);
  }
  if (typeof j.raw !== 'string')
    throw new RuleError('MALFORMED_TX', 'raw must be 0x-prefixed hex of the signed tx');
  const sender = trustSender && typeof j.from === 'string' ? { trusted: j.from } : backend;
  const tx = decodeEthTx(j.raw.toLowerCase(), sender);
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
