// The discrete-event simulator.
//
// Blocks are real chainlab blocks: built with core's blockTemplate on their parent (so their
// bits follow the spec's retarget rule and their time the median-time-past rule), solved for
// real against an easy target, and validated once by a shared core Chain (the block store).
// Time and hash rate are simulated:
//
// - Proof of work. A miner with hash rate h working on a template whose target needs W
//   hashes on average finds blocks as a Poisson process of rate h/W. All miners together:
//   rate Σ h_i/W_i. The engine draws candidate times at the bound Λ = Σ h_i / W_low
//   (W_low ≤ every W_i), picks a miner by hash rate and keeps the candidate with probability
//   W_low/W_i (thinning, Lewis & Shedler 1979): exactly the superposition of the miners'
//   Poisson processes, with one random draw per candidate whoever mines.
// - The network. A published block reaches node j at r + its delivery delay in the current
//   fault state (network.ts: shortest paths of a mesh, or hop-by-hop relay over a sparse
//   random graph with per-hop transfer time), and never before its parent. Each node's view is then a closed formula: its tip at time t is, of the
//   blocks that reached it by t, the one with most work, the first seen among equal work —
//   core's fork choice. It is evaluated only when needed (when the node mines), over the
//   few blocks that can still be anyone's tip (`live`), so 1,000 nodes cost about as much
//   as 10. With sim.verify every node also owns a full core Chain fed with the same
//   deliveries, and the engine checks, every time a node mines, that core's tip equals
//   the formula's (tests run small scenarios this way).
// - Strategies (strategies/) choose the parent and when to publish; eager ones (selfish)
//   get an event for every block delivered to their node.
// - Faults (kill/restart, partition/heal) change the topology: nodes that hold a block
//   re-announce it over the new links; messages in flight on a cut link are lost.
//
// The parts: block-factory.ts (blocks), miners.ts (who mines), events.ts (the queue),
// arrivals.ts (when each block reaches each node), views.ts (components and tips),
// strategy-nodes.ts, faults.ts, verify.ts; this file runs them.
import type { ChainSpec } from '@chainlab/core';
import { Arrivals } from './arrivals.js';
import { BlockFactory } from './block-factory.js';
import { DelayCounter } from './delay-counter.js';
import { EventQueue, RANK_STOP, type SimEvent } from './events.js';
import { SimFaults, type FaultRecord } from './faults.js';
import { MinerTable } from './miners.js';
import { NetworkModel } from './network.js';
import { Rng } from './rng.js';
import type { Scenario } from './scenario.js';
import type { Release } from './strategies/index.js';
import { StrategyNodes } from './strategy-nodes.js';
import type { SimBlock } from './types.js';
import { CoreVerifier } from './verify.js';
import { NodeViews, type TipView } from './views.js';

// The engine's parts, each in a file of its own, re-exported here as they always were.
export { SIM_POW_LIMIT_BITS, bitsForWork } from './block-factory.js';
export { DelayCounter } from './delay-counter.js';
export { heightFaultsInOrder, type FaultRecord } from './faults.js';

export interface SimProgress {
  blocks: number;
  height: number;
  time: number;
  /** 0..1 towards the stop condition. */
  fraction: number;
}

export interface SimNodeResult {
  id: string;
  group: string;
  strategy: string;
  /** What the node's strategy counted (strategies with report()), else null. */
  report: object | null;
  /** Hash share at the start. */
  hashShare: number;
  online: boolean;
  /** The node's tip once every published block was delivered. */
  tip: SimBlock;
}

export interface SimResult {
  scenario: Scenario;
  spec: ChainSpec;
  /** Every block, genesis first, in the order they were mined. */
  blocks: SimBlock[];
  /** The most-work published chain's tip (first published among equal work). */
  mainTip: SimBlock;
  nodes: SimNodeResult[];
  /** Delivery delays (seconds) of every (block, node) pair not disturbed by a fault. */
  propagation: DelayCounter;
  faults: FaultRecord[];
  /** Simulated seconds when the stop condition was met. */
  duration: number;
  stats: {
    candidates: number;
    accepted: number;
    events: number;
    wallMs: number;
    verifiedTips: number;
  };
}

/**
 * One run: the mining loop (candidate blocks at the bound rate, thinned per miner) and the
 * event queue, over parts that each own one group of state — blocks (BlockFactory), who
 * mines (MinerTable), arrivals (Arrivals), what each node sees (NodeViews), strategies
 * (StrategyNodes), faults (SimFaults) and verify mode (CoreVerifier).
 */
export class Simulation {
  readonly scenario: Scenario;
  readonly spec: ChainSpec;
  readonly n: number;
  private readonly ids: string[];
  private readonly rng: Rng;
  private readonly factory: BlockFactory;
  private readonly events = new EventQueue();
  private readonly miners: MinerTable;
  private readonly arrivals: Arrivals;
  private readonly views: NodeViews;
  private readonly strategies: StrategyNodes;
  private readonly faults: SimFaults;
  private readonly verifier: CoreVerifier | null;

