// Comparisons of measured results with the published closed forms, per built-in analysis
// kind (scenario field `analysis`), and their plots. Every comparison reports the measured
// value, the prediction, the deviation and a standard error derived from the sample size.
import {
  bitcoinFirstRetargetAfterDrop,
  bitcoinRetargetSteadyState,
  selfishRevenue,
  staleRateEstimate,
  staleRateEstimateFinite,
  staleRateRenewal,
  type AnalysisKind,
  type BlockRecord,
  type Scenario,
  type Summary,
} from '@chainlab/sim';
import { bitcoinNetworkAnalysis } from './bitcoin-network-analysis.js';
import { doubleSpendAnalysis } from './double-spend-analysis.js';
import { maxOf } from './extent.js';
import { lineChart, type Series } from './svg.js';
import { mainChainBlocks, thin, timeUnit } from './plots.js';

export interface RunOutcome {
  label: string;
  params: Record<string, unknown>;
  scenario: Scenario;
  summary: Summary;
  records: readonly BlockRecord[];
  mainTip: string;
  interval: number;
  genesisWork: number;
}

export interface Analysis {
  /** Rows comparing measurement and theory (written to comparison.json). */
  rows: Record<string, unknown>[];
  plots: Record<string, string>;
  /** A short text table for the terminal and docs. */
  table: string;
}

const r4 = (x: number): number => Number(x.toFixed(4));
const r6 = (x: number): number => Number(x.toPrecision(6));

export function table(rows: Record<string, unknown>[], cols: string[]): string {
  const cells = [cols, ...rows.map((r) => cols.map((c) => String(r[c] ?? '')))];
  const widths = cols.map((_, i) => maxOf(cells, (row) => row[i]!.length));
  const line = (row: string[]) => '| ' + row.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [
    line(cells[0]!),
    '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|',
    ...cells.slice(1).map(line),
  ].join('\n');
}

/** Batch-means standard error of the share of main-chain blocks mined by `miner`. */
function batchShareSe(run: RunOutcome, miners: Set<string>, batches = 20): number {
  const chain = mainChainBlocks(run);
  const size = Math.floor(chain.length / batches);
  if (size < 10) return NaN;
  const shares: number[] = [];
  for (let b = 0; b < batches; b++) {
    let k = 0;
    for (let i = b * size; i < (b + 1) * size; i++) if (miners.has(chain[i]!.miner ?? '')) k++;
    shares.push(k / size);
  }
  const mean = shares.reduce((a, x) => a + x, 0) / batches;
  const sd = Math.sqrt(shares.reduce((a, x) => a + (x - mean) ** 2, 0) / (batches - 1));
  return sd / Math.sqrt(batches);
}

// ---- selfish mining ----

export function selfishPoint(run: RunOutcome) {
  const pool = run.scenario.nodes.find((n) => n.strategy.type === 'selfish');
  if (!pool)
    throw new Error(`${run.label}: the selfish-mining analysis needs a node with strategy selfish`);
  const alpha = pool.hashShare;
  const gamma = (pool.strategy.gamma as number) ?? 0;
  const honest = run.scenario.nodes.filter((n) => n.strategy.type === 'honest' && n.hashShare > 0);
  // The miner of the honest block in a race keeps mining on it, so the share of honest
  // power that can switch is 1 − Σ (s_j/(1−α))².
  const gammaEff = gamma * (1 - honest.reduce((a, n) => a + (n.hashShare / (1 - alpha)) ** 2, 0));
  const m = run.summary.miners.find((x) => x.id === pool.id)!;
  const L = Number(run.summary.mainChainLength);
  const R = m.revenueShare;
  const seBinomial = Math.sqrt((R * (1 - R)) / L);
  const seBatch = batchShareSe(run, new Set([pool.id]));
  const se = Math.max(seBinomial, Number.isNaN(seBatch) ? 0 : seBatch);
  const theory = selfishRevenue(alpha, gamma);
  const theoryEff = selfishRevenue(alpha, gammaEff);
  return { alpha, gamma, gammaEff, R, theory, theoryEff, seBinomial, seBatch, se, L };
}

