// chainlab blocks, txs and receipts as Ethereum JSON-RPC shows them (docs/ethereum-tools.md,
// "How a chainlab block looks to Ethereum tools"). Quantities are 0x hex without leading
// zeros, data is 0x hex; the block hash is the chainlab block hash.
import {
  headerWork,
  isTxBlock,
  keccak256,
  fromHex,
  toHex,
  txid as txidOf,
  blockSize,
  type ChainNode,
  type Tx,
} from '@chainlab/core';
import type { Log, Receipt } from '@chainlab/evm';

export const ZERO_32 = '0x' + '0'.repeat(64);
/** keccak-256 of RLP([]): the uncles hash of a block without uncles. */
export const EMPTY_UNCLES_HASH =
  '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347';
/** The root of an empty Merkle-Patricia trie. */
export const EMPTY_TRIE_ROOT = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';

export function qty(n: bigint | number): string {
  return '0x' + BigInt(n).toString(16);
}

/** The Ethereum view of a block's txs: every tx but the coinbase (Ethereum has none). */
export function ethTxsOf(node: ChainNode): Tx[] {
  const block = node.block;
  return isTxBlock(block) ? block.txs.slice(1) : [];
}

/** Ethereum's 2048-bit logs bloom (yellow paper §4.3.1): 3 bits per address and topic. */
export function logsBloom(logs: Log[]): string {
  const bloom = new Uint8Array(256);
  const add = (hex: string) => {
    const h = keccak256(fromHex(hex));
    for (let i = 0; i < 6; i += 2) {
      const bit = ((h[i]! << 8) | h[i + 1]!) & 2047;
      bloom[255 - (bit >> 3)]! |= 1 << (bit & 7);
    }
  };
  for (const l of logs) {
    add(l.address.toLowerCase());
    for (const t of l.topics) add(t);
  }
  return toHex(bloom);
}

export interface TxPosition {
  blockHash: string;
  blockNumber: number;
  index: number;
}

/** One tx as eth_getTransactionByHash answers it (position null: pending). */
export function txView(tx: Tx, pos: TxPosition | null, baseFee: bigint | null) {
  const hash = txidOf(tx);
  const at = {
    blockHash: pos?.blockHash ?? null,
    blockNumber: pos ? qty(pos.blockNumber) : null,
    transactionIndex: pos ? qty(pos.index) : null,
  };
  const sig = typeof tx.sig === 'string' ? tx.sig : '0x' + '0'.repeat(130);
  const r = '0x' + (BigInt('0x' + sig.slice(2, 66)) || 0n).toString(16);
  const s = '0x' + (BigInt('0x' + sig.slice(66, 130)) || 0n).toString(16);
  const yParity = BigInt('0x' + sig.slice(130, 132));
  if (tx.kind !== 'contract') {
    // A level-2 style transfer: no gas, a flat fee; shown as a legacy value transfer.
    return {
      hash,
      ...at,
      type: '0x0',
      from: tx.from,
      to: tx.to,
      value: qty(tx.amount),
      nonce: qty(tx.nonce),
      gas: '0x0',
      gasPrice: '0x0',
      input: '0x',
      chainId: qty(tx.chainId),
      v: qty(yParity),
      r,
      s,
    };
  }
  const type = tx.eth?.type ?? 0;
  const legacyV = tx.eth ? BigInt(tx.chainId) * 2n + 35n + yParity : yParity;
  const view: Record<string, unknown> = {
    hash,
    ...at,
    type: qty(type),
    from: tx.from,
    to: tx.to,
    value: qty(tx.amount),
    nonce: qty(tx.nonce),
    gas: qty(tx.gasLimit),
    input: tx.data,
    chainId: qty(tx.chainId),
    v: type === 0 ? qty(legacyV) : qty(yParity),
    r,
    s,
  };
  if (type === 2) {
    const tip = tx.eth!.maxPriorityFeePerGas;
    view.maxFeePerGas = qty(tx.gasPrice);
    view.maxPriorityFeePerGas = qty(tip);
    // Mined: what it paid per gas; pending: its cap, as geth shows.
    const paid =
      baseFee === null ? tx.gasPrice : baseFee + tip < tx.gasPrice ? baseFee + tip : tx.gasPrice;
    view.gasPrice = qty(paid);
  } else view.gasPrice = qty(tx.gasPrice);
  if (type !== 0) {
    view.accessList = tx.eth!.accessList;
    view.yParity = qty(yParity);
  }
  return view;
}

