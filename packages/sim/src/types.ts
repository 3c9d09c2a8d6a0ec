// What the simulator knows about a block beyond the block itself.
import type { ChainNode } from '@chainlab/core';

export interface SimBlock {
  /** Creation order, 0 = genesis: the block's id inside the simulator. */
  readonly seq: number;
  readonly hash: string;
  readonly height: number;
  readonly parent: SimBlock | null;
  /** Index of the node that mined it; -1 for genesis. */
  readonly miner: number;
  /** Simulated seconds since genesis at which it was found. */
  readonly minedAt: number;
  /** When its miner published it (Infinity while withheld). */
  releasedAt: number;
  /**
   * Publication order (0 = genesis; Infinity while withheld). Of blocks that reach a node at
   * the same instant, the one published first is seen first.
   */
  releaseSeq: number;
  /** Work of this block and Σ over it and its ancestors (exact: sim difficulties are small). */
  readonly work: number;
  readonly chainwork: number;
  readonly bits: number;
  readonly headerTime: number;
  /** Transactions it carries (simulated load) and its size in bytes. */
  readonly txs: number;
  /** Σ txs over the block and its ancestors. */
  readonly cumTxs: number;
  readonly bytes: number;
  /** The block as the shared core Chain holds it. */
  readonly node: ChainNode;
  /** Expected hashes for a child of this block (its next bits, by the retarget rule); lazy. */
  childWork: number;
}
