// The simulator against published closed forms, with tolerances from the sample size.
// Every run is deterministic (fixed seed); the tolerance says how far an honest estimate
// of that many blocks may fall from the truth (4 standard errors).
import { describe, expect, it } from 'vitest';
import {
  boundedDoubleSpend,
  doubleSpendDecision,
  nakamotoDoubleSpend,
  rosenfeldDoubleSpend,
  bitcoinRetargetSteadyState,
  parseScenario,
  selfishRevenue,
  selfishThreshold,
  simSummary,
  simulate,
  staleRateEstimate,
  staleRateEstimateFinite,
  type SimResult,
} from '@chainlab/sim';

/** Main-chain blocks, genesis excluded, lowest first. */
function mainChain(r: SimResult) {
  const out = [];
  for (let b = r.mainTip; b.parent; b = b.parent) out.unshift(b);
  return out;
}

describe('closed forms', () => {
  it('Eyal & Sirer values', () => {
    expect(selfishRevenue(1 / 3, 0)).toBeCloseTo(1 / 3, 12); // the γ = 0 threshold
    expect(selfishThreshold(0)).toBeCloseTo(1 / 3, 12);
    expect(selfishThreshold(0.5)).toBeCloseTo(0.25, 12);
    expect(selfishRevenue(0.25, 0.5)).toBeCloseTo(0.25, 12); // the γ = 1/2 threshold
    expect(staleRateEstimate(60, 600)).toBeCloseTo(1 - Math.exp(-0.1), 12);
  });
});

describe('selfish mining vs Eyal & Sirer', () => {
  // Revenue share R̂ = pool blocks / main-chain blocks over L blocks. Were main-chain blocks
  // independent, SE = √(R(1−R)/L); they are not (a withheld branch lands several at once),
  // which inflates the variance: over 12 seeds the spread was 1.3–1.6× the binomial SE, so
  // the tolerance is 4 × (2 × binomial SE). γ_eff: the miner of the honest block in a race
  // always stays on it, so with 100 equal honest miners γ acts as γ·(1 − 1/100).
  const cases: [alpha: number, gamma: number][] = [
    [0.35, 0.5],
    [0.25, 0],
    [0.45, 1],
  ];
  for (const [alpha, gamma] of cases) {
    it(`α = ${alpha}, γ = ${gamma}`, () => {
      const r = simulate(
        parseScenario({
          name: 'selfish',
          seed: 1,
          chain: { targetBlockTimeSeconds: 600, retarget: { rule: 'fixed' } },
          nodes: [
            { id: 'pool', hashShare: alpha, strategy: { type: 'selfish', gamma } },
            { id: 'h', count: 100 },
          ],
          stop: { blocks: 20_000 },
        }),
      );
      const s = simSummary(r);
      const L = s.mainChainLength as number;
      const R = s.miners[0]!.revenueShare;
      const expected = selfishRevenue(alpha, gamma * (1 - 1 / 100));
      const tolerance = 4 * 2 * Math.sqrt((expected * (1 - expected)) / L);
      expect(Math.abs(R - expected)).toBeLessThan(tolerance);
      // And the effect is real: the estimate is far from honest mining's R = α.
      if (Math.abs(expected - alpha) > 2 * tolerance)
        expect(Math.abs(R - alpha)).toBeGreaterThan(tolerance);
    });
  }
});

describe('stale rate vs 1 − e^(−d/T)', () => {
  it('100 equal miners, every link d = 30 s, T = 600 s', () => {
    const r = simulate(
      parseScenario({
        name: 'stale',
        seed: 1,
        chain: { targetBlockTimeSeconds: 600, retarget: { rule: 'fixed' } },
        network: { delayMs: 30_000 },
        nodes: [{ id: 'm', count: 100 }],
        stop: { blocks: 20_000 },
      }),
    );
    const s = simSummary(r);
    const N = s.blocks;
    // Stale blocks are separate Poisson coincidences: binomial SE. The own-share correction
    // (a miner never races its own block) is 1% of the rate here; second-order terms
    // ((d/T)²/2 ≈ 0.1%) are below the tolerance.
    const p = staleRateEstimateFinite(30, 600, 1 / 100);
    const se = Math.sqrt((p * (1 - p)) / N);
    expect(Math.abs(s.staleRate - p)).toBeLessThan(4 * se);
    expect(Math.abs(s.staleRate - staleRateEstimate(30, 600))).toBeLessThan(4 * se + 0.001);
    expect(s.propagation).toEqual({ p50: 30, p95: 30 });
  });
});

