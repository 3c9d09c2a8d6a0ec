// A private branch: blocks this node mined on top of `fork` and keeps to itself. They are
// not in the block store (peers polling /tip or /tree must not see them); to build the next
// template on them, each gets a stand-in ChainNode whose parent chain leads back to the
// fork, so core's blockTemplate applies the retarget and median-time-past rules exactly as
// for a stored block.
import { headerWork, type Block, type ChainNode } from '@chainlab/core';

export class PrivateBranch {
  readonly blocks: Block[] = [];
  private readonly nodes: ChainNode[] = [];

  constructor(readonly fork: ChainNode) {}

  get length(): number {
    return this.blocks.length;
  }

  /** The block to mine on: the last private block, or the fork. */
  get tip(): ChainNode {
    return this.nodes[this.nodes.length - 1] ?? this.fork;
  }

  /** Adds a block mined on `tip`. */
  push(block: Block): void {
    const parent = this.tip;
    if (block.header.prevHash !== parent.hash)
      throw new Error(`private block ${block.hash} is not on the private tip ${parent.hash}`);
    this.blocks.push(block);
    this.nodes.push({
      hash: block.hash,
      height: block.height,
      header: block.header,
      block,
      parent,
      chainwork: parent.chainwork + headerWork(block.header.bits),
      seq: -1,
      children: [],
      status: 'accepted',
    });
  }
}
