// The Bitcoin-like built-in runs (scaled down) and reports propagation and stale rate next
// to Decker & Wattenhofer's measurements.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runExperiment } from '../src/run.js';

const dir = mkdtempSync(path.join(tmpdir(), 'chainlab-btc-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('bitcoin-network: 1 MB blocks relayed hop by hop over regions, compared with Decker & Wattenhofer', async () => {
  const r = await runExperiment({
    scenario: 'bitcoin-network',
    mode: 'sim',
    out: path.join(dir, 'btc'),
    sets: [
      ['nodes.node.count', 300],
      ['stop.blocks', 300],
    ],
    log: () => {},
  });
  const row = r.analysis!.rows[0] as Record<string, number>;
  expect(row.deckerWattenhoferMedianSeconds).toBe(6.5);
  expect(row.deckerWattenhoferStaleRate).toBe(0.0169);
  // A 1 MB block needs > 0.4 s per hop at ≤ 20.7 Mbit/s upload: the median node is hops away.
  expect(row.medianPropagationSeconds).toBeGreaterThan(0.8);
  expect(row.p95PropagationSeconds).toBeGreaterThanOrEqual(row.medianPropagationSeconds!);
  const comparison = JSON.parse(readFileSync(path.join(r.outDir, 'comparison.json'), 'utf8'));
  expect(comparison.analysis).toBe('bitcoin-network');
});
