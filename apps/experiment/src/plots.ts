// The plots of one run, from its block records (same for --sim and --real).
import { mainChainOf, type BlockRecord, type Summary } from '@chainlab/sim';
import { maxOf } from './extent.js';
import { barChart, lineChart, type Series } from './svg.js';

export interface RunInfo {
  records: readonly BlockRecord[];
  mainTip: string;
  summary: Summary;
  /** Target block interval, seconds. */
  interval: number;
  /** Work of a genesis-difficulty block: difficulty is plotted relative to it. */
  genesisWork: number;
  faults: readonly { time: number; event: string }[];
  /** 'simulated' or 'wall-clock'. */
  clock: string;
}

/** Main-chain blocks with a known mining time, lowest first (genesis excluded). */
export function mainChainBlocks(run: Pick<RunInfo, 'records' | 'mainTip'>): BlockRecord[] {
  const main = mainChainOf(run.records, run.mainTip);
  return run.records
    .filter((r) => r.parent !== null && main.has(r.hash) && r.minedAt !== null)
    .sort((a, b) => a.height - b.height);
}

/** Picks a time unit that keeps axis numbers readable. */
export function timeUnit(maxSeconds: number): { div: number; name: string } {
  if (maxSeconds > 3 * 86_400) return { div: 86_400, name: 'days' };
  if (maxSeconds > 3 * 3600) return { div: 3600, name: 'hours' };
  if (maxSeconds > 300) return { div: 60, name: 'minutes' };
  return { div: 1, name: 'seconds' };
}

/** At most `max` evenly spread points (plots of 100,000 blocks stay small). */
export function thin<T>(xs: readonly T[], max = 1500): T[] {
  if (xs.length <= max) return [...xs];
  const step = xs.length / max;
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(xs[Math.floor(i * step)]!);
  out.push(xs[xs.length - 1]!);
  return out;
}

export function runPlots(run: RunInfo): Record<string, string> {
  const chain = mainChainBlocks(run);
  const end = Math.max(
    1,
    maxOf(chain, (b) => b.minedAt!),
  );
  const unit = timeUnit(end);
  const markers = run.faults.map((f) => ({ x: f.time / unit.div, label: f.event.slice(0, 40) }));
  const plots: Record<string, string> = {};

  plots['difficulty.svg'] = lineChart({
    title: 'Difficulty of the main chain',
    xLabel: `time (${run.clock} ${unit.name})`,
    yLabel: 'difficulty / genesis difficulty',
    series: [
      {
        name: 'difficulty',
        points: thin(chain).map((b) => [b.minedAt! / unit.div, b.work / run.genesisWork]),
      },
    ],
    markers,
    yMin: 0,
  });

  // Moving average of block intervals.
  const window = Math.max(5, Math.min(100, Math.floor(chain.length / 40)));
  const avg: [number, number][] = [];
  for (let i = window; i < chain.length; i++) {
    avg.push([
      chain[i]!.minedAt! / unit.div,
      (chain[i]!.minedAt! - chain[i - window]!.minedAt!) / window,
    ]);
  }
  plots['block-intervals.svg'] = lineChart({
    title: `Block interval (moving average of ${window} blocks)`,
    xLabel: `time (${run.clock} ${unit.name})`,
    yLabel: 'seconds per block',
    series: [
      { name: `measured (${window}-block average)`, points: thin(avg) },
      {
        name: `target ${run.interval} s`,
        points: [
          [0, run.interval],
          [end / unit.div, run.interval],
        ],
        dashed: true,
        color: '#555',
      },
    ],
    markers,
    yMin: 0,
  });

  // Hash share vs revenue share: per miner, or per group/strategy when there are many.
  const miners = run.summary.miners.filter((m) => m.hashShare > 0 || m.blocksMined > 0);
  let cats: string[];
  let hash: number[];
  let revenue: number[];
  if (miners.length <= 30) {
    cats = miners.map((m) => `${m.id} (${m.strategy})`);
    hash = miners.map((m) => m.hashShare);
    revenue = miners.map((m) => m.revenueShare);
  } else {
    const by = new Map<string, { h: number; r: number }>();
    for (const m of miners) {
      const key = m.strategy;
      const e = by.get(key) ?? { h: 0, r: 0 };
      e.h += m.hashShare;
      e.r += m.revenueShare;
      by.set(key, e);
    }
    cats = [...by.keys()].map((k) => `${k} (all)`);
    hash = [...by.values()].map((e) => e.h);
    revenue = [...by.values()].map((e) => e.r);
  }
  plots['revenue.svg'] = barChart({
    title: 'Hash share vs share of main-chain blocks',
    yLabel: 'share',
    categories: cats,
    series: [
      { name: 'hash share', values: hash },
      { name: 'revenue share', values: revenue },
    ],
  });
  return plots;
}

export type { Series };
