// One decision logic, two drivers: the simulator's attack strategies (packages/sim) and the
// node's (apps/node/src/strategies) are driven through the same random event sequences —
// "the attacker finds a block", "an honest miner finds a block" — and must publish the
// same blocks at the same steps, mine on the same parents and count the same attempts.
// The node side runs on a real core Chain with real blocks; the simulator side on SimBlocks.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  blockTemplate,
  Chain,
  isTxBlock,
  LedgerMachine,
  loadSpec,
  NoState,
  privateKeyToAddress,
  solveBlock,
  txid,
  type Block,
  type ChainSpec,
  type Reorg,
  type TransferTx,
} from '@chainlab/core';
import {
  DoubleSpendStrategy,
  Rng,
  SelfishStrategy,
  SIM_POW_LIMIT_BITS,
  bitsForWork,
  type SimBlock,
  type StrategyContext,
} from '@chainlab/sim';
import type { Logger } from '@chainlab/service';
import type { ChainService } from '@chainlab/sync';
import { SelfishMining } from '../src/strategies/selfish.js';
import { DoubleSpendMining } from '../src/strategies/double-spend.js';
import type { MiningStrategy } from '../src/strategies/types.js';

const quiet = {
  info: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
  error: () => undefined,
} as unknown as Logger;

function testSpec(base: 'devnet' | 'devnet-data'): ChainSpec {
  return loadSpec({
    extends: base,
    name: `strategies-${base}`,
    genesis: { bits: bitsForWork(2) },
    powLimitBits: SIM_POW_LIMIT_BITS,
    retarget: { rule: 'fixed' },
  });
}

/** The part of ChainService the strategies use, over a real core Chain. */
class ServiceStub extends EventEmitter {
  readonly chain: Chain;
  constructor(readonly spec: ChainSpec) {
    super();
    this.chain = new Chain(spec, spec.level === 1 ? new NoState() : new LedgerMachine(spec));
  }
  get state() {
    return this.chain.state;
  }
  submit(block: Block): void {
    const r = this.chain.processBlock(block, { now: 4_000_000_000 });
    if (r.status !== 'accepted') throw new Error(`refused: ${r.status} ${r.error?.message}`);
    if (r.reorg) this.emit('tip', r.reorg as Reorg);
  }
}

function simBlock(id: number, parent: SimBlock | null, miner: number): SimBlock {
  return {
    seq: id,
    hash: `b${id}`,
    height: parent ? parent.height + 1 : 0,
    parent,
    miner,
    minedAt: id,
    releasedAt: parent ? Infinity : 0,
    releaseSeq: Infinity,
    work: 1,
    chainwork: parent ? parent.chainwork + 1 : 0,
    bits: 0,
    headerTime: 0,
    txs: 0,
    cumTxs: 0,
    bytes: 0,
    node: null as never,
    childWork: 1,
  };
}

/**
 * Both drivers side by side. Abstract blocks have ids (0 = genesis); `sim` and `node` hold
 * each one's object. The honest network mines on the highest public block, the first
 * published of equal height — or, in a tie, on the attacker's block when the γ coin says so.
 */
class Twin {
  readonly service: ServiceStub;
  readonly simById = new Map<number, SimBlock>();
  readonly idByHash = new Map<string, number>();
  readonly nodeById = new Map<number, Block>();
  /** Public blocks in publication order. */
  readonly publicIds: number[] = [0];
  simView: SimBlock;
  nodeReleased: number[] = [];
  private nextId = 1;
  private time: number;
  readonly ctx: StrategyContext;

  constructor(
    spec: ChainSpec,
    readonly attacker: 'selfish' | 'double-spend',
  ) {
    this.service = new ServiceStub(spec);
    const genesis = simBlock(0, null, -1);
    this.simById.set(0, genesis);
    this.idByHash.set(this.service.chain.genesis.hash, 0);
    this.simView = genesis;
    this.time = spec.genesis.time;
    this.ctx = { self: 0, now: () => 0, publicTip: () => this.simView };
  }