function selfishAnalysis(runs: RunOutcome[]): Analysis {
  const pts = runs.map((r) => ({ run: r, ...selfishPoint(r) }));
  const rows = pts.map((p) => ({
    alpha: r4(p.alpha),
    gamma: r4(p.gamma),
    mainChainBlocks: p.L,
    measured: r4(p.R),
    eyalSirer: r4(p.theory),
    eyalSirerAtGammaEff: r4(p.theoryEff),
    gammaEff: r4(p.gammaEff),
    deviation: r4(p.R - p.theoryEff),
    standardError: r4(p.se),
    z: Number(((p.R - p.theoryEff) / p.se).toFixed(2)),
    honestShare: r4(p.alpha),
  }));
  const gammas = [...new Set(pts.map((p) => p.gamma))].sort((a, b) => a - b);
  const series: Series[] = [];
  gammas.forEach((g, i) => {
    const color = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'][i % 5]!;
    const curve: [number, number][] = [];
    for (let a = 0; a <= 0.5001; a += 0.005) curve.push([a, Math.max(0, selfishRevenue(a, g))]);
    series.push({ name: `Eyal–Sirer, γ = ${g}`, points: curve, color });
    const mine = pts.filter((p) => p.gamma === g);
    series.push({
      name: `simulated, γ = ${g}`,
      points: mine.map((p) => [p.alpha, p.R]),
      errors: mine.map((p) => 2 * p.se),
      style: 'points',
      color,
    });
  });
  series.push({
    name: 'honest mining (R = α)',
    points: [
      [0, 0],
      [0.5, 0.5],
    ],
    dashed: true,
    color: '#555',
  });
  const plots = {
    'selfish-revenue.svg': lineChart({
      title: 'Selfish mining: pool revenue vs hash share',
      xLabel: 'pool hash share α',
      yLabel: 'pool share of main-chain blocks',
      series,
      xMin: 0,
      xMax: 0.5,
      yMin: 0,
      yMax: 0.8,
      legend: 'top-left',
    }),
  };
  return {
    rows,
    plots,
    table: table(rows, [
      'alpha',
      'gamma',
      'mainChainBlocks',
      'measured',
      'eyalSirer',
      'eyalSirerAtGammaEff',
      'deviation',
      'standardError',
      'z',
    ]),
  };
}

// ---- stale rate ----

function fixedDelaySeconds(s: Scenario): number | null {
  const d = s.network.delay;
  return s.network.links.length === 0 && s.network.topology.kind === 'mesh' && d.kind === 'fixed'
    ? d.ms / 1000
    : null;
}

export function stalePoint(run: RunOutcome) {
  const delay = fixedDelaySeconds(run.scenario) ?? run.summary.propagation.p50 ?? 0;
  const T = run.interval;
  const miners = run.scenario.nodes.filter((n) => n.hashShare > 0);
  const ownShare = miners.reduce((a, n) => a + n.hashShare ** 2, 0); // share of the miner of a random block, averaged
  const N = run.summary.blocks;
  const p = run.summary.staleRate;
  const se = Math.sqrt((p * (1 - p)) / N);
  return {
    delay,
    T,
    ratio: delay / T,
    p,
    N,
    se,
    theory: staleRateEstimate(delay, T),
    theoryFinite: staleRateEstimateFinite(delay, T, ownShare),
    renewal: staleRateRenewal(delay, T),
  };
}

