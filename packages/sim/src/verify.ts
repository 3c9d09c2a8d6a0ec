// Verify mode (sim.verify, --verify): every node also owns a full core Chain, fed with the
// same deliveries as the fast views, and the engine checks each time a node mines that
// core's tip equals the views' formula. Slow; tests run small scenarios this way.
import { Chain, NoState, type ChainSpec } from '@chainlab/core';
import type { Arrivals } from './arrivals.js';
import type { SimBlock } from './types.js';

export class CoreVerifier {
  private readonly chains: Chain[] = [];
  /** Per node, the seqs of the blocks its Chain has been given. */
  private readonly delivered: Set<number>[] = [];
  /** Per node, the index in releasedOrder below which everything was delivered. */
  private readonly deliveredLow: number[] = [];
  private readonly releasedOrder: SimBlock[] = [];

  constructor(
    spec: ChainSpec,
    n: number,
    genesis: SimBlock,
    private readonly ids: readonly string[],
    private readonly genesisTime: number,
    private readonly arrivals: Arrivals,
  ) {
    for (let j = 0; j < n; j++) {
      this.chains.push(new Chain(spec, new NoState()));
      this.delivered.push(new Set([0]));
      this.deliveredLow.push(1);
    }
    this.releasedOrder.push(genesis);
  }

  /** Block `b` was published (after its arrivals are known). */
  released(b: SimBlock): void {
    this.releasedOrder.push(b);
  }

  /** Node j mined `b`: its own Chain has it at once. */
  deliverOwn(j: number, b: SimBlock): void {
    const r = this.chains[j]!.processBlock(b.node.block, { now: b.headerTime });
    if (r.status === 'invalid')
      throw new Error(`verify: node ${this.ids[j]} refused its own block: ${r.error?.message}`);
    this.delivered[j]!.add(b.seq);
  }

  /**
   * Feeds node j's core Chain every block that reached it by `t`, in arrival order, and
   * checks its tip against `lightTip` (null: nothing to check — an eager or offline node).
   * True when a tip was checked.
   */
  verifyNode(j: number, t: number, lightTip: SimBlock | null): boolean {
    const chain = this.chains[j]!;
    const delivered = this.delivered[j]!;
    const due: { b: SimBlock; a: number; f: number }[] = [];
    for (let i = this.deliveredLow[j]!; i < this.releasedOrder.length; i++) {
      const b = this.releasedOrder[i]!;
      if (delivered.has(b.seq)) continue;
      const net = this.arrivals.get(b.seq)!;
      const a = net.arr[j]!;
      if (a <= t) due.push({ b, a, f: net.first?.[j] ?? 0 });
    }
    due.sort((x, y) => x.a - y.a || y.f - x.f || x.b.releaseSeq - y.b.releaseSeq);
    // A block that arrives at the same instant as its parent (a γ-first race block) is
    // handled right after it, as core does when it adopts an orphan.
    const order: SimBlock[] = [];
    const pending = new Set(due.map((d) => d.b.seq));
    const take = (b: SimBlock): void => {
      if (!pending.has(b.seq)) return;
      pending.delete(b.seq);
      if (b.parent) take(b.parent);
      order.push(b);
    };
    for (const { b } of due) take(b);
    for (const b of order) {
      const r = chain.processBlock(b.node.block, { now: this.genesisTime + Math.floor(t) + 1 });
      if (r.status === 'invalid' || r.status === 'orphan') {
        const p = b.parent!;
        throw new Error(
          `verify: node ${this.ids[j]} got block ${b.seq} (arrival ${this.arrivals.get(b.seq)!.arr[j]}) as ${r.status}: ` +
            `${r.error?.message ?? `parent ${p.seq} missing (arrival ${this.arrivals.get(p.seq)?.arr[j]}, delivered ${delivered.has(p.seq)}, released ${p.releasedAt})`}`,
        );
      }
      delivered.add(b.seq);
    }
    while (
      this.deliveredLow[j]! < this.releasedOrder.length &&
      delivered.has(this.releasedOrder[this.deliveredLow[j]!]!.seq)
    ) {
      this.deliveredLow[j]!++;
    }
    if (!lightTip) return false;
    if (chain.tip.hash !== lightTip.hash) {
      throw new Error(
        `verify: at t=${t} node ${this.ids[j]}'s core Chain has tip ${chain.tip.hash} (height ${chain.tip.height}) ` +
          `but the simulator's view says ${lightTip.hash} (height ${lightTip.height})`,
      );
    }
    return true;
  }
}
