// Each node's mining strategy and what it is told: the context it reads (its public tip),
// and for eager strategies (selfish) a view of their own, updated on every delivery, since
// they act on each block as it arrives.
import type { Scenario } from './scenario.js';
import {
  strategyDef,
  type Release,
  type Strategy,
  type StrategyContext,
} from './strategies/index.js';
import type { SimBlock } from './types.js';
import { beats, type TipView } from './views.js';

export class StrategyNodes {
  private readonly strategies: Strategy[];
  private readonly contexts: StrategyContext[];
  /** The eager nodes, in index order. */
  readonly eager: number[] = [];
  private readonly eagerViews = new Map<number, TipView>();

  constructor(
    nodes: Scenario['nodes'],
    genesis: SimBlock,
    now: () => number,
    /** A non-eager node's public tip at a time (the views' closed formula). */
    lightTip: (j: number, t: number) => SimBlock,
  ) {
    this.strategies = nodes.map((node) => strategyDef(node.strategy.type).create(node.strategy));
    this.contexts = this.strategies.map((s, j) => ({
      self: j,
      now,
      publicTip: () => (s.eager ? this.eagerViews.get(j)!.tip : lightTip(j, now())),
    }));
    this.strategies.forEach((s, j) => {
      if (s.eager) {
        this.eager.push(j);
        this.eagerViews.set(j, { tip: genesis, arr: -Infinity, first: 0 });
      }
    });
  }

  isEager(j: number): boolean {
    return this.strategies[j]!.eager;
  }

  /** γ of node j's strategy. */
  gamma(j: number): number {
    return this.strategies[j]!.gamma;
  }

  miningParent(j: number): SimBlock {
    return this.strategies[j]!.miningParent(this.contexts[j]!);
  }

  onMined(j: number, block: SimBlock): Release[] {
    return this.strategies[j]!.onMined(this.contexts[j]!, block);
  }

  /**
   * Block `b` reached eager node `e` at `a` (γ-first: `f`): its view takes it if it wins.
   * Returns the block the view had before.
   */
  deliver(e: number, b: SimBlock, a: number, f: number): SimBlock {
    const view = this.eagerViews.get(e)!;
    const before = view.tip;
    if (beats(b, a, f, view.tip, view.arr, view.first)) {
      view.tip = b;
      view.arr = a;
      view.first = f;
    }
    return before;
  }

  /** What an eager strategy publishes on a delivery (null: it has no onArrival). */
  onArrival(e: number, b: SimBlock, before: SimBlock): Release[] | null {
    const strategy = this.strategies[e]!;
    return strategy.onArrival ? strategy.onArrival(this.contexts[e]!, b, before) : null;
  }

  /** An eager node's own view of its tip. */
  eagerTip(j: number): SimBlock {
    return this.eagerViews.get(j)!.tip;
  }

  report(j: number): object | null {
    return this.strategies[j]!.report?.() ?? null;
  }
}