  get service_(): ChainService {
    return this.service as unknown as ChainService;
  }

  /** The node's publish: every block is sent (recorded) and stored. */
  publish = async (blocks: readonly Block[]): Promise<void> => {
    for (const b of blocks) {
      this.nodeReleased.push(this.idByHash.get(b.hash)!);
      this.service.submit(b);
    }
  };

  private solve(template: Block): Block {
    return solveBlock(template);
  }

  private nextTime(): number {
    return ++this.time;
  }

  /** The sim's view of the pool's public tip moves on delivered blocks: most work, first seen. */
  private deliverToSim(b: SimBlock): SimBlock {
    const before = this.simView;
    if (b.height > before.height) this.simView = b;
    return before;
  }

  private makePublic(ids: number[]): void {
    for (const id of ids) {
      if (!this.publicIds.includes(id)) this.publicIds.push(id);
      this.deliverToSim(this.simById.get(id)!);
    }
  }

  /** The attacker finds a block: both drivers mine on their parent; returns released ids. */
  async attackerFinds(
    sim: SelfishStrategy | DoubleSpendStrategy,
    node: MiningStrategy,
  ): Promise<{ sim: number[]; node: number[] }> {
    const id = this.nextId++;
    const simParent = sim.miningParent(this.ctx);
    const template =
      node.template(this.nextTime()) ??
      blockTemplate(this.service.chain, { time: this.time, data: [`a${id}`] });
    expect(this.idByHash.get(template.header.prevHash), 'same parent').toBe(simParent.seq);
    expect(node.isCurrent(template)).toBe(true);
    const block = this.solve(template);
    this.idByHash.set(block.hash, id);
    this.nodeById.set(id, block);
    const sb = simBlock(id, simParent, 0);
    this.simById.set(id, sb);
    const simReleased = sim.onMined(this.ctx, sb).map((r) => r.block.seq);
    this.nodeReleased = [];
    await node.found(block);
    const nodeReleased = this.nodeReleased;
    this.makePublic(simReleased);
    return { sim: simReleased, node: nodeReleased };
  }

  /** An honest miner finds a block on the honest network's tip; returns released ids. */
  honestFinds(
    sim: SelfishStrategy | DoubleSpendStrategy,
    gammaCoin: boolean,
    txs: TransferTx[] = [],
  ): { sim: number[]; node: number[] } {
    const top = Math.max(...this.publicIds.map((i) => this.simById.get(i)!.height));
    const tied = this.publicIds.filter((i) => this.simById.get(i)!.height === top);
    const parentId = (gammaCoin && tied.find((i) => this.simById.get(i)!.miner === 0)) || tied[0]!;
    const id = this.nextId++;
    const parentNode = this.service.chain.get(
      parentId === 0 ? this.service.chain.genesis.hash : this.nodeById.get(parentId)!.hash,
    )!;
    const spec = this.service.spec;
    const template =
      spec.level === 1
        ? blockTemplate(this.service.chain, {
            parent: parentNode,
            time: this.nextTime(),
            data: [`h${id}`],
          })
        : blockTemplate(this.service.chain, {
            parent: parentNode,
            time: this.nextTime(),
            txs,
            coinbase: '0x' + '11'.repeat(20),
          });
    const block = this.solve(template);
    this.idByHash.set(block.hash, id);
    this.nodeById.set(id, block);
    const sb = simBlock(id, this.simById.get(parentId)!, 1);
    this.simById.set(id, sb);
    this.publicIds.push(id);
    this.nodeReleased = [];
    this.service.submit(block);
    const nodeReleased = this.nodeReleased;
    const before = this.deliverToSim(sb);
    const simReleased = sim.onArrival!(this.ctx, sb, before).map((r) => r.block.seq);
    this.makePublic(simReleased);
    return { sim: simReleased, node: nodeReleased };
  }
}