describe('difficulty after half the hash rate leaves', () => {
  const shock = (retarget: Record<string, unknown>, stopHeight: number, shockHeight: number) =>
    simulate(
      parseScenario({
        name: 'shock',
        seed: 3,
        chain: { targetBlockTimeSeconds: 600, retarget },
        network: { delayMs: 1000 },
        nodes: [
          { id: 'stay', count: 5, hashShare: 0.1 },
          { id: 'leave', count: 5, hashShare: 0.1 },
        ],
        faults: [{ at: { height: shockHeight }, hashShare: { leave: 0 } }],
        stop: { height: stopHeight },
      }),
    );

  it("Bitcoin's rule (N = 144) settles at h'·T·N/(N−2) within the per-window sampling error", () => {
    const N = 144;
    const r = shock({ rule: 'bitcoin', windowBlocks: N }, 30 * N, 5 * N + 40);
    const W0 = r.blocks[0]!.work; // genesis work = full hash rate × T
    // Windows entirely after the second retarget after the shock: each window's work is
    // h'·N·T / Gamma(N−1), independent of the others.
    const windows = new Map<number, number>();
    for (const b of mainChain(r))
      if (b.height >= 8 * N) windows.set(Math.floor(b.height / N), b.work / W0);
    const values = [...windows.values()];
    const { mean, relativeSd } = bitcoinRetargetSteadyState(N);
    const expected = 0.5 * mean;
    const measured = values.reduce((a, x) => a + x, 0) / values.length;
    const se = (expected * relativeSd) / Math.sqrt(values.length);
    expect(values.length).toBeGreaterThanOrEqual(20);
    expect(Math.abs(measured - expected)).toBeLessThan(4 * se);
  });

  it('LWMA (N = 45) settles at half the difficulty within a few windows', () => {
    const N = 45;
    const r = shock({ rule: 'lwma', windowBlocks: N }, 8000, 2000);
    const W0 = r.blocks[0]!.work;
    const after = mainChain(r)
      .filter((b) => b.height > 2000 + 5 * N)
      .map((b) => b.work / W0);
    const before = mainChain(r)
      .filter((b) => b.height > 5 * N && b.height <= 2000)
      .map((b) => b.work / W0);
    // LWMA is a feedback loop whose errors last several windows: batches of 10N blocks are
    // treated as independent, their spread gives the standard error.
    const batches: number[] = [];
    for (let i = 0; i + 10 * N <= after.length; i += 10 * N)
      batches.push(after.slice(i, i + 10 * N).reduce((a, x) => a + x, 0) / (10 * N));
    const m = batches.reduce((a, x) => a + x, 0) / batches.length;
    const sd = Math.sqrt(batches.reduce((a, x) => a + (x - m) ** 2, 0) / (batches.length - 1));
    const se = sd / Math.sqrt(batches.length);
    expect(batches.length).toBeGreaterThanOrEqual(10);
    expect(Math.abs(m - 0.5)).toBeLessThan(4 * se + 0.01);
    const mBefore = before.reduce((a, x) => a + x, 0) / before.length;
    expect(Math.abs(m / mBefore - 0.5)).toBeLessThan(0.05);
    // And it got there fast: 3 windows after the shock the difficulty is already below 0.7.
    const soon = mainChain(r)
      .filter((b) => b.height > 2000 + 3 * N && b.height <= 2000 + 4 * N)
      .map((b) => b.work / W0);
    expect(soon.reduce((a, x) => a + x, 0) / soon.length).toBeLessThan(0.7);
  });
});

describe('double-spend closed forms and decision', () => {
  it("Nakamoto's table (whitepaper §11) and Rosenfeld's exact values", () => {
    expect(nakamotoDoubleSpend(0.1, 1)).toBeCloseTo(0.2045873, 7);
    expect(nakamotoDoubleSpend(0.1, 5)).toBeCloseTo(0.0009137, 7);
    expect(nakamotoDoubleSpend(0.3, 5)).toBeCloseTo(0.1773523, 7);
    // Rosenfeld: r(q, 1) = 2q; r(q, 0) = 1; q ≥ 1/2 always wins.
    expect(rosenfeldDoubleSpend(0.1, 1)).toBeCloseTo(0.2, 12);
    expect(rosenfeldDoubleSpend(0.3, 0)).toBe(1);
    expect(rosenfeldDoubleSpend(0.5, 6)).toBe(1);
    expect(rosenfeldDoubleSpend(0.1, 6)).toBeCloseTo(0.00059, 5);
  });

  it('publishes only after z confirmations and when strictly longer; gives up at the bound', () => {
    const d = (honest: number, attacker: number) =>
      doubleSpendDecision({ honest, attacker, confirmations: 3, giveUpBehind: 5 });
    expect(d(2, 4)).toBe('wait'); // ahead, but the victim has not accepted yet
    expect(d(3, 4)).toBe('publish');
    expect(d(3, 3)).toBe('wait'); // a tie is not enough
    expect(d(7, 2)).toBe('give-up');
    expect(d(6, 2)).toBe('wait');
  });
});

describe('boundedDoubleSpend (Rosenfeld with the give-up bound)', () => {
  it('tends to Rosenfeld as the bound grows, and never exceeds it', () => {
    for (const q of [0.1, 0.2, 0.3, 0.4])
      for (const z of [0, 1, 2, 5, 8]) {
        const r = rosenfeldDoubleSpend(q, z);
        expect(boundedDoubleSpend(q, z, 200)).toBeCloseTo(r, 9);
        for (const G of [1, 2, 3, 10])
          expect(boundedDoubleSpend(q, z, G)).toBeLessThanOrEqual(r + 1e-12);
      }
  });

  it('matches a direct simulation of the race', () => {
    // Monte Carlo of the decision rule with a seeded generator: within 4 standard errors.
    let seed = 12345; // mulberry32
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    for (const [q, z, G] of [
      [0.3, 1, 3],
      [0.3, 3, 2],
      [0.45, 2, 4],
    ] as const) {
      const n = 40_000;
      let wins = 0;
      for (let i = 0; i < n; i++) {
        let h = 0;
        let a = 1;
        for (;;) {
          if (h >= z && a > h) {
            wins++;
            break;
          }
          if (h - a >= G) break;
          if (rand() < q) a++;
          else h++;
        }
      }
      const p = boundedDoubleSpend(q, z, G);
      expect(Math.abs(wins / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    }
  });
});
