// txid → block of the active chain, for /confirmations and /tx. Built once from the
// chain at start, then kept current on every tip event: the txs of disconnected blocks
// leave, those of connected blocks enter (in that order, so a tx mined again on the new
// branch ends up pointing at its new block).
import {
  isTxBlock,
  txid,
  type Block,
  type Chain,
  type ChainNode,
  type Reorg,
} from '@chainlab/core';

const idsOf = new WeakMap<Block, string[]>();

/** The txids of a block's txs (coinbase first), computed once per block object. */
export function blockTxIds(block: Block): string[] {
  let ids = idsOf.get(block);
  if (!ids) {
    ids = isTxBlock(block) ? block.txs.map((tx) => txid(tx)) : [];
    idsOf.set(block, ids);
  }
  return ids;
}

export class TxIndex {
  private readonly blockOf = new Map<string, string>();

  constructor(private readonly chain: Chain) {
    for (let h = 0; h <= chain.height; h++) this.connect(chain.atHeight(h)!);
  }

  get size(): number {
    return this.blockOf.size;
  }

  onReorg(reorg: Reorg): void {
    for (const node of reorg.disconnected) {
      for (const id of blockTxIds(node.block))
        if (this.blockOf.get(id) === node.hash) this.blockOf.delete(id);
    }
    for (const node of reorg.connected) this.connect(node);
  }

  /** The active block that contains `id`, if any. */
  lookup(id: string): ChainNode | undefined {
    const hash = this.blockOf.get(id.toLowerCase());
    const node = hash === undefined ? undefined : this.chain.get(hash);
    return node && this.chain.isActive(node) ? node : undefined;
  }

  private connect(node: ChainNode): void {
    for (const id of blockTxIds(node.block)) this.blockOf.set(id, node.hash);
  }
}
