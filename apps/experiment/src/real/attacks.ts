// What an attack did on the real network, measured from the nodes' logs (LogBook) and the
// block trees, beside the closed forms (docs/experiments.md, "Attacks on real nodes"):
//
// - Selfish mining. α = the pool's share of all blocks mined (withheld ones included). γ =
//   over the ties (the pool matched an honest block with its last private block), the share
//   of the *honest* blocks that resolved the tie which were mined on the pool's block; a tie
//   the pool resolved itself says nothing about γ and is counted apart. Revenue = the pool's
//   share of the main chain, compared with Eyal & Sirer's R(α, γ) at the measured α and γ.
// - Double spend. q = the attacker's share of all blocks mined. An attempt succeeded when
//   its first private block (the one with the conflicting tx) is on the final main chain.
//   Compared with the exact probability of the attacker the node runs (Rosenfeld's model
//   with the give-up bound, boundedDoubleSpend) and, for reference, Rosenfeld's and
//   Nakamoto's unbounded forms, at the measured q.
import {
  boundedDoubleSpend,
  nakamotoDoubleSpend,
  rosenfeldDoubleSpend,
  selfishRevenue,
  type BlockRecord,
  type Scenario,
} from '@chainlab/sim';
import type { LogBook, NodeState } from './nodes.js';

const r4 = (x: number): number => (Number.isFinite(x) ? Number(x.toFixed(4)) : x);

/** The central 99 % interval of Binomial(n, p), in successes: [lo, hi]. */
export function binomialInterval99(n: number, p: number): [number, number] {
  let pmf = Math.pow(1 - p, n);
  let cdf = 0;
  let lo = -1;
  let hi = n;
  for (let k = 0; k <= n; k++) {
    if (k > 0) pmf = p >= 1 ? (k === n ? 1 : 0) : (pmf * (n - k + 1) * p) / (k * (1 - p));
    cdf += pmf;
    if (lo < 0 && cdf >= 0.005) lo = k;
    if (cdf >= 0.995) {
      hi = k;
      break;
    }
  }
  return [Math.max(0, lo), hi];
}

export function measureAttacks(input: {
  scenario: Scenario;
  states: NodeState[];
  book: LogBook;
  records: BlockRecord[];
  mainHashes: Set<string>;
  strategyStatus: Record<string, unknown>;
}): Record<string, unknown> | null {
  const { states, book, records, mainHashes, strategyStatus } = input;
  const attacker = states.find((s) => s.strategy.type !== 'honest');
  if (!attacker) return null;
  const totalMined = book.mined.size;
  let attackerMined = 0;
  for (const m of book.mined.values()) if (m.j === attacker.j) attackerMined++;
  const share = totalMined > 0 ? attackerMined / totalMined : NaN;
  const shareSe = totalMined > 0 ? Math.sqrt((share * (1 - share)) / totalMined) : NaN;
  const main = records.filter((r) => r.parent !== null && mainHashes.has(r.hash));
  const attackerMain = main.filter((r) => r.miner === attacker.id).length;
  const common = {
    node: attacker.id,
    strategy: attacker.strategy.type,
    nominalShare: attacker.share,
    blocksMined: totalMined,
    attackerBlocksMined: attackerMined,
    mainChainBlocks: main.length,
    attackerMainChainBlocks: attackerMain,
    status: strategyStatus[attacker.id] ?? null,
  };

  if (attacker.strategy.type === 'selfish') {
    const byHash = new Map(records.map((r) => [r.hash, r]));
    const children = new Map<string, BlockRecord[]>();
    for (const r of records) {
      if (r.parent === null) continue;
      const list = children.get(r.parent) ?? [];
      list.push(r);
      children.set(r.parent, list);
    }
    const minedAt = (r: BlockRecord) => book.mined.get(r.hash)?.at ?? Infinity;
    let onPool = 0;
    let onHonest = 0;
    let byPool = 0;
    let unresolved = 0;
    for (const tie of book.races) {
      if (!byHash.has(tie.pool) || !byHash.has(tie.honest)) {
        unresolved++;
        continue;
      }
      const next = [...(children.get(tie.pool) ?? []), ...(children.get(tie.honest) ?? [])].sort(
        (a, b) => minedAt(a) - minedAt(b),
      );
      const first = next[0];
      if (!first) unresolved++;
      else if (first.miner === attacker.id) byPool++;
      else if (first.parent === tie.pool) onPool++;
      else onHonest++;
    }
    const resolvedByHonest = onPool + onHonest;
    const gamma = resolvedByHonest > 0 ? onPool / resolvedByHonest : NaN;
    const gammaSe =
      resolvedByHonest > 0 ? Math.sqrt((gamma * (1 - gamma)) / resolvedByHonest) : NaN;
    const revenue = main.length > 0 ? attackerMain / main.length : NaN;
    const revenueSe = main.length > 0 ? Math.sqrt((revenue * (1 - revenue)) / main.length) : NaN;
    const theory = Number.isFinite(gamma) ? selfishRevenue(share, gamma) : NaN;
    return {
      ...common,
      alpha: r4(share),
      alphaStandardError: r4(shareSe),
      ties: book.races.length,
      tiesResolvedByHonestOnPool: onPool,
      tiesResolvedByHonestOnHonest: onHonest,
      tiesResolvedByPool: byPool,
      tiesUnresolved: unresolved,
      gamma: r4(gamma),
      gammaStandardError: r4(gammaSe),
      revenueShare: r4(revenue),
      revenueStandardError: r4(revenueSe),
      eyalSirer: r4(theory),
      deviation: r4(revenue - theory),
    };
  }

  if (attacker.strategy.type === 'double-spend') {
    const z = attacker.strategy.confirmations as number;
    const G = attacker.strategy.giveUpBehind as number;
    const attempts = [...book.attempts.values()].filter((a) => a.j === attacker.j);
    const done = attempts.filter((a) => a.outcome !== null);
    const published = done.filter((a) => a.outcome === 'published').length;
    const succeeded = done.filter((a) => mainHashes.has(a.hash)).length;
    const lateConfirmations = done.filter(
      (a) => a.outcome === 'published' && (a.paymentConfirmations ?? 0) > z,
    ).length;
    const n = done.length;
    const measured = n > 0 ? succeeded / n : NaN;
    const bounded = boundedDoubleSpend(share, z, G);
    const [lo, hi] = n > 0 ? binomialInterval99(n, bounded) : [NaN, NaN];
    return {
      ...common,
      q: r4(share),
      qStandardError: r4(shareSe),
      confirmations: z,
      giveUpBehind: G,
      attempts: attempts.length,
      attemptsFinished: n,
      published,
      gaveUp: done.filter((a) => a.outcome === 'gave up').length,
      succeeded,
      publishedWithMoreConfirmations: lateConfirmations,
      successRate: r4(measured),
      bounded: r4(bounded),
      rosenfeld: r4(rosenfeldDoubleSpend(share, z)),
      nakamoto: r4(nakamotoDoubleSpend(share, z)),
      binomial99: n > 0 ? [lo, hi] : null,
      withinBinomial99: n > 0 ? succeeded >= lo && succeeded <= hi : null,
    };
  }
  return null;
}
