// The simulator's mechanics: determinism, the fast views against per-node core Chains,
// real blocks, faults.
import { describe, expect, it } from 'vitest';
import { Chain, NoState } from '@chainlab/core';
import {
  NetworkModel,
  Rng,
  hashUniform,
  parseScenario,
  simSummary,
  simulate,
  type Scenario,
} from '@chainlab/sim';

function scenario(overrides: Record<string, unknown> = {}): Scenario {
  return parseScenario({
    name: 'mech',
    seed: 11,
    chain: { targetBlockTimeSeconds: 60, retarget: { rule: 'lwma', windowBlocks: 20 } },
    network: {
      delayMs: { uniform: [200, 9000] },
      topology: { random: { degree: 3 } },
      links: [{ between: ['a1', 'b1'], delayMs: 15000 }],
    },
    nodes: [
      { id: 'a', count: 6 },
      { id: 'b', count: 3 },
      { id: 'relay', count: 2, hashShare: 0 },
      { id: 'pool', hashShare: 0.2, strategy: { type: 'selfish', gamma: 0.5 } },
    ],
    faults: [
      {
        at: { height: 40 },
        partition: [
          ['a', 'relay'],
          ['b', 'pool'],
        ],
      },
      { at: { height: 90 }, heal: true },
      { at: { height: 110 }, kill: ['a2', 'b1'], restartAfter: { blocks: 15 } },
      { at: { seconds: 9000 }, kill: 'pool', restartAfter: { seconds: 500 } },
      { at: { height: 160 }, hashShare: { a: 0.02 } },
    ],
    load: { txPerSecond: 3, txBytes: 300 },
    stop: { blocks: 260 },
    ...overrides,
  });
}

describe('rng', () => {
  it('is a pure function of the seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(new Rng(43).next()).not.toBe(xs[0]);
    expect(hashUniform(1, 2, 3)).toBe(hashUniform(1, 2, 3));
    expect(hashUniform(1, 2, 3)).not.toBe(hashUniform(1, 3, 2));
  });

  it('draws Exp(1) with mean 1 (within 5 standard errors of 10^5 draws)', () => {
    const r = new Rng(7);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) sum += r.exp();
    expect(Math.abs(sum / 100_000 - 1)).toBeLessThan(5 / Math.sqrt(100_000));
  });
});

describe('simulator', () => {
  it('same seed → byte-identical summary; another seed → another run', () => {
    const one = JSON.stringify(simSummary(simulate(scenario())));
    const two = JSON.stringify(simSummary(simulate(scenario())));
    expect(two).toBe(one);
    expect(JSON.stringify(simSummary(simulate(scenario({ seed: 12 }))))).not.toBe(one);
  });

  it("every node's fast view equals its own core Chain's fork choice, through partitions, crashes and selfish races", () => {
    // verify: each node owns a core Chain fed the same deliveries; the engine throws on any
    // disagreement. The run must also be identical to the fast one.
    const fast = simulate(scenario());
    const full = simulate(scenario(), { verify: true });
    expect(full.stats.verifiedTips).toBeGreaterThan(200);
    expect(JSON.stringify(simSummary(full))).toBe(JSON.stringify(simSummary(fast)));
    expect(full.faults.map((f) => f.description)).toEqual([
      'partition [a1, a2, a3, a4, a5, a6, relay1, relay2] [b1, b2, b3, pool]',
      'heal',
      'kill a2, b1',
      'restart a2, b1',
      'kill pool',
      'restart pool',
      'hash share a1=0.02, a2=0.02, a3=0.02, a4=0.02, a5=0.02, a6=0.02',
    ]);
  });

  it('makes real chainlab blocks: a fresh core Chain accepts the main chain with all its rules', () => {
    const result = simulate(scenario());
    const chain = new Chain(result.spec, new NoState());
    const main = [];
    for (let b = result.mainTip; b.parent; b = b.parent) main.unshift(b);
    for (const b of main) {
      const r = chain.processBlock(b.node.block, { now: b.headerTime });
      expect(r.status).toBe('accepted');
    }
    expect(chain.tip.hash).toBe(result.mainTip.hash);
    // LWMA really retargeted: more than one difficulty on the chain.
    expect(new Set(main.map((b) => b.bits)).size).toBeGreaterThan(5);
  });

  it('ends with every online node on the most-work chain once deliveries drain', () => {
    const s = simSummary(simulate(scenario()));
    expect(s.converged).toBe(true);
    expect(s.blocks).toBe(260);
  });
});