  private now = 0;
  /** Every block, genesis first, in the order mined: blocks[seq]. */
  private readonly blocks: SimBlock[] = [];
  private mined = 0;
  private released = 0;
  private publicHeight = 0;
  private bestReleased: SimBlock;
  private stopped = false;
  private readonly propagation = new DelayCounter();
  private readonly stats = { candidates: 0, accepted: 0, events: 0, wallMs: 0, verifiedTips: 0 };

  constructor(scenario: Scenario, opts: { verify?: boolean } = {}) {
    this.scenario = scenario;
    const seed = scenario.seed;
    const verify = opts.verify ?? scenario.sim.verify;
    const n = scenario.nodes.length;
    this.n = n;
    this.ids = scenario.nodes.map((node) => node.id);
    this.factory = new BlockFactory(scenario);
    this.spec = this.factory.spec;
    const network = new NetworkModel(scenario, seed);
    this.rng = new Rng(seed, 1);
    const genesis = this.factory.genesis;
    this.blocks.push(genesis);
    this.bestReleased = genesis;

    this.miners = new MinerTable(scenario.nodes.map((node) => node.hashShare));
    this.arrivals = new Arrivals(n, network, seed, verify);
    this.strategies = new StrategyNodes(
      scenario.nodes,
      genesis,
      () => this.now,
      (j, t) => this.views.lightTip(j, t),
    );
    this.views = new NodeViews(
      n,
      genesis,
      network,
      this.arrivals,
      this.events,
      this.strategies.eager,
      this.propagation,
    );
    this.verifier = verify
      ? new CoreVerifier(this.spec, n, genesis, this.ids, this.factory.genesisTime, this.arrivals)
      : null;
    this.faults = new SimFaults(scenario.faults, this.ids, this.views, this.miners, this.events, {
      now: () => this.now,
      publicHeight: () => this.publicHeight,
      stopped: () => this.stopped,
      rebuildTopology: (snapshot) => this.rebuildTopology(snapshot),
    });
  }

  // ---------------------------------------------------------------------------------------
  // Running
  // ---------------------------------------------------------------------------------------

  run(onProgress?: (p: SimProgress) => void): SimResult {
    const started = performance.now();
    this.rebuildTopology(null);
    this.miners.rebuild(this.views.online);
    this.faults.scheduleTimed();
    if (this.scenario.stop.seconds !== undefined)
      this.events.push({ kind: 'stop', time: this.scenario.stop.seconds, rank: RANK_STOP });
    this.faults.applyDue();

    let lastProgress = 0;
    while (!this.stopped) {
      const wLow = this.lowestWork();
      const rate = (this.miners.total * this.factory.h0) / wLow;
      const candidate = rate > 0 ? this.now + this.rng.exp() / rate : Infinity;
      const ev = this.events.peek();
      if (ev && ev.time <= candidate) {
        this.events.pop();
        this.now = ev.time;
        this.handle(ev);
        continue;
      }
      if (candidate === Infinity) break; // nobody mines and nothing is scheduled
      this.now = candidate;
      this.stats.candidates++;
      const j = this.miners.pick(this.rng.next());
      const accept = this.rng.next();
      if (this.verifier) this.verifyNode(j);
      const parent = this.strategies.miningParent(j);
      const w = this.childWork(parent);
      if (accept * w < wLow) {
        this.stats.accepted++;
        this.mine(j, parent);
        if (onProgress && this.mined - lastProgress >= 256) {
          lastProgress = this.mined;
          onProgress(this.progress());
        }
      }
    }
    const duration = this.now;
    this.drain();
    if (onProgress) onProgress({ ...this.progress(), fraction: 1 });
    this.stats.wallMs = performance.now() - started;
    return this.result(duration);
  }

  private progress(): SimProgress {
    const s = this.scenario.stop;
    const f = Math.max(
      s.blocks !== undefined ? this.mined / s.blocks : 0,
      s.height !== undefined ? this.publicHeight / s.height : 0,
      s.seconds !== undefined ? this.now / s.seconds : 0,
    );
    return {
      blocks: this.mined,
      height: this.publicHeight,
      time: this.now,
      fraction: Math.min(1, f),
    };
  }

  private handle(ev: SimEvent): void {
    this.stats.events++;
    switch (ev.kind) {
      case 'arrival':
        return this.onEagerArrival(ev.block, ev.node, ev.version);
      case 'settle':
        return this.views.onSettle(ev.block, ev.comp, ev.version, this.now);
      case 'fault':
        return this.faults.apply(ev.fault);
      case 'restart':
        return this.faults.restart(ev.nodes);
      case 'stop':
        this.stopped = true;
        return;
    }
  }

