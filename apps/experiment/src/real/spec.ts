// The chain a real run uses: the scenario's chain overrides (plus `real.chain`), a genesis
// difficulty that gives the target interval at the run's total hash rate, and a genesis
// time of now. Level 1 (data) unless a node runs the double-spend attack, which needs
// transfers: then level 2 on top of the devnet spec (its dev accounts pay and are paid).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { headerWork, specToJson, type ChainSpec } from '@chainlab/core';
import { SIM_POW_LIMIT_BITS, bitsForWork, scenarioSpec, type Scenario } from '@chainlab/sim';

export interface RealChain {
  spec: ChainSpec;
  specFile: string;
  genesisWork: number;
  /** Needs a mempool (level 2). */
  transfers: boolean;
}

export function needsTransfers(scenario: Scenario): boolean {
  return scenario.nodes.some((n) => n.strategy.type === 'double-spend');
}

export function realChain(scenario: Scenario, outDir: string): RealChain {
  const real = scenario.real;
  const chainOverrides = { ...scenario.chain, ...real.chain };
  const transfers = needsTransfers(scenario);
  const base = transfers ? 'devnet' : 'devnet-data';
  const T = scenarioSpec(chainOverrides, {
    name: 'probe',
    genesisBits: 0x1f00ffff,
    powLimitBits: SIM_POW_LIMIT_BITS,
    base,
  }).targetBlockTimeSeconds;
  const genesisWorkTarget = Math.max(2, real.totalHashrate * T);
  // Genesis "now": retarget rules measure from genesis, and a genesis months old would
  // make the first blocks far too easy (LWMA caps a solve time at 6T, Bitcoin at 4×).
  const spec = scenarioSpec(chainOverrides, {
    name: `exp-${scenario.name}`,
    genesisBits: bitsForWork(genesisWorkTarget),
    powLimitBits: SIM_POW_LIMIT_BITS,
    genesisTime: Math.floor(Date.now() / 1000) - 1,
    base,
  });
  const specFile = path.join(outDir, 'spec.json');
  writeFileSync(specFile, JSON.stringify(specToJson(spec), null, 2) + '\n');
  return { spec, specFile, genesisWork: Number(headerWork(spec.genesis.bits)), transfers };
}
