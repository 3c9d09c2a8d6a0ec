// Where a tx or a data item is, as the explorer knows it: the blocks of the chain index
// that hold it, the one on the best chain, and its status once the mempool's view (for
// txs not in a best-chain block) is added.
import type { DataItemView } from './analysis.js';
import type { ChainIndex, IndexedBlock } from './chain-index.js';

export type TxStatus = 'confirmed' | 'pending' | 'stale';

export interface TxInChain {
  /** Every indexed block holding it (best chain and side branches). */
  blocks: IndexedBlock[];
  /** The best-chain block holding it, if any. */
  activeBlock: IndexedBlock | undefined;
  inBlocks: { hash: string; height: number; onBestChain: boolean; confirmations: number }[];
  /** Level 1: the data item with that id. */
  item: DataItemView | undefined;
}

export function locateTx(index: ChainIndex, id: string): TxInChain {
  const blocks = [...(index.items.get(id) ?? [])].map((h) => index.blocks.get(h)!).filter(Boolean);
  return {
    blocks,
    activeBlock: blocks.find((b) => index.isActive(b.json.hash)),
    inBlocks: blocks.map((b) => ({
      hash: b.json.hash,
      height: b.json.height,
      onBestChain: index.isActive(b.json.hash),
      confirmations: index.confirmations(b.json.hash),
    })),
    item: blocks.flatMap((b) => b.analysis.items ?? []).find((i) => i.id === id),
  };
}

/**
 * In a best-chain block: confirmed. Otherwise the mempool decides: pending while it holds
 * the tx, confirmed if its chain has it; stale when only side branches hold it.
 */
export function txStatus(inBestChain: boolean, mempoolStatus: string | null | undefined): TxStatus {
  if (inBestChain) return 'confirmed';
  if (mempoolStatus === 'confirmed') return 'confirmed';
  if (mempoolStatus !== null && mempoolStatus !== undefined) return 'pending';
  return 'stale';
}
