// The double-spend sweep against Nakamoto's table (whitepaper §11) and Rosenfeld's exact
// probability (2014): per (q, z), the attacker's successes over its attempts, with the
// binomial standard error sqrt(P(1−P)/n) of Rosenfeld's P (the model the strategy runs).
import { nakamotoDoubleSpend, rosenfeldDoubleSpend } from '@chainlab/sim';
import { table, type Analysis, type RunOutcome } from './analysis.js';
import { lineChart, type Series } from './svg.js';

interface Report {
  attempts: number;
  successes: number;
  confirmations: number;
}

export function doubleSpendPoint(run: RunOutcome) {
  const attacker = run.scenario.nodes.find((n) => n.strategy.type === 'double-spend');
  if (!attacker) throw new Error('double-spend analysis: no node runs strategy double-spend');
  const reports = (run.summary as { strategies?: Record<string, Report> }).strategies ?? {};
  const rep = reports[attacker.id] ?? { attempts: 0, successes: 0, confirmations: 0 };
  const q = attacker.hashShare;
  const z = rep.confirmations;
  const n = rep.attempts;
  const measured = n > 0 ? rep.successes / n : NaN;
  const rosenfeld = rosenfeldDoubleSpend(q, z);
  const se = n > 0 ? Math.sqrt((rosenfeld * (1 - rosenfeld)) / n) : NaN;
  return {
    q,
    z,
    attempts: n,
    successes: rep.successes,
    measured,
    rosenfeld,
    nakamoto: nakamotoDoubleSpend(q, z),
    se,
    // A point whose exact probability is 0 or 1 has no spread: it must match exactly.
    zScore: se > 0 ? (measured - rosenfeld) / se : measured === rosenfeld ? 0 : Infinity,
  };
}

const r5 = (x: number): number => Number(x.toFixed(5));

export function doubleSpendAnalysis(runs: RunOutcome[]): Analysis {
  const pts = runs.map(doubleSpendPoint).sort((a, b) => a.q - b.q || a.z - b.z);
  const rows = pts.map((p) => ({
    q: p.q,
    z: p.z,
    attempts: p.attempts,
    successes: p.successes,
    measured: r5(p.measured),
    rosenfeld: r5(p.rosenfeld),
    nakamoto: r5(p.nakamoto),
    standardError: r5(p.se),
    zScore: Number(p.zScore.toFixed(2)),
    within3se: Math.abs(p.zScore) <= 3,
  }));
  const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
  const series: Series[] = [];
  const qs = [...new Set(pts.map((p) => p.q))];
  qs.forEach((q, i) => {
    const color = palette[i % palette.length]!;
    const at = pts.filter((p) => p.q === q);
    series.push({
      name: `q = ${q}: Rosenfeld`,
      points: at.map((p) => [p.z, p.rosenfeld]),
      color,
    });
    series.push({
      name: `q = ${q}: Nakamoto`,
      points: at.map((p) => [p.z, p.nakamoto]),
      color,
      dashed: true,
    });
    series.push({
      name: `q = ${q}: simulated (±2 SE)`,
      points: at.map((p) => [p.z, p.measured]),
      errors: at.map((p) => 2 * (Number.isFinite(p.se) ? p.se : 0)),
      style: 'points',
      color,
    });
  });
  const plots = {
    'double-spend.svg': lineChart({
      title: 'Double-spend success vs confirmations',
      xLabel: 'confirmations z',
      yLabel: 'P(attacker ever overtakes)',
      series,
      xMin: 0,
      yMin: 0,
      yMax: 1,
    }),
  };
  return {
    rows,
    plots,
    table: table(rows, [
      'q',
      'z',
      'attempts',
      'measured',
      'rosenfeld',
      'nakamoto',
      'standardError',
      'zScore',
    ]),
  };
}
