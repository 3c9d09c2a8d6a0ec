// What the explorer shows about one block: its payload decoded (txids, fees, coinbase),
// its size, and its proof of work explained (hash vs target, leading zero bits, expected
// hashes). Pure functions over block JSON, built on @chainlab/core's own rules.
import {
  bitsToTarget,
  blockSize,
  builtinSpec,
  dataItemHash,
  hashToDisplay,
  hashToNumber,
  headerWork,
  leadingZeroBits,
  MAX_U128,
  parseBlock,
  txid,
  txToJson,
  type Block,
  type ChainSpec,
  type Tx,
} from '@chainlab/core';

export interface BlockJson {
  hash: string;
  height: number;
  header: {
    version: number;
    prevHash: string;
    merkleRoot: string;
    time: number;
    bits: number;
    nonce: number;
  };
  data?: string[];
  txs?: Record<string, unknown>[];
}

export interface PowInfo {
  bits: string;
  target: string;
  /** The hash read as a number must be ≤ the target. */
  meetsTarget: boolean;
  hashLeadingZeroBits: number;
  targetLeadingZeroBits: number;
  /** Expected hashes to find a block at this target: 2^256 / (target + 1), decimal. */
  expectedHashes: string;
  /** log2 of the expected hashes: "about 2^n tries". */
  log2ExpectedHashes: number;
  /** Difficulty relative to the easiest target the chain allows (its pow limit); 1 = easiest. */
  difficulty: number | null;
  /** hash / target as a float: below 1 means the block is valid. */
  hashToTargetRatio: number;
}

export interface DataItemView {
  index: number;
  id: string;
  text: string;
  bytes: number;
}

export interface TxView {
  index: number;
  txid: string;
  kind: 'coinbase' | 'transfer' | 'contract';
  from: string | null;
  to: string | null;
  amount: string;
  fee: string;
  nonce: number;
  chainId: number;
  sig: string | null;
  data?: string;
  gasLimit?: string;
  gasPrice?: string;
}

export interface BlockAnalysis {
  size: number | null;
  pow: PowInfo | null;
  items: DataItemView[] | null;
  txs: TxView[] | null;
  /** Σ fees of the block's transfers (level ≥ 2). */
  fees: string | null;
  coinbase: { to: string; amount: string } | null;
  /** Why the payload could not be decoded (the raw JSON is still shown). */
  decodeError?: string;
}

/** A spec that parses any block of a level: the amount limit is the format's own (u128). */
function parsingSpec(level: number): ChainSpec {
  const name = level === 1 ? 'devnet-data' : level === 3 ? 'devnet-contracts' : 'devnet';
  const base = builtinSpec(name) ?? builtinSpec('devnet')!;
  return { ...base, level: level as ChainSpec['level'], maxAmount: MAX_U128 };
}

const bitCount = (n: bigint): number => (n === 0n ? 0 : n.toString(2).length);

function float(n: bigint): number {
  // Number(n) loses precision, never magnitude: fine for display.
  return Number(n);
}

export function powInfo(hash: string, bits: number, powLimitBits?: number): PowInfo | null {
  let target: bigint;
  try {
    target = bitsToTarget(bits);
  } catch {
    return null;
  }
  const h = hashToNumber(hash);
  const work = headerWork(bits);
  let difficulty: number | null = null;
  if (powLimitBits !== undefined) {
    try {
      difficulty =
        float((bitsToTarget(powLimitBits) * 1_000_000n) / (target === 0n ? 1n : target)) / 1e6;
    } catch {
      difficulty = null;
    }
  }
  return {
    bits: '0x' + bits.toString(16).padStart(8, '0'),
    target: '0x' + target.toString(16).padStart(64, '0'),
    meetsTarget: h <= target,
    hashLeadingZeroBits: leadingZeroBits(hash),
    targetLeadingZeroBits: 256 - bitCount(target),
    expectedHashes: work.toString(),
    log2ExpectedHashes: Math.round(Math.log2(float(work) || 1) * 100) / 100,
    difficulty,
    hashToTargetRatio: target === 0n ? Infinity : float(h) / float(target),
  };
}

function txView(tx: Tx, index: number): TxView {
  // The tx's wire JSON (core's codec: amounts as decimal strings), plus what the explorer adds.
  return { index, txid: txid(tx), kind: tx.kind, ...txToJson(tx) };
}

/** The id of a level-1 data item (SHA-256d of its UTF-8 bytes, display order). */
export function dataItemId(item: string): string {
  return hashToDisplay(dataItemHash(item));
}

export function analyzeBlock(json: BlockJson, level: number, powLimitBits?: number): BlockAnalysis {
  const pow = powInfo(json.hash, json.header.bits, powLimitBits);
  let block: Block;
  try {
    block = parseBlock(json, parsingSpec(level));
  } catch (e) {
    return {
      size: null,
      pow,
      items: null,
      txs: null,
      fees: null,
      coinbase: null,
      decodeError: (e as Error).message,
    };
  }
  const size = blockSize(block);
  if ('data' in block) {
    const items = block.data.map((text, index) => ({
      index,
      id: dataItemId(text),
      text,
      bytes: Buffer.byteLength(text, 'utf8'),
    }));
    return { size, pow, items, txs: null, fees: null, coinbase: null };
  }
  const txs = block.txs.map(txView);
  let fees = 0n;
  for (const tx of block.txs) if (tx.kind !== 'coinbase') fees += tx.fee;
  const cb = block.txs[0]?.kind === 'coinbase' ? block.txs[0] : undefined;
  return {
    size,
    pow,
    items: null,
    txs,
    fees: fees.toString(),
    coinbase: cb && cb.to ? { to: cb.to, amount: cb.amount.toString() } : null,
  };
}