function staleAnalysis(runs: RunOutcome[]): Analysis {
  const pts = runs.map(stalePoint).sort((a, b) => a.ratio - b.ratio);
  const rows = pts.map((p) => ({
    delaySeconds: r6(p.delay),
    intervalSeconds: p.T,
    delayOverInterval: r4(p.ratio),
    blocks: p.N,
    measured: r4(p.p),
    oneMinusExp: r4(p.theory),
    oneMinusExpOwnShareRemoved: r4(p.theoryFinite),
    deviation: r4(p.p - p.theory),
    standardError: r4(p.se),
    z: Number(((p.p - p.theory) / p.se).toFixed(2)),
    renewal: r4(p.renewal),
    zRenewal: Number(((p.p - p.renewal) / p.se).toFixed(2)),
  }));
  const maxX = maxOf(pts, (p) => p.ratio) * 1.05;
  const curve = (f: (x: number) => number): [number, number][] => {
    const out: [number, number][] = [];
    for (let i = 0; i <= 200; i++) out.push([(maxX * i) / 200, f((maxX * i) / 200)]);
    return out;
  };
  const own = pts[0]
    ? pts[0].theoryFinite === pts[0].theory
      ? 0
      : 1 - Math.log(1 - pts[0].theoryFinite) / Math.log(1 - pts[0].theory)
    : 0;
  const plots = {
    'stale-rate.svg': lineChart({
      title: 'Stale rate vs propagation delay',
      xLabel: 'propagation delay / block interval',
      yLabel: 'stale rate',
      series: [
        { name: '1 − e^(−d/T)', points: curve((x) => 1 - Math.exp(-x)) },
        {
          name: '1 − e^(−(1−s)d/T), own share s removed',
          points: curve((x) => 1 - Math.exp(-(1 - own) * x)),
          dashed: true,
        },
        { name: '(d/T) / (1 + d/T), renewal', points: curve((x) => x / (1 + x)), color: '#2ca02c' },
        {
          name: 'simulated (±2 SE)',
          points: pts.map((p) => [p.ratio, p.p]),
          errors: pts.map((p) => 2 * p.se),
          style: 'points',
          color: '#d62728',
        },
      ],
      xMin: 0,
      yMin: 0,
      legend: 'top-left',
    }),
  };
  return {
    rows,
    plots,
    table: table(rows, [
      'delaySeconds',
      'delayOverInterval',
      'blocks',
      'measured',
      'oneMinusExp',
      'standardError',
      'z',
      'renewal',
      'zRenewal',
    ]),
  };
}

// ---- difficulty shock ----

interface ShockInfo {
  height: number;
  /** Total hash share after the shock (before: 1). */
  after: number;
}

function shockOf(s: Scenario): ShockInfo {
  const f = s.faults.find((x) => x.kind === 'hashShare');
  if (!f || f.kind !== 'hashShare' || !('height' in f.at))
    throw new Error('the difficulty-shock analysis needs a hashShare fault at a height');
  let total = 0;
  for (const n of s.nodes) total += f.shares[n.id] ?? n.hashShare;
  return { height: f.at.height, after: total };
}

function ruleName(s: Scenario): { name: string; window: number | null } {
  const r = (s.chain.retarget ?? { rule: 'lwma', windowBlocks: 30 }) as {
    rule: string;
    windowBlocks?: number;
  };
  return {
    name: r.windowBlocks ? `${r.rule} (N = ${r.windowBlocks})` : r.rule,
    window: r.windowBlocks ?? null,
  };
}