  /** After the stop: no more mining or faults; deliver what is in flight (eager nodes may still publish). */
  private drain(): void {
    for (;;) {
      const ev = this.events.pop();
      if (!ev) break;
      if (ev.kind !== 'arrival' && ev.kind !== 'settle') continue;
      this.now = Math.max(this.now, ev.time);
      this.handle(ev);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Mining
  // ---------------------------------------------------------------------------------------

  /** Expected hashes for a block on top of `b` (the bits the retarget rule gives its child). */
  childWork(b: SimBlock): number {
    return this.factory.childWork(b);
  }

  /** A lower bound of every miner's template work: min over blocks anyone may mine on. */
  private lowestWork(): number {
    let w = this.views.lowestWork((b) => this.childWork(b));
    for (const j of this.strategies.eager)
      w = Math.min(w, this.childWork(this.strategies.miningParent(j)));
    return w;
  }

  private mine(j: number, parent: SimBlock): void {
    const rec = this.factory.mine(j, this.ids[j]!, parent, this.blocks.length, this.now);
    this.blocks.push(rec);
    this.mined++;
    this.verifier?.deliverOwn(j, rec);
    this.release(j, this.strategies.onMined(j, rec));
    const s = this.scenario.stop;
    if (
      (s.blocks !== undefined && this.mined >= s.blocks) ||
      (s.height !== undefined && this.publicHeight >= s.height)
    ) {
      this.stopped = true;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Publishing and delivery
  // ---------------------------------------------------------------------------------------

  /** Publishes blocks of node `s` now, in order (parents before children). */
  private release(s: number, releases: Release[]): void {
    if (releases.length === 0) return;
    const t = this.now;
    const g = this.views.componentOf(s);
    const race = releases.find((r) => r.race)?.race;
    const batch: SimBlock[] = [];
    for (const { block } of releases) {
      if (block.releasedAt !== Infinity) continue;
      block.releasedAt = t;
      block.releaseSeq = ++this.released;
      this.arrivals.publish(block, s, t, g);
      batch.push(block);
      this.verifier?.released(block);
    }
    if (batch.length === 0) return;
    const gamma = this.strategies.gamma(s);
    if (race && gamma > 0)
      this.arrivals.favourRace(batch, race, s, t, gamma, g, this.views.components);
    for (const b of batch) {
      this.views.track(b, this.now);
      if (b.height > this.publicHeight) this.publicHeight = b.height;
      if (b.chainwork > this.bestReleased.chainwork) this.bestReleased = b;
    }
    this.faults.applyDue();
  }

  private onEagerArrival(b: SimBlock, e: number, version: number): void {
    const net = this.arrivals.get(b.seq);
    if (!net || net.retired || net.version !== version) return;
    const before = this.strategies.deliver(e, b, net.arr[e]!, net.first?.[e] ?? 0);
    if (this.verifier) this.verifyNode(e);
    if (!this.views.online[e]) return;
    const releases = this.strategies.onArrival(e, b, before);
    if (releases) this.release(e, releases);
  }

  /** Node j's tip at time t (the views' closed formula; see views.ts). */
  lightTip(j: number, t: number): SimBlock {
    return this.views.lightTip(j, t);
  }

  private rebuildTopology(snapshot: TipView[] | null): void {
    this.views.rebuild(snapshot, this.now, this.blocks);
  }

  /** Verify mode: node j's core Chain catches up to now and its tip is checked. */
  private verifyNode(j: number): void {
    const check = !this.strategies.isEager(j) && this.views.online[j];
    const light = check ? this.views.lightTip(j, this.now) : null;
    if (this.verifier!.verifyNode(j, this.now, light)) this.stats.verifiedTips++;
  }

  // ---------------------------------------------------------------------------------------
  // Results
  // ---------------------------------------------------------------------------------------

  private result(duration: number): SimResult {
    const end = Number.MAX_VALUE;
    const nodes: SimNodeResult[] = this.scenario.nodes.map((node, j) => {
      if (this.verifier) {
        const saved = this.now;
        this.now = Number.MAX_VALUE;
        this.verifyNode(j);
        this.now = saved;
      }
      const tip = this.strategies.isEager(j)
        ? this.strategies.eagerTip(j)
        : this.views.lightTip(j, end);
      return {
        id: node.id,
        group: node.group,
        strategy: node.strategy.type,
        report: this.strategies.report(j),
        hashShare: node.hashShare,
        online: this.views.online[j] === 1,
        tip,
      };
    });
    // Main chain: most work; of equal work the first published.
    let mainTip = this.bestReleased;
    for (const b of this.blocks) {
      if (b.releasedAt === Infinity) continue;
      if (
        b.chainwork > mainTip.chainwork ||
        (b.chainwork === mainTip.chainwork && b.releaseSeq < mainTip.releaseSeq)
      ) {
        mainTip = b;
      }
    }
    return {
      scenario: this.scenario,
      spec: this.spec,
      blocks: this.blocks,
      mainTip,
      nodes,
      propagation: this.propagation,
      faults: this.faults.log,
      duration,
      stats: this.stats,
    };
  }
}

/** Runs a validated scenario in the simulator. */
export function simulate(
  scenario: Scenario,
  opts: { verify?: boolean; onProgress?: (p: SimProgress) => void } = {},
): SimResult {
  return new Simulation(scenario, { verify: opts.verify }).run(opts.onProgress);
}
