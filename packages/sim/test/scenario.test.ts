import { describe, expect, it } from 'vitest';
import { applySets, expandSweep, parseScenario, setPath } from '@chainlab/sim';

const base = {
  name: 't',
  nodes: [
    { id: 'pool', hashShare: 0.3, strategy: { type: 'selfish', gamma: 0.5 } },
    { id: 'h', count: 7 },
  ],
  stop: { blocks: 10 },
};

const error = (input: unknown): string => {
  try {
    parseScenario(input);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('scenario files', () => {
  it('expands groups and gives the remainder of the hash rate to nodes without a share', () => {
    const s = parseScenario(base);
    expect(s.nodes.map((n) => n.id)).toEqual(['pool', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7']);
    expect(s.nodes[1]!.hashShare).toBeCloseTo(0.1, 12);
    expect(s.groups.h).toHaveLength(7);
    expect(s.seed).toBe(1);
    expect(s.sim.genesisWork).toBe(64);
  });

  it('names the field that is wrong', () => {
    expect(error({ ...base, nodes: [{ id: 'a', hashShare: 1.5 }] })).toBe(
      'scenario: nodes[0].hashShare: must be a number ≥ 0 and ≤ 1, got 1.5',
    );
    expect(
      error({
        ...base,
        nodes: [
          { id: 'a', hashShare: 0.5 },
          { id: 'b', hashShare: 0.2 },
        ],
      }),
    ).toMatch(/^scenario: nodes: hash shares add up to 0.7, not 1/);
    expect(error({ ...base, nodes: [{ id: 'a', strategy: 'greedy' }] })).toMatch(
      /nodes\[0\].strategy.type: unknown strategy "greedy" \(known: honest, selfish, double-spend\)/,
    );
    expect(
      error({ ...base, nodes: [{ id: 'a', strategy: { type: 'selfish', gamma: 2 } }] }),
    ).toMatch(/nodes\[0\].strategy.gamma: must be a number in 0..1/);
    expect(error({ ...base, chain: { retarget: { rule: 'dgw' } } })).toMatch(
      /^scenario: chain.retarget.rule: must be one of fixed, bitcoin, lwma/,
    );
    expect(error({ ...base, chain: { genesis: {} } })).toMatch(
      /chain.genesis: is set by the experiment runner/,
    );
    expect(error({ ...base, faults: [{ at: { height: 3 }, kill: 'nobody' }] })).toBe(
      'scenario: faults[0].kill: unknown node or group "nobody"',
    );
    expect(error({ ...base, faults: [{ at: { height: 3 }, heal: true, kill: 'pool' }] })).toMatch(
      /faults\[0\]: needs exactly one of/,
    );
    expect(error({ ...base, faults: [{ at: { minutes: 3 }, heal: true }] })).toMatch(
      /faults\[0\].at.minutes: unknown field/,
    );
    expect(error({ ...base, stop: undefined })).toMatch(/^scenario: stop: is required/);
    expect(error({ ...base, colour: 'red' })).toMatch(/^scenario: colour: unknown field/);
    expect(
      error({ ...base, network: { links: [{ between: ['pool', 'x'], delayMs: 5 }] } }),
    ).toMatch(/network.links\[0\].between\[1\]: unknown node or group "x"/);
  });

  it('--set reaches into lists by id, and a set on a swept key fixes it', () => {
    const raw = {
      ...base,
      sweep: {
        'nodes.pool.hashShare': [0.1, 0.2],
        'chain.retarget': [{ rule: 'fixed' }, { rule: 'lwma', windowBlocks: 5 }],
      },
    };
    expect(expandSweep(raw)).toHaveLength(4);
    const set = applySets(raw, [
      ['nodes.pool.hashShare', 0.4],
      ['chain.retarget.rule', 'fixed'],
    ]);
    expect(set.sweep).toEqual({});
    expect(parseScenario(set).nodes[0]!.hashShare).toBe(0.4);
    const points = expandSweep(applySets(raw, [['seed', 9]]));
    expect(points.map((p) => p.label)).toEqual([
      'hashShare=0.1_retarget=fixed',
      'hashShare=0.1_retarget=lwma-5',
      'hashShare=0.2_retarget=fixed',
      'hashShare=0.2_retarget=lwma-5',
    ]);
    expect(points.every((p) => parseScenario(p.raw).seed === 9)).toBe(true);
    expect(() => setPath(base, 'nodes.nobody.hashShare', 1)).toThrow(
      /nodes.nobody: no element with id or index "nobody"/,
    );
  });
});
