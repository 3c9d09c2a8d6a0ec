// The hook between the miner (miner.ts) and an attack strategy. Honest mining needs no
// strategy: the miner builds its template on the tip and submits what it finds. A strategy
// may mine elsewhere (on a private branch) and takes every block the miner finds.
import type { Block } from '@chainlab/core';

export interface MiningStrategy {
  readonly name: string;
  /** The template to mine now at `time`, or null for the honest template on the tip. */
  template(time: number): Block | null;
  /** Whether a template built earlier is still worth finishing (its parent is still ours). */
  isCurrent(template: Block): boolean;
  /** The miner found `block` on a current template: the strategy keeps or publishes it. */
  found(block: Block): Promise<void>;
  /** What /status shows about the strategy (counts, private branch length). */
  status(): Record<string, unknown>;
}

/** How a strategy makes its blocks public: sent to every peer, then stored as any block. */
export type Publish = (blocks: readonly Block[]) => Promise<void>;
