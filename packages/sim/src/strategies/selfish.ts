// Selfish mining, Algorithm 1 of Eyal & Sirer, "Majority is not Enough: Bitcoin Mining is
// Vulnerable" (FC 2014). The pool keeps the blocks it finds private and publishes them only
// to orphan honest blocks:
//
//   pool finds a block:      Δprev = 0 and the private branch now has 2 blocks (the race
//                            state 0' was won) → publish it all; else keep it private
//   others find a block:     Δprev = 0 → adopt the public chain
//                            Δprev = 1 → publish the private block: a race (γ decides)
//                            Δprev = 2 → publish everything: the private chain wins
//                            Δprev > 2 → publish the first unpublished block
//
// Δprev is the private chain's lead over the public one before the honest block. Here the
// lead is measured in heights against the pool's own view of the public chain (the blocks
// the network delivered to it), so the same code works with propagation delays.
// γ — the share of honest hash power that mines on the pool's block in a race — is a
// property of the network: the engine delivers the pool's race blocks first to each honest
// node with probability γ (see Engine.release).
import { ScenarioError } from '../errors.js';
import type { SimBlock } from '../types.js';
import type { Release, Strategy, StrategyContext, StrategyDef } from './types.js';

export class SelfishStrategy implements Strategy {
  readonly name = 'selfish';
  readonly eager = true;
  /** Own blocks since the fork with the public chain, lowest first. */
  private branch: SimBlock[] = [];
  /** How many of `branch` (a prefix) are published. */
  private published = 0;

  constructor(readonly gamma: number) {}

  private get privateTip(): SimBlock | null {
    return this.branch.length > 0 ? this.branch[this.branch.length - 1]! : null;
  }

  /** Blocks found and still withheld. */
  get withheld(): number {
    return this.branch.length - this.published;
  }

  miningParent(ctx: StrategyContext): SimBlock {
    return this.privateTip ?? ctx.publicTip();
  }

  private publishUpTo(height: number, race?: SimBlock): Release[] {
    const out: Release[] = [];
    while (this.published < this.branch.length && this.branch[this.published]!.height <= height) {
      const block = this.branch[this.published++]!;
      out.push(race && block.height === race.height ? { block, race } : { block });
    }
    return out;
  }

  private adopt(): void {
    this.branch = [];
    this.published = 0;
  }

  onMined(ctx: StrategyContext, block: SimBlock): Release[] {
    const pub = ctx.publicTip();
    const before = this.privateTip ?? pub;
    const deltaPrev = before.height - pub.height;
    this.branch.push(block);
    if (deltaPrev === 0 && this.branch.length === 2) {
      // The race (state 0') is won: publish, and the pool's chain becomes the public one.
      const out = this.publishUpTo(Infinity);
      this.adopt();
      return out;
    }
    return [];
  }

  onArrival(ctx: StrategyContext, block: SimBlock, before: SimBlock): Release[] {
    if (block.miner === ctx.self) return [];
    const pub = ctx.publicTip();
    if (pub === before || pub.height <= before.height) return [];
    const priv = this.privateTip;
    if (!priv) return [];
    // The public chain grew on top of our own branch (honest nodes mined on our block).
    let a: SimBlock | null = pub;
    while (a && a.height > priv.height) a = a.parent;
    if (a === priv) {
      this.adopt();
      return [];
    }
    const lead = priv.height - pub.height;
    if (lead < 0) {
      this.adopt();
      return [];
    }
    if (lead === 0) return this.publishUpTo(Infinity, pub); // Δprev = 1: race
    if (lead === 1) {
      const out = this.publishUpTo(Infinity); // Δprev = 2: override
      this.adopt();
      return out;
    }
    return this.publishUpTo(pub.height, pub); // Δprev > 2: match the honest height
  }
}

export const selfish: StrategyDef = {
  type: 'selfish',
  description:
    "Eyal & Sirer's selfish mining; gamma (0..1) = share of honest nodes that take the pool's block in a tie",
  real: false,
  parse(params, path) {
    for (const key of Object.keys(params)) {
      if (key !== 'type' && key !== 'gamma')
        throw new ScenarioError(`${path}.${key}`, 'unknown field (expected type, gamma)');
    }
    const gamma = params.gamma ?? 0;
    if (typeof gamma !== 'number' || !(gamma >= 0 && gamma <= 1)) {
      throw new ScenarioError(
        `${path}.gamma`,
        `must be a number in 0..1, got ${JSON.stringify(gamma)}`,
      );
    }
    return { type: 'selfish', gamma };
  },
  create: (spec) => new SelfishStrategy(spec.gamma as number),
};