export function shockPoint(run: RunOutcome) {
  const shock = shockOf(run.scenario);
  const rule = ruleName(run.scenario);
  const N = rule.window ?? 1;
  const chain = mainChainBlocks(run);
  const rel = (b: BlockRecord) => b.work / run.genesisWork;
  const before = chain.filter(
    (b) => b.height > Math.max(3 * N, shock.height - 10 * N) && b.height <= shock.height,
  );
  const settle = shock.height + 3 * N;
  const after = chain.filter((b) => b.height > settle);
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
  const dBefore = mean(before.map(rel));
  const dAfter = mean(after.map(rel));
  // Standard error of the settled mean: per retarget window (bitcoin: one value per window,
  // independent of the last) or per batch of 10N blocks (lwma: a feedback loop whose
  // errors persist well beyond one window), batches treated as independent.
  const isBitcoin = rule.name.startsWith('bitcoin');
  const batchSize = isBitcoin ? N : 10 * N;
  const batches: number[] = [];
  for (let i = 0; i + batchSize <= after.length; i += batchSize)
    batches.push(mean(after.slice(i, i + batchSize).map(rel)));
  const bm = mean(batches);
  const se =
    batches.length > 1
      ? Math.sqrt(
          batches.reduce((a, x) => a + (x - bm) ** 2, 0) / (batches.length - 1) / batches.length,
        )
      : NaN;
  const intervalAfter =
    after.length > 1
      ? (after[after.length - 1]!.minedAt! - after[0]!.minedAt!) / (after.length - 1)
      : NaN;
  // Time the first N blocks after the shock took, against N·T.
  const firstN = chain.filter((b) => b.height > shock.height && b.height <= shock.height + N);
  const shockBlock = chain.find((b) => b.height === shock.height);
  const firstWindowSeconds =
    firstN.length === N && shockBlock
      ? firstN[firstN.length - 1]!.minedAt! - shockBlock.minedAt!
      : NaN;
  const bitcoin = isBitcoin ? bitcoinRetargetSteadyState(N) : null;
  // Bitcoin: the first retarget after the shock, against its expectation.
  let firstRetarget: { height: number; measured: number; expected: number } | null = null;
  if (isBitcoin && shockBlock) {
    const h = Math.ceil((shock.height + 1) / N) * N;
    const at = chain.find((b) => b.height === h);
    if (at) {
      const T = run.interval;
      const k = shock.height - (h - N);
      firstRetarget = {
        height: h,
        measured: at.work / shockBlock.work,
        expected: bitcoinFirstRetargetAfterDrop(
          N,
          k,
          shock.after,
          shockBlock.work,
          run.genesisWork / T,
          T,
        ),
      };
    }
  }
  // Blocks after the shock until the difficulty (a 45-block moving average, to smooth
  // LWMA's per-block noise) is within 10% of where it settles.
  const target = (bitcoin ? shock.after * bitcoin.mean : shock.after) * 1.1;
  const smooth = Math.min(N, 45);
  let recovery: number | null = null;
  const win: number[] = [];
  for (const b of chain.filter((x) => x.height > shock.height)) {
    win.push(rel(b));
    if (win.length > smooth) win.shift();
    if (win.length === smooth && mean(win) <= target) {
      recovery = b.height - shock.height;
      break;
    }
  }
  return {
    rule: rule.name,
    window: N,
    shockHeight: shock.height,
    hashAfter: shock.after,
    dBefore,
    dAfter,
    ratio: dAfter / dBefore,
    se,
    expectedLevelAfter: bitcoin ? shock.after * bitcoin.mean : shock.after,
    intervalAfter,
    expectedIntervalAfter: bitcoin ? run.interval * bitcoin.mean : run.interval,
    firstWindowSeconds,
    firstRetarget,
    recovery,
    chain,
  };
}

