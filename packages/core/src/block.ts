// Blocks: the JSON codec, the canonical size, payload item ids, the genesis block, and the
// context-free sanity rules (btcd's CheckBlockSanity): everything that can be checked
// from the block alone, before knowing its parent.
import { ensure, RuleError } from './errors.js';
import { blockHash, headerShapeError } from './header.js';
import { bitsToTarget, checkProofOfWork } from './pow.js';
import { merkleRoot, merkleRootBytes } from './merkle.js';
import { hashToDisplay, sha256d } from './hash.js';
import { utf8 } from './bytes.js';
import {
  createCoinbase,
  encodeTx,
  parseTx,
  txHash,
  txToJson,
  type SignatureCache,
  checkTxSignature,
} from './tx.js';
import { checkContractTx } from './contract-tx.js';
import type { Block, ChainSpec, DataBlock, Header, Tx, TxBlock } from './types.js';
import { isTxBlock } from './types.js';

export const ZERO_HASH = '0x' + '0'.repeat(64);

// ---- payload ids and size ----

/** Id of a level-1 data item: SHA-256d of its UTF-8 bytes (internal order). */
export function dataItemHash(item: string): Uint8Array {
  return sha256d(utf8(item));
}

export function payloadHashes(block: Pick<DataBlock, 'data'> | Pick<TxBlock, 'txs'>): Uint8Array[] {
  return 'txs' in block ? block.txs.map(txHash) : block.data.map(dataItemHash);
}

export function payloadMerkleRoot(block: Pick<DataBlock, 'data'> | Pick<TxBlock, 'txs'>): string {
  return hashToDisplay(merkleRootBytes(payloadHashes(block)));
}

