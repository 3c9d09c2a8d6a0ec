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

/** A release of withheld blocks, as /status shows it (the explorer marks them). */
export interface Release {
  /** ms epoch. */
  at: number;
  action: string;
  hashes: string[];
}

/** The last releases (bounded: /status stays small), newest last. */
export class RecentReleases {
  private readonly list: Release[] = [];
  constructor(private readonly max = 20) {}

  add(action: string, blocks: readonly Block[]): void {
    this.list.push({ at: Date.now(), action, hashes: blocks.map((b) => b.hash) });
    if (this.list.length > this.max) this.list.shift();
  }

  toJson(): Release[] {
    return this.list.map((r) => ({ ...r, hashes: [...r.hashes] }));
  }
}

/** Heights of the blocks a strategy still withholds, [lowest, highest], or null. */
export function withheldHeights(blocks: readonly Block[]): [number, number] | null {
  return blocks.length === 0 ? null : [blocks[0]!.height, blocks[blocks.length - 1]!.height];
}
