// Double spending, as Rosenfeld models it ("Analysis of hashrate-based double spending",
// 2014): the attacker mines a block holding a tx that pays himself (kept private), then
// pays the victim with a conflicting tx; the honest network puts the payment in its next
// block. The attacker keeps extending his private branch from the fork point. The victim
// hands over the goods after `confirmations` (z) honest blocks; from then on, as soon as the
// private branch is longer than the honest one, the attacker publishes it — the payment is
// reorganised away: a success. He gives up once `giveUpBehind` blocks behind (the chance
// to catch up from d behind is (q/p)^d, so a bound of 20 changes the result by < 10^-3 at
// q ≤ 0.4). Then the next attempt starts on the honest tip.
//
// `doubleSpendDecision` (decisions/double-spend.ts) is the whole decision, a pure function of
// the race state, so that every driver (this simulator strategy, a real node) decides the
// same way.
import { ScenarioError } from '../errors.js';
import { doubleSpendDecision } from '../decisions/double-spend.js';
import type { SimBlock } from '../types.js';
import type { Release, Strategy, StrategyContext, StrategyDef } from './types.js';

export interface DoubleSpendReport {
  attempts: number;
  successes: number;
  confirmations: number;
}

export class DoubleSpendStrategy implements Strategy {
  readonly name = 'double-spend';
  readonly eager = true;
  readonly gamma = 0;
  /** The private branch, lowest first; empty while pre-mining. */
  private branch: SimBlock[] = [];
  private fork: SimBlock | null = null;
  private attempts = 0;
  private successes = 0;

  constructor(
    readonly confirmations: number,
    readonly giveUpBehind: number,
  ) {}

  report(): DoubleSpendReport {
    return {
      attempts: this.attempts,
      successes: this.successes,
      confirmations: this.confirmations,
    };
  }

  miningParent(ctx: StrategyContext): SimBlock {
    return this.branch.length > 0 ? this.branch[this.branch.length - 1]! : ctx.publicTip();
  }

  onMined(ctx: StrategyContext, block: SimBlock): Release[] {
    if (this.branch.length === 0) this.fork = block.parent; // pre-mined: the payment goes out now
    this.branch.push(block);
    return this.decide(ctx);
  }

  onArrival(ctx: StrategyContext, block: SimBlock): Release[] {
    if (block.miner === ctx.self || this.branch.length === 0) return [];
    return this.decide(ctx);
  }

  private decide(ctx: StrategyContext): Release[] {
    const fork = this.fork!;
    const pub = ctx.publicTip();
    const action = doubleSpendDecision({
      honest: Math.max(0, pub.height - fork.height),
      attacker: this.branch.length,
      confirmations: this.confirmations,
      giveUpBehind: this.giveUpBehind,
    });
    if (action === 'wait') return [];
    this.attempts++;
    const out = action === 'publish' ? this.branch.map((block) => ({ block })) : [];
    if (action === 'publish') this.successes++;
    this.branch = [];
    this.fork = null;
    return out;
  }
}

export const doubleSpend: StrategyDef = {
  type: 'double-spend',
  description:
    "Rosenfeld's double spend: pre-mine a conflicting block, pay, publish once longer after `confirmations`; give up `giveUpBehind` blocks behind",
  real: true,
  parse(params, path) {
    for (const key of Object.keys(params)) {
      if (!['type', 'confirmations', 'giveUpBehind'].includes(key))
        throw new ScenarioError(
          `${path}.${key}`,
          'unknown field (expected type, confirmations, giveUpBehind)',
        );
    }
    const z = params.confirmations ?? 6;
    if (typeof z !== 'number' || !Number.isInteger(z) || z < 0 || z > 1000)
      throw new ScenarioError(
        `${path}.confirmations`,
        `must be an integer 0..1000, got ${JSON.stringify(z)}`,
      );
    const bound = params.giveUpBehind ?? 20;
    if (typeof bound !== 'number' || !Number.isInteger(bound) || bound < 1 || bound > 10_000)
      throw new ScenarioError(
        `${path}.giveUpBehind`,
        `must be an integer 1..10000, got ${JSON.stringify(bound)}`,
      );
    return { type: 'double-spend', confirmations: z, giveUpBehind: bound };
  },
  create: (spec) =>
    new DoubleSpendStrategy(spec.confirmations as number, spec.giveUpBehind as number),
};