describe('attack strategies: the simulator and the node decide alike', () => {
  it('selfish mining: same releases, parents and adoptions over random event sequences', async () => {
    const spec = testSpec('devnet-data');
    let races = 0;
    let overrides = 0;
    for (let run = 0; run < 30; run++) {
      const rng = new Rng(run + 1, 7);
      const alpha = 0.25 + 0.2 * rng.next();
      const gamma = rng.next();
      const twin = new Twin(spec, 'selfish');
      const sim = new SelfishStrategy(0);
      const node = new SelfishMining(twin.service_, twin.publish, undefined, quiet);
      for (let step = 0; step < 60; step++) {
        const out =
          rng.next() < alpha
            ? await twin.attackerFinds(sim, node)
            : twin.honestFinds(sim, rng.next() < gamma);
        expect(out.node, `run ${run} step ${step}`).toEqual(out.sim);
        // What /status shows (the explorer draws it): the withheld blocks' heights, and the
        // last release is the blocks just published.
        const st = node.status() as {
          privateBlocks: number;
          privateHeights: [number, number] | null;
          releases: { hashes: string[] }[];
        };
        if (st.privateBlocks === 0) expect(st.privateHeights).toBeNull();
        else expect(st.privateHeights![1] - st.privateHeights![0] + 1).toBe(st.privateBlocks);
        if (out.node.length > 0)
          expect(st.releases.at(-1)!.hashes).toEqual(
            out.node.map((id) => twin.nodeById.get(id)!.hash),
          );
        if (out.sim.length > 0 && out.sim.length < 2) races++;
        if (out.sim.length >= 2) overrides++;
      }
      expect(node.status().privateBlocks).toBe(sim.withheld);
    }
    // The sequences went through every branch of the state machine.
    expect(races).toBeGreaterThan(20);
    expect(overrides).toBeGreaterThan(20);
  });

  it('double spend: same releases, attempts and successes over random event sequences', async () => {
    const spec = testSpec('devnet');
    let attempts = 0;
    let successes = 0;
    for (let run = 0; run < 12; run++) {
      const rng = new Rng(run + 100, 7);
      const q = 0.2 + 0.25 * rng.next();
      const z = Math.floor(rng.next() * 3);
      const twin = new Twin(spec, 'double-spend');
      const sim = new DoubleSpendStrategy(z, 4);
      let payment: TransferTx | null = null;
      const node = new DoubleSpendMining(
        twin.service_,
        (twin.service.state as LedgerMachine).state,
        twin.publish,
        (tx) => (payment = tx),
        {
          payerKey: spec.devKeys[1]!,
          victim: '0x' + '22'.repeat(20),
          amount: 1000n,
          confirmations: z,
          giveUpBehind: 4,
          mempoolUrl: undefined,
          coinbase: '0x' + '33'.repeat(20),
        },
        quiet,
      );
      for (let step = 0; step < 60; step++) {
        let out;
        if (rng.next() < q) out = await twin.attackerFinds(sim, node);
        else {
          // The payment goes in the next honest block, as the model assumes (unless the
          // attacker's conflicting tx already took its nonce).
          const ledger = (twin.service.state as LedgerMachine).state;
          const p = payment as TransferTx | null; // set by the relayTx callback
          const txs = p && ledger.get(p.from).nonce === p.nonce ? [p] : [];
          payment = null;
          out = twin.honestFinds(sim, false, txs);
        }
        expect(out.node, `run ${run} step ${step}`).toEqual(out.sim);
        const rep = sim.report();
        const st = node.status() as { published: number; gaveUp: number };
        expect(st.published + st.gaveUp, `run ${run} step ${step}`).toBe(rep.attempts);
        expect(st.published).toBe(rep.successes);
      }
      attempts += sim.report().attempts;
      successes += sim.report().successes;
    }
    expect(attempts).toBeGreaterThan(20);
    expect(successes).toBeGreaterThan(5);
    expect(successes).toBeLessThan(attempts);
  });
});

