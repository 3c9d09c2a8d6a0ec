// The mining-strategy interface. A strategy decides, for one node, which block to mine on
// and when to publish the blocks it finds. Honest mining publishes at once on the best
// block it knows; selfish mining withholds. Add a strategy: write a StrategyDef and list it
// in strategies/index.ts.
import type { SimBlock } from '../types.js';

export interface StrategyContext {
  /** This node's index. */
  readonly self: number;
  /** Current simulated time. */
  now(): number;
  /**
   * The best published block this node has received — most work, the first seen of equal
   * work (core's fork choice), as the network delivered it.
   */
  publicTip(): SimBlock;
}

export interface Release {
  block: SimBlock;
  /**
   * Set when the block is published to match `race`, an honest block of the same height:
   * then the network's tie-break (γ) may favour it (see the engine's release()).
   */
  race?: SimBlock;
}

export interface Strategy {
  readonly name: string;
  /**
   * True if the strategy must see every block delivered to its node, in delivery order
   * (onArrival). That costs one event per block, so only a few nodes should be eager.
   */
  readonly eager: boolean;
  /** γ: the share of honest nodes that take this strategy's race blocks first (0..1). */
  readonly gamma: number;
  /** The block this node mines on now. */
  miningParent(ctx: StrategyContext): SimBlock;
  /** This node found `block` (on miningParent()); which blocks to publish now. */
  onMined(ctx: StrategyContext, block: SimBlock): Release[];
  /** Eager only: `block` was delivered; `before` was the public tip before it. */
  onArrival?(ctx: StrategyContext, block: SimBlock, before: SimBlock): Release[];
  /** What the strategy counted (e.g. double-spend attempts), copied into the summary. */
  report?(): object;
}

export type StrategySpec = { type: string } & Record<string, unknown>;

export interface StrategyDef {
  readonly type: string;
  readonly description: string;
  /** Validates the parameters; throws ScenarioError-like errors naming `path`. */
  parse(params: Record<string, unknown>, path: string): StrategySpec;
  create(spec: StrategySpec): Strategy;
  /** Whether --real can run it (the node has a --strategy of that name). */
  readonly real: boolean;
}