/** Bitcoin's CompactSize length prefix, counted for the canonical block size. */
export function varintSize(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

/**
 * Canonical size in bytes: header, item count, then each item (data: length-prefixed UTF-8;
 * tx: its full signed encoding). This is what maxBlockBytes limits.
 */
export function blockSize(block: Block): number {
  let size = 80;
  if (isTxBlock(block)) {
    size += varintSize(block.txs.length);
    for (const tx of block.txs) {
      const n = encodeTx(tx).length;
      size += varintSize(n) + n;
    }
  } else {
    size += varintSize(block.data.length);
    for (const item of block.data) {
      const n = utf8(item).length;
      size += varintSize(n) + n;
    }
  }
  return size;
}

// ---- construction ----

/** The genesis block a spec defines. Its proof of work is not checked: the spec is the trust root. */
export function genesisBlock(spec: ChainSpec): Block {
  const g = spec.genesis;
  const partial =
    spec.level === 1
      ? { data: [...g.data] }
      : {
          txs: Object.entries(g.allocations).map(([address, amount], i) =>
            createCoinbase(address, amount, i, spec.chainId),
          ),
        };
  const header: Header = {
    version: g.version,
    prevHash: ZERO_HASH,
    merkleRoot: payloadMerkleRoot(partial),
    time: g.time,
    bits: g.bits,
    nonce: g.nonce,
  };
  return { hash: blockHash(header), height: 0, header, ...partial } as Block;
}

/** A block with its header's merkle root and hash filled in from its payload. */
export function assembleBlock(
  fields: {
    height: number;
    prevHash: string;
    time: number;
    bits: number;
    nonce?: number;
    version?: number;
  },
  payload: { data: string[] } | { txs: Tx[] },
): Block {
  const header: Header = {
    version: fields.version ?? 1,
    prevHash: fields.prevHash,
    merkleRoot: payloadMerkleRoot(payload),
    time: fields.time,
    bits: fields.bits,
    nonce: fields.nonce ?? 0,
  };
  return { hash: blockHash(header), height: fields.height, header, ...payload } as Block;
}

/** The same block with another nonce (and so another hash). */
export function withNonce<B extends Block>(block: B, nonce: number): B {
  const header = { ...block.header, nonce };
  return { ...block, header, hash: blockHash(header) };
}

// ---- JSON ----

export function blockToJson(block: Block): Record<string, unknown> {
  const base = { hash: block.hash, height: block.height, header: { ...block.header } };
  return isTxBlock(block)
    ? { ...base, txs: block.txs.map(txToJson) }
    : { ...base, data: [...block.data] };
}

/**
 * Parses untrusted block JSON for a chain of `spec`'s level. Recomputes the hash from
 * the header: a block whose claimed hash differs is malformed.
 */
export function parseBlock(json: unknown, spec: ChainSpec): Block {
  ensure(
    typeof json === 'object' && json !== null && !Array.isArray(json),
    'MALFORMED_BLOCK',
    'block must be a JSON object',
  );
  const j = json as Record<string, unknown>;
  const shape = headerShapeError(j.header);
  ensure(shape === null, 'MALFORMED_BLOCK', shape ?? '');
  ensure(
    typeof j.height === 'number' &&
      Number.isInteger(j.height) &&
      j.height >= 0 &&
      j.height <= 0xffffffff,
    'MALFORMED_BLOCK',
    'height must be a non-negative integer',
  );
  const h = j.header as Record<string, unknown>;
  // Frozen: its hash is computed here once and remembered for the sanity rules.
  const header: Header = Object.freeze({
    version: h.version as number,
    prevHash: (h.prevHash as string).toLowerCase(),
    merkleRoot: (h.merkleRoot as string).toLowerCase(),
    time: h.time as number,
    bits: h.bits as number,
    nonce: h.nonce as number,
  });
  const hash = blockHash(header);
  if (j.hash !== undefined) {
    ensure(
      typeof j.hash === 'string' && j.hash.toLowerCase() === hash,
      'MALFORMED_BLOCK',
      `hash does not match the header (header hashes to ${hash})`,
    );
  }
  if (spec.level === 1) {
    ensure(Array.isArray(j.data), 'MALFORMED_BLOCK', 'a level-1 block carries "data": [strings]');
    ensure(j.txs === undefined, 'MALFORMED_BLOCK', 'a level-1 block carries no "txs"');
    ensure(
      j.data.every((d) => typeof d === 'string'),
      'BAD_DATA_ITEM',
      'every data item must be a string',
    );
    return { hash, height: j.height, header, data: [...(j.data as string[])] };
  }
  ensure(Array.isArray(j.txs), 'MALFORMED_BLOCK', 'a level-2 block carries "txs": [tx]');
  ensure(j.data === undefined, 'MALFORMED_BLOCK', 'a level-2 block carries no "data"');
  const txs = j.txs.map((t) => parseTx(t, { maxAmount: spec.maxAmount, level: spec.level }));
  return { hash, height: j.height, header, txs };
}

// ---- sanity rules ----

export interface SanityOptions {
  /** Verified signatures are remembered here, so each tx is verified once. */
  sigCache?: SignatureCache;
  /** Skip signature checks for blocks this node validated before (restart from storage). */
  skipSignatures?: boolean;
}

/** Rules that need nothing but the block and the spec. Throws a RuleError naming the rule. */
export function checkBlockSanity(block: Block, spec: ChainSpec, options: SanityOptions = {}): void {
  let target: bigint;
  try {
    target = bitsToTarget(block.header.bits);
  } catch (e) {
    throw new RuleError('BAD_BITS', (e as Error).message);
  }
  ensure(
    target <= bitsToTarget(spec.powLimitBits),
    'BAD_BITS',
    'target is easier than the chain allows',
  );
  ensure(
    blockHash(block.header) === block.hash,
    'MALFORMED_BLOCK',
    'hash does not match the header',
  );
  ensure(
    checkProofOfWork(block.hash, block.header.bits),
    'HIGH_HASH',
    `hash ${block.hash} is above its target`,
  );

  const size = blockSize(block);
  ensure(
    size <= spec.maxBlockBytes,
    'BLOCK_TOO_LARGE',
    `block is ${size} bytes, the limit is ${spec.maxBlockBytes}`,
  );

  if (spec.level === 1) {
    ensure(!isTxBlock(block), 'MALFORMED_BLOCK', 'level-1 chains carry data items, not txs');
    const seen = new Set<string>();
    for (const item of block.data) {
      const n = utf8(item).length;
      ensure(
        n <= spec.maxDataItemBytes,
        'BAD_DATA_ITEM',
        `a data item is ${n} bytes, the limit is ${spec.maxDataItemBytes}`,
      );
      // Duplicates would make two different payloads share a merkle root (CVE-2012-2459).
      ensure(!seen.has(item), 'BAD_DATA_ITEM', 'duplicate data item in one block');
      seen.add(item);
    }
  } else {
    ensure(isTxBlock(block), 'MALFORMED_BLOCK', 'level-2 chains carry txs, not data items');
    checkTxsSanity(block.txs, spec, options);
  }
  ensure(
    payloadMerkleRoot(block) === block.header.merkleRoot,
    'BAD_MERKLE_ROOT',
    'merkle root does not match the payload',
  );
}

function checkTxsSanity(txs: Tx[], spec: ChainSpec, options: SanityOptions): void {
  ensure(
    txs.length > 0 && txs[0]!.kind === 'coinbase',
    'NO_COINBASE',
    'the first tx must be the coinbase',
  );
  // Level 3: the coinbase commits to the post-state (its `data` is the state root, checked
  // when the block is executed); levels 1–2 have no state root.
  const root = txs[0]!.data;
  if (spec.level >= 3)
    ensure(
      root !== undefined,
      'BAD_COINBASE',
      'a level-3 coinbase carries the state root in "data"',
    );
  else ensure(root === undefined, 'BAD_COINBASE', 'only a level-3 coinbase carries data');
  const seen = new Set<string>();
  txs.forEach((tx, i) => {
    ensure(i === 0 || tx.kind !== 'coinbase', 'MULTIPLE_COINBASE', `tx ${i} is a second coinbase`);
    ensure(
      tx.chainId === spec.chainId,
      'WRONG_CHAIN',
      `tx ${i} is for chain ${tx.chainId}, not ${spec.chainId}`,
    );
    const id = hashToDisplay(txHash(tx));
    ensure(!seen.has(id), 'DUPLICATE_TX', `tx ${id} appears twice`);
    seen.add(id);
    if (tx.kind === 'contract') {
      ensure(
        spec.level >= 3,
        'TX_NOT_ALLOWED',
        `tx ${i} is a contract tx: they need a level-3 chain`,
      );
      checkContractTx(tx, spec);
    }
    if (tx.kind !== 'coinbase' && !options.skipSignatures) checkTxSignature(tx, options.sigCache);
  });
}

export { merkleRoot };
