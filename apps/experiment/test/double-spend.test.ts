// The double-spend built-in: every (q, z) point of the sweep within 3 standard errors of
// Rosenfeld's exact probability, and the same results whatever the number of worker threads.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runExperiment } from '../src/run.js';

const dir = mkdtempSync(path.join(tmpdir(), 'chainlab-ds-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = () => {};

describe('double-spend sweep', () => {
  it('every (q, z) point is within 3 standard errors of Rosenfeld', async () => {
    // 4,000 blocks a point: 60–1,600 attempts, enough for 3 SE and fast in CI.
    const r = await runExperiment({
      scenario: 'double-spend',
      mode: 'sim',
      out: path.join(dir, 'all'),
      sets: [['stop.blocks', 4000]],
      log: quiet,
    });
    const rows = r.analysis!.rows as {
      q: number;
      z: number;
      attempts: number;
      zScore: number;
      nakamoto: number;
    }[];
    expect(rows).toHaveLength(44);
    for (const row of rows) {
      expect(row.attempts, `q=${row.q} z=${row.z}`).toBeGreaterThan(50);
      expect(Math.abs(row.zScore), `q=${row.q} z=${row.z}`).toBeLessThanOrEqual(3);
    }
    const nak = (q: number, z: number) => rows.find((x) => x.q === q && x.z === z)!.nakamoto;
    expect(nak(0.1, 1)).toBeCloseTo(0.2045873, 5);
    expect(nak(0.1, 5)).toBeCloseTo(0.0009137, 5);
    expect(nak(0.3, 5)).toBeCloseTo(0.1773523, 5);
    const comparison = JSON.parse(readFileSync(path.join(r.outDir, 'comparison.json'), 'utf8'));
    expect(comparison.analysis).toBe('double-spend');
    expect(readFileSync(path.join(r.outDir, 'double-spend.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('gives the same results on 1 worker thread and on 3', async () => {
    const run = (workers: number) =>
      runExperiment({
        scenario: 'double-spend',
        mode: 'sim',
        out: path.join(dir, `w${workers}`),
        sets: [
          ['stop.blocks', 1500],
          [
            'sweep',
            {
              'nodes.attacker.hashShare': [0.2, 0.4],
              'nodes.attacker.strategy.confirmations': [1, 3],
            },
          ],
        ],
        workers,
        log: quiet,
      });
    const one = await run(1);
    const three = await run(3);
    expect(JSON.stringify(three.analysis!.rows)).toBe(JSON.stringify(one.analysis!.rows));
    expect(JSON.stringify(three.points.map((p) => p.summary))).toBe(
      JSON.stringify(one.points.map((p) => p.summary)),
    );
  });
});
