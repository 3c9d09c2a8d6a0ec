// The result of a real run, from what the nodes logged and what they hold at the end:
// propagation delays, hash rates, the end-of-run checks (one tip, most work, nothing lost
// across a crash), the attack measurement and the same summary the simulator writes.
import type { ChainSpec } from '@chainlab/core';
import { DelayCounter, summarize, type BlockRecord, type Scenario } from '@chainlab/sim';
import { maxOf } from '../extent.js';
import { measureAttacks } from './attacks.js';
import type { Cluster } from './cluster.js';
import type { CollectedChain } from './collect.js';
import type { FaultInjector } from './faults.js';
import { getJson } from './http.js';
import type { AckedItem } from './load.js';
import type { LogBook, NodeState } from './nodes.js';
import type { RealResult } from './runner.js';

export interface RunFacts {
  scenario: Scenario;
  spec: ChainSpec;
  genesisWork: number;
  cluster: Cluster;
  faults: FaultInjector;
  acked: AckedItem[];
  chain: CollectedChain;
  converged: boolean;
  duration: number;
  stoppedBy: string;
  warnings: string[];
  params?: Record<string, unknown>;
}

export async function report(f: RunFacts): Promise<RealResult> {
  const { scenario, cluster, chain, converged } = f;
  const { states, book } = cluster;
  const { records, mainTip, mainHashes, items } = chain;
  const delays = propagationDelays(book, states, f.faults.times);
  const lostItems = f.acked.filter((a) => !states[a.j]!.everKilled && !items.has(a.item)).length;
  const ackedByKilled = f.acked.filter((a) => states[a.j]!.everKilled);
  const hashrates: Record<string, number> = {};
  for (const s of states) {
    // The highest rate seen (each sample averages 3 s): what the cap allowed at full speed.
    if (s.hashrates.length > 0) hashrates[s.id] = maxOf(s.hashrates, (h) => h);
  }
  const finalTips = await Promise.all(cluster.online().map((s) => cluster.tipOf(s)));
  const attack = measureAttacks({
    scenario,
    states,
    book,
    records,
    mainHashes,
    strategyStatus: await strategyStatus(cluster),
  });
  const warnings = [...new Set(f.warnings)];
  const summary = summarize({
    records,
    mainTip: mainTip.hash,
    miners: scenario.nodes.map((node) => ({
      id: node.id,
      strategy: node.strategy.type,
      hashShare: node.hashShare,
    })),
    propagation: { p50: delays.quantile(0.5), p95: delays.quantile(0.95) },
    extra: {
      mode: 'real',
      scenario: scenario.name,
      seed: scenario.seed,
      nodes: states.length,
      durationSeconds: Number(f.duration.toFixed(3)),
      meanBlockInterval: meanBlockInterval(records, mainHashes),
      tip: { hash: mainTip.hash, height: chain.tree.get(mainTip.hash)?.height ?? null },
      converged,
      nodesOnMainTip: finalTips.filter((t) => t.hash === mainTip.hash).length,
      faults: f.faults.log.map((x) => ({ time: Number(x.time.toFixed(3)), event: x.event })),
      checks: {
        allNodesOnOneTip: converged,
        tipHasMostWork: converged && mainTip.chainwork === chain.maxWork,
        restartsChecked: f.faults.checks.restartsChecked,
        blocksMissingAfterRestart: f.faults.checks.lostBlocks,
        dataItemsAcknowledged: f.acked.length,
        dataItemsLost: lostItems,
        dataItemsAcknowledgedByCrashedNodes: ackedByKilled.length,
        dataItemsAcknowledgedByCrashedNodesOnChain: ackedByKilled.filter((a) => items.has(a.item))
          .length,
        faultErrors: f.faults.checks.errors,
      },
      hashrates,
      ...(attack ? { attack } : {}),
      stoppedBy: f.stoppedBy,
      ...(warnings.length > 0 ? { warnings } : {}),
      ...(f.params ? { params: f.params } : {}),
    },
  });
  return {
    records,
    summary,
    mainTip: mainTip.hash,
    spec: f.spec,
    genesisWork: f.genesisWork,
    faults: f.faults.log,
    info: {
      totalHashrate: scenario.real.totalHashrate,
      genesisWork: f.genesisWork,
      hashrates,
      warnings,
    },
  };
}

/** Propagation: miner's connect time → each other node's, unless a fault came in between. */
function propagationDelays(book: LogBook, states: NodeState[], faultTimes: number[]): DelayCounter {
  const delays = new DelayCounter();
  for (const [hash, m] of book.mined) {
    const from = states[m.j]!.connected.get(hash) ?? m.at;
    for (const s of states) {
      if (s.j === m.j) continue;
      const at = s.connected.get(hash);
      if (at === undefined || at < from) continue;
      if (faultTimes.some((ft) => ft > from && ft <= at)) continue;
      delays.add((at - from) / 1000);
    }
  }
  return delays;
}

/** Seconds between the first and the last main-chain block mined in the run, per block. */
function meanBlockInterval(records: BlockRecord[], mainHashes: Set<string>): number | null {
  const onMain = records
    .filter((r) => mainHashes.has(r.hash) && r.parent !== null && r.minedAt !== null)
    .sort((a, b) => a.height - b.height);
  if (onMain.length <= 1) return null;
  return Number(
    ((onMain[onMain.length - 1]!.minedAt! - onMain[0]!.minedAt!) / (onMain.length - 1)).toFixed(3),
  );
}

/** The attackers' own counts (GET /status) beside what their logs and the trees show. */
async function strategyStatus(cluster: Cluster): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const s of cluster.online()) {
    if (s.strategy.type === 'honest') continue;
    const st = await getJson<{ strategy?: unknown }>(`${s.service!.url}/status`).catch(() => null);
    if (st?.strategy) out[s.id] = st.strategy;
  }
  return out;
}