describe('double spend: a nonce the victim has seen a payment for is never used again', () => {
  const spec = testSpec('devnet');
  const honestCoinbase = '0x' + '11'.repeat(20);

  function setup() {
    const service = new ServiceStub(spec);
    const ledger = (service.state as LedgerMachine).state;
    const sent: TransferTx[] = [];
    let time = spec.genesis.time;
    const node = new DoubleSpendMining(
      service as unknown as ChainService,
      ledger,
      async (blocks) => {
        for (const b of blocks) service.submit(b);
      },
      (tx) => sent.push(tx),
      {
        payerKey: spec.devKeys[1]!,
        victim: '0x' + '22'.repeat(20),
        amount: 1000n,
        confirmations: 1,
        giveUpBehind: 2,
        mempoolUrl: undefined,
        coinbase: '0x' + '33'.repeat(20),
      },
      quiet,
    );
    const payer = privateKeyToAddress(spec.devKeys[1]!);
    return {
      service,
      node,
      sent,
      nonce: () => ledger.get(payer).nonce,
      /** The attacker's miner: mine the strategy's template and hand it the block. */
      attackerMines: async () => {
        const template = node.template(++time)!;
        expect(node.isCurrent(template)).toBe(true);
        const block = solveBlock(template);
        await node.found(block);
        return block;
      },
      honestMines: (txs: TransferTx[] = []) =>
        service.submit(
          solveBlock(blockTemplate(service.chain, { time: ++time, txs, coinbase: honestCoinbase })),
        ),
    };
  }

  const txsOf = (b: Block) => (isTxBlock(b) ? b.txs.filter((t) => t.kind === 'transfer') : []);

  it('gives up before the payment made a block: settles the payment, then takes the next nonce', async () => {
    const t = setup();
    const first = await t.attackerMines(); // the private block with the conflicting tx
    expect(t.sent).toHaveLength(1);
    const payment = t.sent[0]!;
    expect(payment.nonce).toBe(0);
    expect(txsOf(first).map((x) => x.nonce)).toEqual([0]);
    // The payment misses the honest blocks (it arrived late); 2 behind: the attacker gives up.
    t.honestMines();
    t.honestMines();
    t.honestMines();
    expect(t.node.status()).toMatchObject({ attempts: 1, gaveUp: 1, published: 0 });
    expect(t.nonce()).toBe(0); // the payment still owns nonce 0 in the peers' mempools

    // Next: not a new conflicting tx with nonce 0, but the pending payment, mined in public.
    const settling = await t.attackerMines();
    expect(txsOf(settling).map(txid)).toEqual([txid(payment)]);
    expect(t.service.chain.tip.hash).toBe(settling.hash);
    expect(t.nonce()).toBe(1);

    // Then a fresh attempt on nonce 1, whose payment is valid on the public chain.
    const second = await t.attackerMines();
    expect(txsOf(second).map((x) => x.nonce)).toEqual([1]);
    expect(t.sent).toHaveLength(2);
    expect(t.sent[1]!.nonce).toBe(1);
    expect(txid(t.sent[1]!)).not.toBe(txid(payment));
    t.honestMines([t.sent[1]!]);
    expect(t.nonce()).toBe(2);
  });

  it('gives up after the payment made a block: the next attempt takes the next nonce at once', async () => {
    const t = setup();
    await t.attackerMines();
    t.honestMines([t.sent[0]!]);
    t.honestMines();
    t.honestMines();
    expect(t.node.status()).toMatchObject({ gaveUp: 1 });
    expect(t.nonce()).toBe(1);
    const next = await t.attackerMines();
    expect(t.service.chain.get(next.hash)).toBeUndefined(); // private: a new attempt
    expect(txsOf(next).map((x) => x.nonce)).toEqual([1]);
    expect(t.sent.map((x) => x.nonce)).toEqual([0, 1]);
  });
});
