// comparison.json of a --real selfish-mining or double-spend run: per point, what the attack
// measured on the real network (real/attacks.ts) beside the closed form at the *measured*
// α, γ or q (the caps set hash shares only roughly; ties are decided by the real network).
import type { AnalysisKind } from '@chainlab/sim';
import { table, type Analysis, type RunOutcome } from './analysis.js';

export function realAttackAnalysis(kind: AnalysisKind, runs: RunOutcome[]): Analysis {
  const rows = runs.map((r) => {
    const attack = (r.summary as { attack?: Record<string, unknown> }).attack;
    if (!attack) throw new Error(`${r.label}: no attack measured (no node ran an attack strategy)`);
    const { status: _status, ...row } = attack;
    return { point: r.label || r.scenario.name, ...row };
  });
  const columns =
    kind === 'selfish-mining'
      ? [
          'point',
          'alpha',
          'ties',
          'gamma',
          'mainChainBlocks',
          'revenueShare',
          'eyalSirer',
          'deviation',
        ]
      : [
          'point',
          'q',
          'confirmations',
          'giveUpBehind',
          'attemptsFinished',
          'succeeded',
          'successRate',
          'bounded',
          'rosenfeld',
          'nakamoto',
          'withinBinomial99',
        ];
  return { rows, plots: {}, table: table(rows, columns) };
}
