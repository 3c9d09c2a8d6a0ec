// The results of a run, the same for --sim and --real: one record per block, and the
// summary.json every experiment writes. Everything here is a pure function of the records,
// so a seed that reproduces the records reproduces the summary byte for byte.
import type { SimResult } from './engine.js';

export interface BlockRecord {
  hash: string;
  height: number;
  /** Parent hash; null for genesis. */
  parent: string | null;
  /** Id of the node that mined it; null for genesis (or unknown). */
  miner: string | null;
  /** Seconds since the start of the run (simulated or wall clock); null if unknown. */
  minedAt: number | null;
  releasedAt: number | null;
  headerTime: number;
  bits: number;
  /** Expected hashes to find it (2^256 / (target + 1)). */
  work: number;
  txs: number;
  bytes: number;
}

export interface MinerInfo {
  id: string;
  strategy: string;
  /** Share of the initial total hash rate. */
  hashShare: number;
  /** The scenario entry it came from (a `count` group); miners are listed per group past MAX_LISTED_MINERS. */
  group?: string;
}

/** Past this many miners, summary.json lists groups (with a `nodes` count), not every node. */
export const MAX_LISTED_MINERS = 1000;

export interface MinerSummary extends MinerInfo {
  blocksMined: number;
  blocksOnChain: number;
  /** blocksOnChain / main-chain length (genesis excluded). */
  revenueShare: number;
  /** Set when the row is a whole group (more than MAX_LISTED_MINERS miners): its node count. */
  nodes?: number;
}

export interface Summary {
  miners: MinerSummary[];
  /** Mined blocks that are not on the main chain / mined blocks. */
  staleRate: number;
  /** Blocks mined (genesis excluded; stale and withheld ones included). */
  blocks: number;
  /** Stale branches by depth: {"1": 12, "2": 1} — a depth-k branch is a k-block reorg for whoever followed it. */
  reorgDepths: Record<string, number>;
  /** Seconds from publication until a node has the block, over (block, node) pairs. */
  propagation: { p50: number | null; p95: number | null };
  [extra: string]: unknown;
}

/** The main chain from its tip back to genesis: hash → height. */
export function mainChainOf(records: readonly BlockRecord[], tipHash: string): Set<string> {
  const byHash = new Map(records.map((r) => [r.hash, r]));
  const main = new Set<string>();
  for (let h: string | null = tipHash; h !== null;) {
    const r = byHash.get(h);
    if (!r) throw new Error(`main chain: unknown block ${h}`);
    main.add(h);
    h = r.parent;
  }
  return main;
}

/** Depths of the stale branches hanging off the main chain. */
export function staleBranchDepths(
  records: readonly BlockRecord[],
  main: Set<string>,
): Record<string, number> {
  const deepest = new Map<string, number>();
  const byHash = new Map(records.map((r) => [r.hash, r]));
  // Highest first: a block's deepest descendant is known before its parent is visited.
  const sorted = [...records].sort((a, b) => b.height - a.height);
  for (const r of sorted) {
    if (main.has(r.hash)) continue;
    const d = Math.max(deepest.get(r.hash) ?? r.height, r.height);
    deepest.set(r.hash, d);
    if (r.parent !== null && !main.has(r.parent)) {
      deepest.set(r.parent, Math.max(deepest.get(r.parent) ?? 0, d));
    }
  }
  const counts: Record<string, number> = {};
  for (const r of records) {
    if (main.has(r.hash) || r.parent === null || !main.has(r.parent)) continue;
    const depth = deepest.get(r.hash)! - r.height + 1;
    counts[depth] = (counts[depth] ?? 0) + 1;
    void byHash;
  }
  return counts;
}

export interface SummaryInput {
  records: readonly BlockRecord[];
  mainTip: string;
  miners: readonly MinerInfo[];
  propagation: { p50: number | null; p95: number | null };
  extra?: Record<string, unknown>;
}

const round = (x: number, digits = 9): number => Number(x.toPrecision(digits));

