// Selfish mining, Algorithm 1 of Eyal & Sirer, "Majority is not Enough: Bitcoin Mining is
// Vulnerable" (FC 2014): the pool keeps the blocks it finds private and publishes them only
// to orphan honest blocks. The decisions are decisions/selfish.ts (shared with the node's
// --strategy selfish); this file drives them with simulated blocks. The lead is measured in
// heights against the pool's own view of the public chain (the blocks the network delivered
// to it), so the same code works with propagation delays.
// γ — the share of honest hash power that mines on the pool's block in a race — is a
// property of the network: the engine delivers the pool's race blocks first to each honest
// node with probability γ (see Engine.release).
import { ScenarioError } from '../errors.js';
import {
  selfishOnOwnBlock,
  selfishOnPublicBlock,
  type SelfishDecision,
} from '../decisions/selfish.js';
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
    const leadBefore = (this.privateTip ?? pub).height - pub.height;
    this.branch.push(block);
    return this.apply(selfishOnOwnBlock({ leadBefore, privateBlocks: this.branch.length }));
  }

  onArrival(ctx: StrategyContext, block: SimBlock, before: SimBlock): Release[] {
    if (block.miner === ctx.self) return [];
    const pub = ctx.publicTip();
    if (pub === before || pub.height <= before.height) return [];
    const priv = this.privateTip;
    // Did the public chain grow on top of our own branch (honest nodes mined on our block)?
    let a: SimBlock | null = pub;
    while (priv && a && a.height > priv.height) a = a.parent;
    const decision = selfishOnPublicBlock({
      privateBlocks: this.branch.length,
      lead: priv ? priv.height - pub.height : 0,
      extendsPrivate: priv !== null && a === priv,
      publicHeight: pub.height,
    });
    return this.apply(decision, pub);
  }

  private apply(d: SelfishDecision, race?: SimBlock): Release[] {
    if (d.action === 'wait') return [];
    if (d.action === 'adopt') {
      this.adopt();
      return [];
    }
    const out = this.publishUpTo(d.upToHeight, d.race ? race : undefined);
    if (d.thenAdopt) this.adopt();
    return out;
  }
}

export const selfish: StrategyDef = {
  type: 'selfish',
  description:
    "Eyal & Sirer's selfish mining; gamma (0..1) = share of honest nodes that take the pool's block in a tie",
  real: true,
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