function shockAnalysis(runs: RunOutcome[]): Analysis {
  const pts = runs.map((r) => ({ run: r, ...shockPoint(r) }));
  const rows = pts.map((p) => ({
    rule: p.rule,
    shockAtHeight: p.shockHeight,
    hashRateAfter: r4(p.hashAfter),
    difficultyBefore: r4(p.dBefore),
    difficultyAfterSettled: r4(p.dAfter),
    ratio: r4(p.ratio),
    expectedRatio: r4(p.hashAfter),
    expectedLevelAfter: r4(p.expectedLevelAfter),
    standardError: r4(p.se),
    z: Number(((p.dAfter - p.expectedLevelAfter) / p.se).toFixed(2)),
    meanIntervalAfter: r4(p.intervalAfter),
    expectedIntervalAfter: r4(p.expectedIntervalAfter),
    firstWindowAfterShockSeconds: r4(p.firstWindowSeconds),
    firstWindowAtTarget: p.window * p.run.interval,
    firstRetargetAfterShock: p.firstRetarget ? r4(p.firstRetarget.measured) : null,
    firstRetargetExpected: p.firstRetarget ? r4(p.firstRetarget.expected) : null,
    blocksUntilWithin10pct: p.recovery,
  }));
  const maxN = maxOf(pts, (p) => p.window);
  const xMin = -2 * maxN;
  const xMax = Math.min(
    5 * maxN,
    maxOf(pts, (p) => p.chain[p.chain.length - 1]!.height - p.shockHeight),
  );
  const level = pts[0]?.hashAfter ?? 0.5;
  /** Difficulty and interval series between heights [from, to] after the shock, smoothed over `avgDiff`/`avgInt` blocks. */
  const curves = (
    from: number,
    to: number,
    avgInt: number,
    smoothDifficulty: (p: (typeof pts)[number]) => number,
  ) => {
    const diff: Series[] = [];
    const ints: Series[] = [];
    for (const p of pts) {
      const seg = p.chain.filter(
        (b) => b.height - p.shockHeight >= from - avgInt && b.height - p.shockHeight <= to,
      );
      const w = Math.max(1, smoothDifficulty(p));
      const d: [number, number][] = [];
      let sum = 0;
      for (let i = 0; i < seg.length; i++) {
        sum += seg[i]!.work / p.run.genesisWork;
        if (i >= w) sum -= seg[i - w]!.work / p.run.genesisWork;
        if (i >= w - 1 && seg[i]!.height - p.shockHeight >= from)
          d.push([seg[i]!.height - p.shockHeight, sum / w]);
      }
      diff.push({ name: w > 1 ? `${p.rule} (${w}-block average)` : p.rule, points: thin(d) });
      const iv: [number, number][] = [];
      for (let i = avgInt; i < seg.length; i++) {
        if (seg[i]!.height - p.shockHeight >= from)
          iv.push([
            seg[i]!.height - p.shockHeight,
            (seg[i]!.minedAt! - seg[i - avgInt]!.minedAt!) / avgInt / p.run.interval,
          ]);
      }
      ints.push({ name: `${p.rule} (${avgInt}-block average)`, points: thin(iv) });
    }
    diff.push({
      name: `new hash rate (${level} of before)`,
      points: [
        [from, level],
        [to, level],
      ],
      dashed: true,
      color: '#555',
    });
    ints.push({
      name: 'target',
      points: [
        [from, 1],
        [to, 1],
      ],
      dashed: true,
      color: '#555',
    });
    return { diff, ints };
  };
  const wide = curves(xMin, xMax, Math.max(20, Math.round(maxN / 10)), (p) =>
    p.rule.startsWith('bitcoin') ? 1 : 2 * p.window,
  );
  const zoom = curves(-100, 600, 20, () => 1);
  const marker = [{ x: 0, label: 'hash rate drops' }];
  return {
    rows,
    plots: {
      'difficulty-shock.svg': lineChart({
        title: 'Difficulty after the hash rate drops',
        xLabel: 'blocks since the shock',
        yLabel: 'difficulty / genesis difficulty',
        series: wide.diff,
        xMin,
        xMax,
        yMin: 0,
        markers: marker,
      }),
      'difficulty-shock-intervals.svg': lineChart({
        title: 'Block interval after the hash rate drops',
        xLabel: 'blocks since the shock',
        yLabel: 'block interval / target',
        series: wide.ints,
        xMin,
        xMax,
        yMin: 0,
        markers: marker,
      }),
      'difficulty-shock-zoom.svg': lineChart({
        title: 'The first 600 blocks after the shock',
        xLabel: 'blocks since the shock',
        yLabel: 'difficulty / genesis difficulty',
        series: zoom.diff,
        xMin: -100,
        xMax: 600,
        yMin: 0,
        markers: marker,
      }),
    },
    table: table(rows, [
      'rule',
      'difficultyBefore',
      'difficultyAfterSettled',
      'expectedLevelAfter',
      'standardError',
      'z',
      'meanIntervalAfter',
      'expectedIntervalAfter',
      'firstRetargetAfterShock',
      'firstRetargetExpected',
      'blocksUntilWithin10pct',
    ]),
  };
}

// ---- partition and heal ----