describe('sparse topology', () => {
  it('relays hop by hop: delivery times equal a brute-force shortest path with per-hop transfer', () => {
    const sc = parseScenario({
      name: 'sparse',
      seed: 5,
      network: { topology: { random: { degree: 4 } }, regions: 'bitcoin-2019' },
      nodes: [{ id: 'n', count: 300 }],
      stop: { blocks: 1 },
    });
    const net = new NetworkModel(sc, sc.seed);
    net.setGroups(new Int32Array(300));
    const bytes = 1_000_000;
    for (const s of [0, 17, 299]) {
      const out = new Float64Array(300);
      net.deliver(s, 10, bytes, out);
      // Bellman–Ford over the same links.
      const d = new Float64Array(300).fill(Infinity);
      d[s] = 10;
      for (let round = 0; round < 300; round++) {
        let changed = false;
        for (let u = 0; u < 300; u++) {
          if (d[u] === Infinity) continue;
          for (const v of net.peers(u)) {
            const nd = d[u]! + net.linkDelay(u, v) + bytes / net.linkBandwidth(u, v);
            if (nd < d[v]!) {
              d[v] = nd;
              changed = true;
            }
          }
        }
        if (!changed) break;
      }
      for (let j = 0; j < 300; j++) expect(out[j]).toBeCloseTo(d[j]!, 9);
    }
    // Memory O(nodes × degree): each node has its ring links plus ~2 × degree peers.
    let links = 0;
    for (let u = 0; u < 300; u++) links += net.peers(u).length;
    expect(links / 300).toBeLessThanOrEqual(2 + 2 * 4);
  });

  it('hopDelayMs adds a validation delay at every relaying hop', () => {
    const make = (hopDelayMs: number) => {
      const sc = parseScenario({
        name: 'hops',
        seed: 2,
        network: { topology: { random: { degree: 2 } }, delayMs: 100, hopDelayMs },
        nodes: [{ id: 'n', count: 50 }],
        stop: { blocks: 1 },
      });
      const net = new NetworkModel(sc, sc.seed);
      net.setGroups(new Int32Array(50));
      const out = new Float64Array(50);
      net.deliver(0, 0, 1000, out);
      return out;
    };
    const plain = make(0);
    const slow = make(400);
    for (let j = 1; j < 50; j++) {
      const hops = Math.round(plain[j]! / 0.1); // every link is 100 ms
      expect(slow[j]).toBeCloseTo(hops * 0.5, 9);
    }
    expect(() =>
      parseScenario({ nodes: [{ id: 'a' }], network: { hopDelayMs: 5 }, stop: { blocks: 1 } }),
    ).toThrow(/network.hopDelayMs: needs topology/);
  });

  it('keeps the fast views equal to per-node core Chains with regions, 1 MB blocks and faults', () => {
    const sc = scenario({
      network: { topology: { random: { degree: 3 } }, regions: 'bitcoin-2019' },
      sim: { verify: true, blockBytes: 1_000_000 },
    });
    const full = simulate(sc, { verify: true });
    const fast = simulate(sc, { verify: false });
    expect(full.stats.verifiedTips).toBeGreaterThan(0);
    expect(JSON.stringify(simSummary(full))).toBe(JSON.stringify(simSummary(fast)));
  });
});

it('summary.json lists groups instead of nodes past 1,000 miners (bounded output)', () => {
  const r = simulate(
    parseScenario({
      name: 'many',
      nodes: [
        { id: 'big', count: 1200 },
        { id: 'solo', hashShare: 0.1 },
      ],
      stop: { blocks: 50 },
    }),
  );
  const s = simSummary(r);
  expect(s.miners.map((m) => [m.id, m.nodes])).toEqual([
    ['big', 1200],
    ['solo', 1],
  ]);
  expect(s.miners[0]!.hashShare).toBeCloseTo(0.9, 9);
  expect(s.miners[0]!.blocksMined + s.miners[1]!.blocksMined).toBe(50);
});
