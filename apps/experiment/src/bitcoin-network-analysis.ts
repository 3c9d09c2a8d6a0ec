// The Bitcoin-like network against Decker & Wattenhofer's measurements (IEEE P2P 2013):
// the median delay until a node has a block, and the stale rate, with the classic estimate
// 1 − e^(−d/T) at the measured median delay for reference.
import { staleRateEstimate } from '@chainlab/sim';
import { table, type Analysis, type RunOutcome } from './analysis.js';
import { barChart } from './svg.js';

/** Decker & Wattenhofer 2013: median block propagation delay (s) and stale rate. */
export const DECKER_WATTENHOFER = { medianSeconds: 6.5, staleRate: 0.0169 };

const r4 = (x: number): number => Number(x.toFixed(4));

export function bitcoinNetworkAnalysis(runs: RunOutcome[]): Analysis {
  const rows = runs.map((run) => {
    const s = run.summary;
    const p50 = s.propagation.p50 ?? NaN;
    const N = s.blocks;
    const se = Math.sqrt((s.staleRate * (1 - s.staleRate)) / N);
    return {
      nodes: run.scenario.nodes.length,
      degree:
        run.scenario.network.topology.kind === 'random'
          ? run.scenario.network.topology.degree
          : null,
      blockBytes: run.scenario.sim.blockBytes,
      blocks: N,
      medianPropagationSeconds: r4(p50),
      p95PropagationSeconds: r4(s.propagation.p95 ?? NaN),
      deckerWattenhoferMedianSeconds: DECKER_WATTENHOFER.medianSeconds,
      staleRate: r4(s.staleRate),
      staleRateStandardError: r4(se),
      deckerWattenhoferStaleRate: DECKER_WATTENHOFER.staleRate,
      oneMinusExpAtMedian: r4(staleRateEstimate(p50, run.interval)),
    };
  });
  const row = rows[0]!;
  const plots = {
    'bitcoin-network.svg': barChart({
      title: 'Bitcoin-like network vs Decker & Wattenhofer 2013',
      yLabel: 'value / Decker & Wattenhofer',
      categories: ['median propagation', 'stale rate'],
      series: [
        {
          name: 'simulated',
          values: [
            row.medianPropagationSeconds / DECKER_WATTENHOFER.medianSeconds,
            row.staleRate / DECKER_WATTENHOFER.staleRate,
          ],
        },
        { name: 'Decker & Wattenhofer (= 1)', values: [1, 1] },
      ],
    }),
  };
  return {
    rows,
    plots,
    table: table(rows, [
      'nodes',
      'blocks',
      'medianPropagationSeconds',
      'deckerWattenhoferMedianSeconds',
      'p95PropagationSeconds',
      'staleRate',
      'staleRateStandardError',
      'deckerWattenhoferStaleRate',
      'oneMinusExpAtMedian',
    ]),
  };
}
