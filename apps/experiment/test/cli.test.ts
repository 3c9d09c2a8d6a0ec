import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';
import { UsageError, runExperiment } from '../src/run.js';

const dir = mkdtempSync(path.join(tmpdir(), 'chainlab-exp-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenarioFile = path.join(dir, 'tiny.yaml');
writeFileSync(
  scenarioFile,
  `name: tiny
seed: 4
chain: { targetBlockTimeSeconds: 600, retarget: { rule: lwma, windowBlocks: 20 } }
network: { delayMs: 20000 }
nodes:
  - { id: pool, hashShare: 0.3, strategy: { type: selfish, gamma: 0.5 } }
  - { id: h, count: 5 }
faults:
  - { at: { height: 50 }, partition: [[pool, h1], [h2, h3, h4, h5]] }
  - { at: { height: 70 }, heal: true }
load: { txPerSecond: 1, txBytes: 250 }
stop: { blocks: 400 }
`,
);

const quiet = () => undefined;

describe('pnpm experiment', () => {
  it('writes summary.json, the per-block CSV and the plots; the same seed gives the same summary byte for byte', async () => {
    const a = await runExperiment({
      scenario: scenarioFile,
      mode: 'sim',
      out: path.join(dir, 'a'),
      log: quiet,
    });
    const b = await runExperiment({
      scenario: scenarioFile,
      mode: 'sim',
      out: path.join(dir, 'b'),
      log: quiet,
    });
    const files = readdirSync(a.outDir).sort();
    expect(files).toEqual([
      'block-intervals.svg',
      'blocks.csv',
      'difficulty.svg',
      'revenue.svg',
      'run.json',
      'scenario.json',
      'summary.json',
    ]);
    const summaryA = readFileSync(path.join(a.outDir, 'summary.json'), 'utf8');
    expect(readFileSync(path.join(b.outDir, 'summary.json'), 'utf8')).toBe(summaryA);
    const summary = JSON.parse(summaryA);
    for (const key of ['miners', 'staleRate', 'blocks', 'reorgDepths', 'propagation'])
      expect(summary).toHaveProperty(key);
    expect(Object.keys(summary.miners[0]).slice(0, 3)).toEqual(['id', 'strategy', 'hashShare']);
    expect(summary.miners[0]).toMatchObject({ id: 'pool', strategy: 'selfish', hashShare: 0.3 });
    expect(summary.miners[0]).toHaveProperty('blocksOnChain');
    expect(summary.miners[0]).toHaveProperty('revenueShare');
    expect(Object.keys(summary.propagation)).toEqual(['p50', 'p95']);
    expect(summary.blocks).toBe(400);
    const csv = readFileSync(path.join(a.outDir, 'blocks.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(
      'hash,height,parent,miner,minedAt,releasedAt,headerTime,bits,difficulty,onMainChain,txs,bytes',
    );
    expect(csv).toHaveLength(402); // header, genesis, 400 mined blocks
    expect(readFileSync(path.join(a.outDir, 'difficulty.svg'), 'utf8')).toMatch(/^<svg xmlns/);
  });

  it('--seed and --set override the file; a swept run writes one directory per point and the comparison', async () => {
    const r = await runExperiment({
      scenario: scenarioFile,
      mode: 'sim',
      out: path.join(dir, 'sweep'),
      seed: 9,
      sets: [
        ['stop.blocks', 150],
        ['sweep', { 'nodes.pool.hashShare': [0.2, 0.4] }],
        ['analysis', 'selfish-mining'],
        ['faults', []],
      ],
      log: quiet,
    });
    expect(r.points.map((p) => p.label)).toEqual(['hashShare=0.2', 'hashShare=0.4']);
    expect(r.points[1]!.summary.seed).toBe(9);
    expect(r.points[1]!.summary.miners[0]!.hashShare).toBe(0.4);
    const top = readdirSync(r.outDir).sort();
    expect(top).toEqual([
      '01-hashShare=0.2',
      '02-hashShare=0.4',
      'comparison.json',
      'selfish-revenue.svg',
      'summary.json',
    ]);
    // Sweep points get no per-block CSV unless asked; the sweep's summary is at the top.
    expect(readdirSync(path.join(r.outDir, '01-hashShare=0.2'))).not.toContain('blocks.csv');
    const top2 = JSON.parse(readFileSync(path.join(r.outDir, 'summary.json'), 'utf8'));
    expect(top2.points.map((p: { label: string }) => p.label)).toEqual([
      'hashShare=0.2',
      'hashShare=0.4',
    ]);
    expect(
      JSON.parse(readFileSync(path.join(r.outDir, 'comparison.json'), 'utf8')).rows,
    ).toHaveLength(2);
  });

  it('refuses bad input with a message naming the field (exit code 2)', async () => {
    await expect(
      runExperiment({
        scenario: scenarioFile,
        mode: 'sim',
        sets: [['nodes.pool.hashShare', 2]],
        log: quiet,
      }),
    ).rejects.toThrow(UsageError);
    await expect(
      runExperiment({
        scenario: scenarioFile,
        mode: 'real',
        sets: [['real', { scenario: 5 }]],
        log: quiet,
      }),
    ).rejects.toThrow(/real.scenario: must be a map of top-level scenario fields/);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['--', 'run', 'no-such-scenario'])).toBe(2);
      expect(String(stderr.mock.calls.at(-1)?.[0])).toMatch(/no scenario file "no-such-scenario"/);
      expect(await main(['run', scenarioFile, '--set', 'chain.retarget.rule=dgw'])).toBe(2);
      expect(String(stderr.mock.calls.at(-1)?.[0])).toMatch(
        /chain.retarget.rule: must be one of fixed, bitcoin, lwma/,
      );
      expect(await main(['run', scenarioFile, '--sim', '--real'])).toBe(2);
      expect(await main(['run', scenarioFile, '--seed', 'x'])).toBe(2);
    } finally {
      stderr.mockRestore();
    }
  });

  it('every built-in scenario is valid, for --sim and --real', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      for (const name of [
        'selfish-mining',
        'double-spend',
        'stale-rate',
        'difficulty-shock',
        'partition-heal',
      ]) {
        expect(await main(['validate', name])).toBe(0);
        expect(await main(['validate', name, '--real'])).toBe(0);
      }
    } finally {
      stdout.mockRestore();
    }
  });
});