export function partitionPoint(run: RunOutcome) {
  const s = run.scenario;
  const part = s.faults.find((f) => f.kind === 'partition');
  const faults = (run.summary.faults ?? []) as { time: number; height: number; event: string }[];
  const start = faults.find((f) => f.event.startsWith('partition'));
  const heal = faults.find((f) => f.event === 'heal');
  if (!part || part.kind !== 'partition' || !start || !heal)
    throw new Error('the partition-heal analysis needs a partition and a heal that both happened');
  const sides = part.groups.map((g) => new Set(g));
  const listed = new Set(part.groups.flat());
  const rest = s.nodes.filter((n) => !listed.has(n.id)).map((n) => n.id);
  if (rest.length > 0) sides.push(new Set(rest));
  const shares = sides.map((side) =>
    s.nodes.filter((n) => side.has(n.id)).reduce((a, n) => a + n.hashShare, 0),
  );
  const minedDuring = sides.map(
    (side) =>
      run.records.filter(
        (r) => r.miner && side.has(r.miner) && r.minedAt! >= start.time && r.minedAt! < heal.time,
      ).length,
  );
  const main = new Set(mainChainBlocks(run).map((b) => b.hash));
  const orphanedDuring = sides.map(
    (side) =>
      run.records.filter(
        (r) =>
          r.miner &&
          side.has(r.miner) &&
          r.minedAt! >= start.time &&
          r.minedAt! < heal.time &&
          !main.has(r.hash),
      ).length,
  );
  const loser = orphanedDuring.indexOf(maxOf(orphanedDuring, (x) => x));
  const duration = heal.time - start.time;
  const depths = Object.keys(run.summary.reorgDepths).map(Number);
  const deepest = depths.length ? maxOf(depths, (d) => d) : 0;
  // Fixed difficulty: a side with share β finds Poisson(β·duration/T) blocks.
  const expected = (shares[loser]! * duration) / run.interval;
  return {
    sides,
    shares,
    minedDuring,
    orphanedDuring,
    loser,
    duration,
    deepest,
    expected,
    start,
    heal,
  };
}

function partitionAnalysis(runs: RunOutcome[]): Analysis {
  const rows: Record<string, unknown>[] = [];
  const plots: Record<string, string> = {};
  for (const run of runs) {
    const p = partitionPoint(run);
    rows.push({
      run: run.label || run.scenario.name,
      partitionSeconds: r4(p.duration),
      sideShares: p.shares.map(r4).join(' / '),
      blocksMinedDuringPartition: p.minedDuring.join(' / '),
      losingSideShare: r4(p.shares[p.loser]!),
      losingSideBlocksOrphaned: p.orphanedDuring[p.loser],
      expectedLosingSideBlocks: r4(p.expected),
      poissonSd: r4(Math.sqrt(p.expected)),
      deepestReorg: p.deepest,
      converged: run.summary.converged,
    });
    // Height of each side's best block over time.
    const unit = timeUnit(maxOf(run.records, (r) => r.minedAt ?? 0));
    const series: Series[] = p.sides.map((side, i) => {
      let best = 0;
      const pts: [number, number][] = [];
      for (const r of [...run.records]
        .filter((x) => x.minedAt !== null)
        .sort((a, b) => a.minedAt! - b.minedAt!)) {
        if (!r.miner || !side.has(r.miner)) continue;
        if (r.height > best) {
          best = r.height;
          pts.push([r.minedAt! / unit.div, best]);
        }
      }
      return { name: `side ${i + 1} (hash share ${r4(p.shares[i]!)})`, points: thin(pts) };
    });
    plots[`partition${runs.length > 1 ? `-${run.label}` : ''}.svg`] = lineChart({
      title: 'Best height mined by each side',
      xLabel: `time (${unit.name})`,
      yLabel: 'height',
      series,
      markers: [
        { x: p.start.time / unit.div, label: 'partition' },
        { x: p.heal.time / unit.div, label: 'heal' },
      ],
      legend: 'bottom-right',
    });
  }
  if (rows.length > 1) {
    const sum = (k: string) => rows.reduce((a, r) => a + Number(r[k]), 0);
    const expected = sum('expectedLosingSideBlocks');
    rows.push({
      run: `all ${rows.length}`,
      losingSideBlocksOrphaned: sum('losingSideBlocksOrphaned'),
      expectedLosingSideBlocks: r4(expected),
      poissonSd: r4(Math.sqrt(expected)),
      converged: rows.every((r) => r.converged === true),
    });
  }
  return { rows, plots, table: table(rows, Object.keys(rows[0] ?? {})) };
}

export function analyse(kind: AnalysisKind, runs: RunOutcome[]): Analysis {
  switch (kind) {
    case 'selfish-mining':
      return selfishAnalysis(runs);
    case 'stale-rate':
      return staleAnalysis(runs);
    case 'difficulty-shock':
      return shockAnalysis(runs);
    case 'partition-heal':
      return partitionAnalysis(runs);
    case 'double-spend':
      return doubleSpendAnalysis(runs);
    case 'bitcoin-network':
      return bitcoinNetworkAnalysis(runs);
  }
}
