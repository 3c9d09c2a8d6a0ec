// Real chainlab blocks for the simulator: built with core's blockTemplate on their parent
// (bits by the spec's retarget rule, time by the median-time-past rule), solved for real
// against an easy target and validated once by one shared core Chain (the block store).
import {
  Chain,
  NoState,
  blockTemplate,
  bitsToTarget,
  encodeHeader,
  headerWork,
  targetToBits,
  withNonce,
  type Block,
  type ChainSpec,
} from '@chainlab/core';
import { searchNonces } from '@chainlab/miner-worker';
import { scenarioSpec, type Scenario } from './scenario.js';
import type { SimBlock } from './types.js';

export const SIM_POW_LIMIT_BITS = 0x207fffff;

/** Genesis bits whose target needs `work` hashes on average. */
export function bitsForWork(work: number): number {
  return targetToBits((1n << 256n) / BigInt(Math.round(work)) - 1n);
}

export class BlockFactory {
  readonly spec: ChainSpec;
  /** The shared block store: every simulated block is validated here once. */
  readonly chain: Chain;
  readonly genesis: SimBlock;
  /** Hashes per second of share 1 (the genesis difficulty gives the target interval). */
  readonly h0: number;
  readonly genesisTime: number;
  /** Transactions a block can carry under the simulated load (0: no load). */
  private readonly capacity: number;

  constructor(private readonly scenario: Scenario) {
    this.spec = scenarioSpec(scenario.chain, {
      name: `sim-${scenario.name}`,
      genesisBits: bitsForWork(scenario.sim.genesisWork),
      powLimitBits: SIM_POW_LIMIT_BITS,
    });
    this.genesisTime = this.spec.genesis.time;
    this.chain = new Chain(this.spec, new NoState(), { maxOrphans: 0 });
    const genesisWork = Number(headerWork(this.spec.genesis.bits));
    this.h0 = genesisWork / this.spec.targetBlockTimeSeconds;
    this.capacity =
      scenario.load.txPerSecond > 0
        ? Math.max(0, Math.floor((this.spec.maxBlockBytes - 81) / scenario.load.txBytes))
        : 0;
    this.genesis = {
      seq: 0,
      hash: this.chain.genesis.hash,
      height: 0,
      parent: null,
      miner: -1,
      minedAt: 0,
      releasedAt: 0,
      releaseSeq: 0,
      work: genesisWork,
      chainwork: Number(this.chain.genesis.chainwork),
      bits: this.spec.genesis.bits,
      headerTime: this.genesisTime,
      txs: 0,
      cumTxs: 0,
      bytes: 0,
      node: this.chain.genesis,
      childWork: NaN,
    };
  }

  /** Expected hashes for a block on top of `b` (the bits the retarget rule gives its child). */
  childWork(b: SimBlock): number {
    if (Number.isNaN(b.childWork))
      b.childWork = Number(headerWork(this.chain.nextBitsAfter(b.node)));
    return b.childWork;
  }

  /** Node `j` (named `id`) finds block number `seq` on `parent` at simulated time `t`. */
  mine(j: number, id: string, parent: SimBlock, seq: number, t: number): SimBlock {
    let txs = 0;
    if (this.capacity > 0) {
      const arrived = Math.floor(this.scenario.load.txPerSecond * t);
      txs = Math.max(0, Math.min(this.capacity, arrived - parent.cumTxs));
    }
    const headerTime = this.genesisTime + Math.floor(t);
    const template = blockTemplate(this.chain, {
      parent: parent.node,
      time: headerTime,
      data: [`${id}#${seq}`],
    });
    const block = solve(template);
    const result = this.chain.processBlock(block, { now: headerTime });
    if (result.status !== 'accepted') {
      throw new Error(
        `simulator bug: core refused a simulated block (${result.error?.code}: ${result.error?.message})`,
      );
    }
    const node = this.chain.get(block.hash)!;
    const work = Number(headerWork(block.header.bits));
    return {
      seq,
      hash: block.hash,
      height: block.height,
      parent,
      miner: j,
      minedAt: t,
      releasedAt: Infinity,
      releaseSeq: Infinity,
      work,
      chainwork: parent.chainwork + work,
      bits: block.header.bits,
      headerTime: block.header.time,
      txs,
      cumTxs: parent.cumTxs + txs,
      bytes: this.scenario.sim.blockBytes ?? 81 + txs * this.scenario.load.txBytes,
      node,
      childWork: NaN,
    };
  }
}

/** Finds a nonce for an easy target with the miner-worker's kernel (a few dozen hashes). */
function solve(template: Block): Block {
  const header = encodeHeader(template.header);
  const result = searchNonces(
    header,
    bitsToTarget(template.header.bits),
    0,
    0x1_0000_0000,
    NO_CANCEL,
    1 << 20,
  );
  if (!result.found) throw new Error('simulator: no nonce found for a simulated block');
  return withNonce(template, result.nonce);
}

const NO_CANCEL = new Int32Array(new SharedArrayBuffer(4));