/** A receipt as eth_getTransactionReceipt answers it. */
export function receiptView(tx: Tx, receipt: Receipt, pos: TxPosition, logIndexBase: number) {
  const logs = receipt.logs.map((l, i) => logView(l, pos, receipt.txid, logIndexBase + i, false));
  return {
    transactionHash: receipt.txid,
    transactionIndex: qty(pos.index),
    blockHash: pos.blockHash,
    blockNumber: qty(pos.blockNumber),
    from: tx.from,
    to: tx.to,
    cumulativeGasUsed: qty(receipt.cumulativeGasUsed),
    gasUsed: qty(receipt.gasUsed),
    effectiveGasPrice: qty(receipt.effectiveGasPrice ?? 0n),
    contractAddress: receipt.contractAddress,
    logs,
    logsBloom: logsBloom(receipt.logs),
    status: qty(receipt.status),
    type: qty(tx.kind === 'contract' ? (tx.eth?.type ?? 0) : 0),
  };
}

export function logView(
  l: Log,
  pos: TxPosition,
  txHash: string,
  logIndex: number,
  removed: boolean,
) {
  return {
    address: l.address,
    topics: l.topics,
    data: l.data,
    blockNumber: qty(pos.blockNumber),
    blockHash: pos.blockHash,
    transactionHash: txHash,
    transactionIndex: qty(pos.index),
    logIndex: qty(logIndex),
    removed,
  };
}

export interface BlockExtras {
  receipts: Receipt[];
  baseFee: bigint;
  gasUsed: bigint;
  gasLimit: bigint;
}

/** A block as eth_getBlockByNumber/ByHash answers it. */
export function blockView(node: ChainNode, extras: BlockExtras, fullTxs: boolean) {
  const block = node.block;
  const txs = ethTxsOf(node);
  const first = isTxBlock(block) ? block.txs[0] : undefined;
  const coinbase = first?.kind === 'coinbase' ? first : undefined;
  const allLogs = extras.receipts.flatMap((r) => r.logs);
  const receiptsRoot =
    extras.receipts.length === 0
      ? EMPTY_TRIE_ROOT
      : toHex(
          keccak256(
            new TextEncoder().encode(
              JSON.stringify(
                extras.receipts.map((r) => [r.txid, r.status, r.cumulativeGasUsed.toString()]),
              ),
            ),
          ),
        );
  const pos = (i: number): TxPosition => ({
    blockHash: node.hash,
    blockNumber: node.height,
    index: i,
  });
  return {
    number: qty(node.height),
    hash: node.hash,
    parentHash: node.header.prevHash,
    nonce: '0x' + node.header.nonce.toString(16).padStart(16, '0'),
    mixHash: ZERO_32,
    sha3Uncles: EMPTY_UNCLES_HASH,
    logsBloom: logsBloom(allLogs),
    transactionsRoot: node.header.merkleRoot,
    stateRoot: coinbase?.data ?? ZERO_32,
    receiptsRoot,
    miner: coinbase?.to ?? '0x' + '0'.repeat(40),
    difficulty: qty(headerWork(node.header.bits)),
    totalDifficulty: qty(node.chainwork),
    extraData: '0x',
    size: qty(blockSize(block)),
    gasLimit: qty(extras.gasLimit),
    gasUsed: qty(extras.gasUsed),
    timestamp: qty(node.header.time),
    baseFeePerGas: qty(extras.baseFee),
    transactions: fullTxs
      ? txs.map((tx, i) => txView(tx, pos(i), extras.baseFee))
      : txs.map((tx) => txidOf(tx)),
    uncles: [],
  };
}