export function summarize(input: SummaryInput): Summary {
  const main = mainChainOf(input.records, input.mainTip);
  const mined = new Map<string, number>();
  const onChain = new Map<string, number>();
  let blocks = 0;
  for (const r of input.records) {
    if (r.parent === null) continue;
    blocks++;
    if (r.miner === null) continue;
    mined.set(r.miner, (mined.get(r.miner) ?? 0) + 1);
    if (main.has(r.hash)) onChain.set(r.miner, (onChain.get(r.miner) ?? 0) + 1);
  }
  const chainLength = main.size - 1;
  let miners: Summary['miners'] = input.miners.map((m) => ({
    id: m.id,
    strategy: m.strategy,
    hashShare: round(m.hashShare),
    blocksMined: mined.get(m.id) ?? 0,
    blocksOnChain: onChain.get(m.id) ?? 0,
    revenueShare: chainLength > 0 ? round((onChain.get(m.id) ?? 0) / chainLength) : 0,
  }));
  if (miners.length > MAX_LISTED_MINERS) {
    // 100,000 nodes would make a 17 MB summary: one line per group and strategy instead.
    const byGroup = new Map<string, Summary['miners'][number] & { nodes: number }>();
    input.miners.forEach((m, i) => {
      const row = miners[i]!;
      const key = `${m.group ?? m.id}\u0000${m.strategy}`;
      const g = byGroup.get(key) ?? {
        id: m.group ?? m.id,
        strategy: m.strategy,
        hashShare: 0,
        blocksMined: 0,
        blocksOnChain: 0,
        revenueShare: 0,
        nodes: 0,
      };
      g.hashShare += m.hashShare;
      g.blocksMined += row.blocksMined;
      g.blocksOnChain += row.blocksOnChain;
      g.nodes++;
      byGroup.set(key, g);
    });
    miners = [...byGroup.values()].map((g) => ({
      ...g,
      hashShare: round(g.hashShare),
      revenueShare: chainLength > 0 ? round(g.blocksOnChain / chainLength) : 0,
    }));
  }
  return {
    miners,
    staleRate: blocks > 0 ? round((blocks - chainLength) / blocks) : 0,
    blocks,
    reorgDepths: staleBranchDepths(input.records, main),
    propagation: {
      p50: input.propagation.p50 === null ? null : round(input.propagation.p50),
      p95: input.propagation.p95 === null ? null : round(input.propagation.p95),
    },
    mainChainLength: chainLength,
    ...input.extra,
  };
}

/** The records of a simulated run (times in simulated seconds). */
export function simRecords(result: SimResult): BlockRecord[] {
  const ids = result.scenario.nodes.map((n) => n.id);
  return result.blocks.map((b) => ({
    hash: b.hash,
    height: b.height,
    parent: b.parent?.hash ?? null,
    miner: b.miner >= 0 ? ids[b.miner]! : null,
    minedAt: b.minedAt,
    releasedAt: b.releasedAt === Infinity ? null : b.releasedAt,
    headerTime: b.headerTime,
    bits: b.bits,
    work: b.work,
    txs: b.txs,
    bytes: b.bytes,
  }));
}

/** summary.json of a simulated run. */
export function simSummary(result: SimResult, extra: Record<string, unknown> = {}): Summary {
  const records = simRecords(result);
  const main = mainChainOf(records, result.mainTip.hash);
  const onMain = records.filter((r) => main.has(r.hash) && r.parent !== null);
  const first = onMain[0];
  const last = onMain[onMain.length - 1];
  // Every online node is on a chain with the most work (a tie of equal work counts).
  const converged = result.nodes
    .filter((n) => n.online)
    .every((n) => n.tip.chainwork === result.mainTip.chainwork);
  return summarize({
    records,
    mainTip: result.mainTip.hash,
    miners: result.scenario.nodes.map((n) => ({
      id: n.id,
      strategy: n.strategy.type,
      hashShare: n.hashShare,
      group: n.group,
    })),
    propagation: { p50: result.propagation.quantile(0.5), p95: result.propagation.quantile(0.95) },
    extra: {
      mode: 'sim',
      scenario: result.scenario.name,
      seed: result.scenario.seed,
      nodes: result.nodes.length,
      durationSeconds: round(result.duration),
      meanBlockInterval:
        first && last && onMain.length > 1
          ? round((last.minedAt! - first.minedAt!) / (onMain.length - 1))
          : null,
      tip: { hash: result.mainTip.hash, height: result.mainTip.height },
      converged,
      nodesOnMainTip: result.nodes.filter((n) => n.tip === result.mainTip).length,
      ...strategyReports(result),
      faults: result.faults.map((f) => ({
        time: round(f.time),
        height: f.height,
        event: f.description,
      })),
      ...extra,
    },
  });
}

/** The per-block CSV (header line included); main-chain membership from `mainTip`. */
export function blocksCsv(
  records: readonly BlockRecord[],
  mainTip: string,
  genesisWork: number,
): string {
  let out = '';
  for (const line of blocksCsvLines(records, mainTip, genesisWork)) out += line + '\n';
  return out;
}

/** The per-block CSV line by line (header first): long runs are written without one huge string. */
export function* blocksCsvLines(
  records: readonly BlockRecord[],
  mainTip: string,
  genesisWork: number,
): Generator<string> {
  const main = mainChainOf(records, mainTip);
  yield 'hash,height,parent,miner,minedAt,releasedAt,headerTime,bits,difficulty,onMainChain,txs,bytes';
  for (const r of records) {
    yield [
      r.hash,
      r.height,
      r.parent ?? '',
      r.miner ?? '',
      r.minedAt === null ? '' : round(r.minedAt, 12),
      r.releasedAt === null ? '' : round(r.releasedAt, 12),
      r.headerTime,
      '0x' + r.bits.toString(16).padStart(8, '0'),
      round(r.work / genesisWork),
      main.has(r.hash) ? 1 : 0,
      r.txs,
      r.bytes,
    ].join(',');
  }
}

/** `{strategies: {nodeId: report}}` for nodes whose strategy counts something; else {}. */
function strategyReports(result: SimResult): Record<string, unknown> {
  const out: Record<string, object> = {};
  for (const n of result.nodes) if (n.report) out[n.id] = n.report;
  return Object.keys(out).length > 0 ? { strategies: out } : {};
}
