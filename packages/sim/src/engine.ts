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
import { MinHeap, type Keyed } from './heap.js';
import { NetworkModel } from './network.js';
import { Rng, hashUniform } from './rng.js';
import { scenarioSpec, type Fault, type Scenario } from './scenario.js';
import {
  strategyDef,
  type Release,
  type Strategy,
  type StrategyContext,
} from './strategies/index.js';
import type { SimBlock } from './types.js';

export const SIM_POW_LIMIT_BITS = 0x207fffff;

/** Genesis bits whose target needs `work` hashes on average. */
export function bitsForWork(work: number): number {
  return targetToBits((1n << 256n) / BigInt(Math.round(work)) - 1n);
}

interface BlockNet {
  /** Arrival time at each node (Infinity: not reachable now). */
  arr: Float64Array;
  /** 1 where the block is delivered before other blocks arriving at the same instant (γ). */
  first: Uint8Array | null;
  /** Bumped when arrivals are recomputed: events of an older version are ignored. */
  version: number;
  /** Propagation stats are recorded for it (no fault changed its delivery). */
  clean: boolean;
  /** Component (epoch-unique id) it was released in. */
  releaseComp: number;
  /**
   * No view can need it any more. Without verify the record is dropped; with verify it is
   * kept (the per-node Chains still get the block) but takes no part in the simulation.
   */
  retired: boolean;
}

interface Comp {
  id: number;
  members: number[];
  /** Every member has a block with at least this much work. */
  floor: number;
  /** Released blocks that may be (or become) a member's tip. */
  live: SimBlock[];
  /** Members' tips at the last fault (they may have no arrival record). */
  bases: SimBlock[];
}

type SimEvent = Keyed &
  (
    | { kind: 'fault'; fault: Fault }
    | { kind: 'restart'; nodes: number[] }
    | { kind: 'arrival'; block: SimBlock; node: number; version: number }
    | { kind: 'settle'; block: SimBlock; comp: number; version: number }
    | { kind: 'stop' }
  );

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const RANK_FAULT = 0;
const RANK_ARRIVAL_FIRST = 1;
const RANK_ARRIVAL = 2;
const RANK_SETTLE = 3;
const RANK_STOP = 4;

export interface FaultRecord {
  time: number;
  height: number;
  description: string;
}

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

/** Counts of delay values: exact percentiles when they are few distinct values. */
export class DelayCounter {
  private readonly counts = new Map<number, number>();
  private histogram: Float64Array | null = null;
  total = 0;

  add(value: number): void {
    this.total++;
    if (this.histogram) {
      this.histogram[DelayCounter.bin(value)]! += 1;
      return;
    }
    this.counts.set(value, (this.counts.get(value) ?? 0) + 1);
    if (this.counts.size > 200_000) {
      // Too many distinct values: fall back to log bins (0.23% wide), from 1 µs to 10^6 s.
      this.histogram = new Float64Array(12_001);
      for (const [v, c] of this.counts) this.histogram[DelayCounter.bin(v)]! += c;
      this.counts.clear();
    }
  }

  private static bin(v: number): number {
    if (v <= 1e-6) return 0;
    return Math.min(12_000, Math.max(0, Math.floor((Math.log10(v) + 6) * 1000)));
  }

  /** The q-quantile (0..1), nearest rank; null when empty. */
  quantile(q: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.total));
    if (this.histogram) {
      let seen = 0;
      for (let b = 0; b < this.histogram.length; b++) {
        seen += this.histogram[b]!;
        if (seen >= rank) return b === 0 ? 0 : 10 ** ((b + 0.5) / 1000 - 6);
      }
      return null;
    }
    const values = [...this.counts.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const v of values) {
      seen += this.counts.get(v)!;
      if (seen >= rank) return v;
    }
    return values[values.length - 1]!;
  }
}

/**
 * Order of two blocks for a node (core's fork choice): most work, then the first seen —
 * earliest arrival; at the same instant a γ-first block, then the one published first.
 */
function beats(
  b: SimBlock,
  a: number,
  f: number,
  best: SimBlock,
  bestA: number,
  bestF: number,
): boolean {
  if (b.chainwork !== best.chainwork) return b.chainwork > best.chainwork;
  if (a !== bestA) return a < bestA;
  if (f !== bestF) return f > bestF;
  return b.releaseSeq < best.releaseSeq;
}

export class Simulation {
  readonly scenario: Scenario;
  readonly spec: ChainSpec;
  readonly n: number;
  private readonly ids: string[];
  private readonly chain: Chain;
  private readonly network: NetworkModel;
  private readonly rng: Rng;
  private readonly seed: number;
  private readonly verify: boolean;
  /** Hashes per second of share 1 (the genesis difficulty gives the target interval). */
  private readonly h0: number;
  private readonly genesisTime: number;

  private now = 0;
  private readonly blocks: SimBlock[] = [];
  private readonly net: (BlockNet | undefined)[] = [];
  private readonly queue = new MinHeap<SimEvent>();
  private eventSeq = 0;

  // Fault state.
  private readonly online: Uint8Array;
  private readonly partitionOf: Int32Array;
  /** Partition index of each online node (-1 down): nodes link only inside their group. */
  private linkGroup: Int32Array;
  /** Component (epoch-unique id) of each node: the nodes it can reach now; -1 down. */
  private group: Int32Array;
  private topologyBuilt = false;
  private comps = new Map<number, Comp>();
  private nextCompId = 0;
  private readonly baseTip: SimBlock[];
  private readonly baseArr: Float64Array;
  private readonly baseFirst: Uint8Array;

  // Mining.
  private readonly share: Float64Array;
  private minerIndex: number[] = [];
  private minerCum: number[] = [];
  private totalShare = 0;
  private readonly strategies: Strategy[];
  private readonly eager: number[] = [];
  private readonly views = new Map<number, { tip: SimBlock; arr: number; first: number }>();
  private readonly contexts: StrategyContext[];

  // Progress and results.
  private mined = 0;
  private released = 0;
  private publicHeight = 0;
  private bestReleased: SimBlock;
  private readonly heightFaults: Fault[];
  private readonly pendingRestarts: { height: number; nodes: number[] }[] = [];
  private stopped = false;
  private readonly faultLog: FaultRecord[] = [];
  private readonly propagation = new DelayCounter();
  private readonly stats = { candidates: 0, accepted: 0, events: 0, wallMs: 0, verifiedTips: 0 };
  private readonly capacity: number;
  private readonly arrayPool: Float64Array[] = [];
  private retiring: SimBlock[] = [];

  // Verify mode: one core Chain per node and what was delivered to it.
  private readonly chains: Chain[] = [];
  private readonly delivered: Set<number>[] = [];
  private readonly deliveredLow: number[] = [];
  private readonly releasedOrder: SimBlock[] = [];

  constructor(scenario: Scenario, opts: { verify?: boolean } = {}) {
    this.scenario = scenario;
    this.seed = scenario.seed;
    this.verify = opts.verify ?? scenario.sim.verify;
    this.n = scenario.nodes.length;
    this.ids = scenario.nodes.map((n) => n.id);
    this.spec = scenarioSpec(scenario.chain, {
      name: `sim-${scenario.name}`,
      genesisBits: bitsForWork(scenario.sim.genesisWork),
      powLimitBits: SIM_POW_LIMIT_BITS,
    });
    this.genesisTime = this.spec.genesis.time;
    this.chain = new Chain(this.spec, new NoState(), { maxOrphans: 0 });
    this.network = new NetworkModel(scenario, this.seed);
    this.rng = new Rng(this.seed, 1);
    const genesisWork = Number(headerWork(this.spec.genesis.bits));
    this.h0 = genesisWork / this.spec.targetBlockTimeSeconds;
    this.capacity =
      scenario.load.txPerSecond > 0
        ? Math.max(0, Math.floor((this.spec.maxBlockBytes - 81) / scenario.load.txBytes))
        : 0;

    const genesis: SimBlock = {
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
    this.blocks.push(genesis);
    this.bestReleased = genesis;

    const n = this.n;
    this.online = new Uint8Array(n).fill(1);
    this.partitionOf = new Int32Array(n);
    this.linkGroup = new Int32Array(n);
    this.group = new Int32Array(n);
    this.baseTip = new Array<SimBlock>(n).fill(genesis);
    this.baseArr = new Float64Array(n).fill(-Infinity);
    this.baseFirst = new Uint8Array(n);
    this.share = Float64Array.from(scenario.nodes.map((node) => node.hashShare));
    this.strategies = scenario.nodes.map((node) =>
      strategyDef(node.strategy.type).create(node.strategy),
    );
    this.contexts = this.strategies.map((s, j) => ({
      self: j,
      now: () => this.now,
      publicTip: () => (s.eager ? this.views.get(j)!.tip : this.lightTip(j, this.now)),
    }));
    this.strategies.forEach((s, j) => {
      if (s.eager) {
        this.eager.push(j);
        this.views.set(j, { tip: genesis, arr: -Infinity, first: 0 });
      }
    });
    if (this.verify) {
      for (let j = 0; j < n; j++) {
        this.chains.push(new Chain(this.spec, new NoState()));
        this.delivered.push(new Set([0]));
        this.deliveredLow.push(1);
      }
      this.releasedOrder.push(genesis);
    }
    this.heightFaults = scenario.faults
      .filter((f) => 'height' in f.at)
      .sort((a, b) => (a.at as { height: number }).height - (b.at as { height: number }).height);
  }

  // ---------------------------------------------------------------------------------------
  // Running
  // ---------------------------------------------------------------------------------------

  run(onProgress?: (p: SimProgress) => void): SimResult {
    const started = performance.now();
    this.rebuildTopology(null);
    this.rebuildMiners();
    for (const f of this.scenario.faults)
      if ('seconds' in f.at)
        this.push({ kind: 'fault', fault: f, time: f.at.seconds, rank: RANK_FAULT });
    if (this.scenario.stop.seconds !== undefined)
      this.push({ kind: 'stop', time: this.scenario.stop.seconds, rank: RANK_STOP });
    this.applyHeightFaults();

    let lastProgress = 0;
    while (!this.stopped) {
      const wLow = this.lowestWork();
      const rate = (this.totalShare * this.h0) / wLow;
      const candidate = rate > 0 ? this.now + this.rng.exp() / rate : Infinity;
      const ev = this.queue.peek();
      if (ev && ev.time <= candidate) {
        this.queue.pop();
        this.now = ev.time;
        this.handle(ev);
        continue;
      }
      if (candidate === Infinity) break; // nobody mines and nothing is scheduled
      this.now = candidate;
      this.stats.candidates++;
      const j = this.pickMiner(this.rng.next());
      const accept = this.rng.next();
      if (this.verify) this.verifyNode(j);
      const parent = this.strategies[j]!.miningParent(this.contexts[j]!);
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

  private push(e: DistributiveOmit<SimEvent, 'seq'> & { seq?: number }): void {
    (e as SimEvent).seq ??= this.eventSeq++;
    this.queue.push(e as SimEvent);
  }

  private handle(ev: SimEvent): void {
    this.stats.events++;
    switch (ev.kind) {
      case 'arrival':
        return this.onEagerArrival(ev.block, ev.node, ev.version);
      case 'settle':
        return this.onSettle(ev.block, ev.comp, ev.version);
      case 'fault':
        return this.applyFault(ev.fault);
      case 'restart':
        return this.restart(ev.nodes);
      case 'stop':
        this.stopped = true;
        return;
    }
  }

  /** After the stop: no more mining or faults; deliver what is in flight (eager nodes may still publish). */
  private drain(): void {
    for (;;) {
      const ev = this.queue.pop();
      if (!ev) break;
      if (ev.kind !== 'arrival' && ev.kind !== 'settle') continue;
      this.now = Math.max(this.now, ev.time);
      this.handle(ev);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Mining
  // ---------------------------------------------------------------------------------------

  private rebuildMiners(): void {
    this.minerIndex = [];
    this.minerCum = [];
    let sum = 0;
    for (let j = 0; j < this.n; j++) {
      if (!this.online[j] || this.share[j]! <= 0) continue;
      sum += this.share[j]!;
      this.minerIndex.push(j);
      this.minerCum.push(sum);
    }
    this.totalShare = sum;
  }

  private pickMiner(u: number): number {
    const x = u * this.totalShare;
    let lo = 0;
    let hi = this.minerCum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.minerCum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.minerIndex[lo]!;
  }

  /** Expected hashes for a block on top of `b` (the bits the retarget rule gives its child). */
  childWork(b: SimBlock): number {
    if (Number.isNaN(b.childWork))
      b.childWork = Number(headerWork(this.chain.nextBitsAfter(b.node)));
    return b.childWork;
  }

  /** A lower bound of every miner's template work: min over blocks anyone may mine on. */
  private lowestWork(): number {
    let w = Infinity;
    for (const c of this.comps.values()) {
      for (const b of c.live) w = Math.min(w, this.childWork(b));
      for (const b of c.bases) w = Math.min(w, this.childWork(b));
    }
    for (const j of this.eager)
      w = Math.min(w, this.childWork(this.strategies[j]!.miningParent(this.contexts[j]!)));
    return w;
  }

  private mine(j: number, parent: SimBlock): void {
    const t = this.now;
    const seq = this.blocks.length;
    let txs = 0;
    if (this.capacity > 0) {
      const arrived = Math.floor(this.scenario.load.txPerSecond * t);
      txs = Math.max(0, Math.min(this.capacity, arrived - parent.cumTxs));
    }
    const headerTime = this.genesisTime + Math.floor(t);
    const template = blockTemplate(this.chain, {
      parent: parent.node,
      time: headerTime,
      data: [`${this.ids[j]}#${seq}`],
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
    const rec: SimBlock = {
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
    this.blocks.push(rec);
    this.mined++;
    if (this.verify) this.deliverOwn(j, rec);
    const releases = this.strategies[j]!.onMined(this.contexts[j]!, rec);
    this.release(j, releases);
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

  private newArray(): Float64Array {
    return this.arrayPool.pop() ?? new Float64Array(this.n);
  }

  /** Publishes blocks of node `s` now, in order (parents before children). */
  private release(s: number, releases: Release[]): void {
    if (releases.length === 0) return;
    const t = this.now;
    const n = this.n;
    const g = this.group[s]!;
    const gamma = this.strategies[s]!.gamma;
    const race = releases.find((r) => r.race)?.race;
    const batch: SimBlock[] = [];
    for (const { block } of releases) {
      if (block.releasedAt !== Infinity) continue;
      block.releasedAt = t;
      block.releaseSeq = ++this.released;
      const arr = this.newArray();
      this.network.deliver(s, t, block.bytes, arr);
      arr[s] = t; // the publisher holds it, even while down
      const net: BlockNet = {
        arr,
        first: null,
        version: 0,
        clean: true,
        releaseComp: g,
        retired: false,
      };
      this.net[block.seq] = net;
      const parentNet = block.parent ? this.net[block.parent.seq] : undefined;
      if (parentNet)
        for (let j = 0; j < n; j++) if (parentNet.arr[j]! > arr[j]!) arr[j] = parentNet.arr[j]!;
      batch.push(block);
      if (this.verify) this.releasedOrder.push(block);
    }
    if (batch.length === 0) return;
    // γ: the releaser's race blocks reach each other node, with probability γ (one coin per
    // race and node), no later than the honest block they match — and first if at the same
    // instant. With zero delays this is exactly Eyal & Sirer's tie-break.
    if (race && gamma > 0) {
      const raceArr = this.net[race.seq]?.arr;
      for (let j = 0; j < n; j++) {
        // The race block's own miner saw it first: it keeps mining on it.
        if (j === s || j === race.miner || this.group[j] !== g) continue;
        if (hashUniform(this.seed, race.seq, j) >= gamma) continue;
        const a = Math.max(t, raceArr ? raceArr[j]! : t);
        for (const b of batch) {
          const net = this.net[b.seq]!;
          if (a > net.arr[j]!) continue;
          const parentArr = b.parent ? this.net[b.parent.seq]?.arr[j] : undefined;
          net.arr[j] = parentArr !== undefined ? Math.max(a, parentArr) : a;
          net.first ??= new Uint8Array(n);
          net.first[j] = 1;
        }
      }
    }
    for (const b of batch) {
      this.trackReleased(b);
      if (b.height > this.publicHeight) this.publicHeight = b.height;
      if (b.chainwork > this.bestReleased.chainwork) this.bestReleased = b;
    }
    this.applyHeightFaults();
  }

  /** Registers a block's (re)computed arrivals: live lists, settle and eager-arrival events. */
  private trackReleased(b: SimBlock): void {
    const net = this.net[b.seq]!;
    for (const c of this.comps.values()) {
      let max = -Infinity;
      let reach = false;
      for (const j of c.members) {
        const a = net.arr[j]!;
        if (a === Infinity) continue;
        reach = true;
        if (a > max) max = a;
      }
      if (!reach) continue;
      if (b.chainwork >= c.floor && !c.live.includes(b)) c.live.push(b);
      this.push({
        kind: 'settle',
        block: b,
        comp: c.id,
        version: net.version,
        time: Math.max(max, this.now),
        rank: RANK_SETTLE,
      });
    }
    for (const e of this.eager) {
      const a = net.arr[e]!;
      if (a === Infinity || a < this.now) continue;
      this.push({
        kind: 'arrival',
        block: b,
        node: e,
        version: net.version,
        time: a,
        rank: net.first?.[e] ? RANK_ARRIVAL_FIRST : RANK_ARRIVAL,
        seq: b.releaseSeq,
      });
    }
  }

  private onSettle(b: SimBlock, compId: number, version: number): void {
    this.retireDue();
    const net = this.net[b.seq];
    const c = this.comps.get(compId);
    if (!net || net.retired || net.version !== version || !c) return;
    if (net.clean && net.releaseComp === compId) {
      for (const j of c.members)
        if (j !== b.miner && net.arr[j]! !== Infinity)
          this.propagation.add(net.arr[j]! - b.releasedAt);
      net.clean = false; // recorded once
    }
    if (b.chainwork > c.floor) {
      c.floor = b.chainwork;
      const dropped = c.live.filter((x) => x.chainwork < c.floor);
      c.live = c.live.filter((x) => x.chainwork >= c.floor);
      c.bases = c.bases.filter((x) => x.chainwork >= c.floor);
      for (const d of dropped) this.retiring.push(d);
    }
    if (!c.live.includes(b)) this.retiring.push(b);
  }

  /**
   * Retires the arrival records no view can need again: blocks in no live list, delivered
   * everywhere they can reach strictly before now (so no event for them is pending).
   */
  private retireDue(): void {
    if (this.retiring.length === 0) return;
    const keep: SimBlock[] = [];
    for (const b of this.retiring) {
      const net = this.net[b.seq];
      if (!net || net.retired) continue;
      let due = true;
      for (const c of this.comps.values()) if (c.live.includes(b)) due = false;
      for (let j = 0; due && j < this.n; j++) {
        const a = net.arr[j]!;
        if (a !== Infinity && a >= this.now) due = false;
      }
      if (!due) {
        if (!keep.includes(b)) keep.push(b);
        continue;
      }
      net.retired = true;
      if (!this.verify) {
        this.net[b.seq] = undefined;
        this.arrayPool.push(net.arr);
      }
    }
    this.retiring = keep;
  }

  private onEagerArrival(b: SimBlock, e: number, version: number): void {
    const net = this.net[b.seq];
    if (!net || net.retired || net.version !== version) return;
    const view = this.views.get(e)!;
    const a = net.arr[e]!;
    const f = net.first?.[e] ?? 0;
    const before = view.tip;
    if (beats(b, a, f, view.tip, view.arr, view.first)) {
      view.tip = b;
      view.arr = a;
      view.first = f;
    }
    if (this.verify) this.verifyNode(e);
    const strategy = this.strategies[e]!;
    if (strategy.onArrival && this.online[e])
      this.release(e, strategy.onArrival(this.contexts[e]!, b, before));
  }

  /**
   * Node j's tip at time t: of the blocks that reached it, most work, first seen. Only
   * `live` blocks and its tip at the last fault can win (every other block has less work
   * than a block all members already have).
   */
  lightTip(j: number, t: number): SimBlock {
    return this.lightTipFull(j, t).tip;
  }

  private lightTipFull(j: number, t: number): { tip: SimBlock; arr: number; first: number } {
    let best = this.baseTip[j]!;
    let bestA = this.baseArr[j]!;
    let bestF = this.baseFirst[j]!;
    if (!this.online[j]) return { tip: best, arr: bestA, first: bestF };
    const c = this.comps.get(this.group[j]!);
    if (c) {
      for (const b of c.live) {
        const net = this.net[b.seq]!;
        const a = net.arr[j]!;
        if (a > t) continue;
        const f = net.first ? net.first[j]! : 0;
        if (beats(b, a, f, best, bestA, bestF)) {
          best = b;
          bestA = a;
          bestF = f;
        }
      }
    }
    return { tip: best, arr: bestA, first: bestF };
  }

  // ---------------------------------------------------------------------------------------
  // Faults
  // ---------------------------------------------------------------------------------------

  private applyHeightFaults(): void {
    while (
      this.heightFaults.length > 0 &&
      (this.heightFaults[0]!.at as { height: number }).height <= this.publicHeight
    ) {
      this.applyFault(this.heightFaults.shift()!);
    }
    for (let i = 0; i < this.pendingRestarts.length;) {
      const r = this.pendingRestarts[i]!;
      if (r.height <= this.publicHeight) {
        this.pendingRestarts.splice(i, 1);
        this.restart(r.nodes);
      } else i++;
    }
  }

  private index(id: string): number {
    return this.ids.indexOf(id);
  }

  private log(description: string): void {
    this.faultLog.push({ time: this.now, height: this.publicHeight, description });
  }

  private applyFault(f: Fault): void {
    if (this.stopped) return;
    switch (f.kind) {
      case 'kill': {
        const nodes = f.nodes.map((id) => this.index(id)).filter((j) => this.online[j]);
        if (nodes.length === 0) return;
        this.log(`kill ${nodes.map((j) => this.ids[j]).join(', ')}`);
        const snapshot = this.snapshotTips();
        for (const j of nodes) this.online[j] = 0;
        this.rebuildTopology(snapshot);
        this.rebuildMiners();
        if (f.restartAfter) {
          if ('seconds' in f.restartAfter)
            this.push({
              kind: 'restart',
              nodes,
              time: this.now + f.restartAfter.seconds,
              rank: RANK_FAULT,
            });
          else
            this.pendingRestarts.push({ height: this.publicHeight + f.restartAfter.blocks, nodes });
        }
        return;
      }
      case 'partition': {
        this.log(`partition ${f.groups.map((g) => `[${g.join(', ')}]`).join(' ')}`);
        const snapshot = this.snapshotTips();
        this.partitionOf.fill(f.groups.length);
        f.groups.forEach((members, k) => {
          for (const id of members) this.partitionOf[this.index(id)] = k;
        });
        this.rebuildTopology(snapshot);
        return;
      }
      case 'heal': {
        this.log('heal');
        const snapshot = this.snapshotTips();
        this.partitionOf.fill(0);
        this.rebuildTopology(snapshot);
        return;
      }
      case 'hashShare': {
        this.log(
          `hash share ${Object.entries(f.shares)
            .map(([id, s]) => `${id}=${s}`)
            .join(', ')}`,
        );
        for (const [id, s] of Object.entries(f.shares)) this.share[this.index(id)] = s;
        this.rebuildMiners();
        return;
      }
    }
  }

  private restart(nodes: number[]): void {
    if (this.stopped) return;
    const down = nodes.filter((j) => !this.online[j]);
    if (down.length === 0) return;
    this.log(`restart ${down.map((j) => this.ids[j]).join(', ')}`);
    const snapshot = this.snapshotTips();
    for (const j of down) this.online[j] = 1;
    this.rebuildTopology(snapshot);
    this.rebuildMiners();
  }

  private snapshotTips(): { tip: SimBlock; arr: number; first: number }[] {
    const out = [];
    for (let j = 0; j < this.n; j++) out.push(this.lightTipFull(j, this.now));
    return out;
  }

  /**
   * A fault changed who is linked to whom: new shortest paths, arrivals of the blocks still
   * tracked recomputed (holders re-announce over the new links), components rebuilt.
   */
  private rebuildTopology(snapshot: { tip: SimBlock; arr: number; first: number }[] | null): void {
    const n = this.n;
    const t = this.now;
    const oldGroup = this.linkGroup;
    const newGroup = new Int32Array(n);
    for (let j = 0; j < n; j++) newGroup[j] = this.online[j] ? this.partitionOf[j]! : -1;
    const first = !this.topologyBuilt;
    this.topologyBuilt = true;
    this.network.setGroups(newGroup);
    if (snapshot) {
      for (let j = 0; j < n; j++) {
        this.baseTip[j] = snapshot[j]!.tip;
        this.baseArr[j] = snapshot[j]!.arr;
        this.baseFirst[j] = snapshot[j]!.first;
      }
    }
    // Did links only disappear (partition, kill) or only appear (heal, restart)?
    let onlyRemoved = true;
    let onlyAdded = true;
    if (!first) {
      const oldToNew = new Map<number, number>();
      const newToOld = new Map<number, number>();
      for (let j = 0; j < n; j++) {
        const o = oldGroup[j]!;
        const w = newGroup[j]!;
        if (o >= 0 && w < 0) onlyAdded = false;
        if (o < 0 && w >= 0) onlyRemoved = false;
        if (o >= 0 && w >= 0) {
          if ((oldToNew.get(o) ?? w) !== w) onlyAdded = false; // an old group was split
          oldToNew.set(o, w);
          if ((newToOld.get(w) ?? o) !== o) onlyRemoved = false; // groups were joined
          newToOld.set(w, o);
        }
      }
    }
    this.linkGroup = newGroup;

    if (!first) {
      const start = new Float64Array(n);
      const reach = this.newArray();
      for (let seq = 0; seq < this.net.length; seq++) {
        const net = this.net[seq];
        if (!net) continue;
        const b = this.blocks[seq]!;
        const old = net.arr;
        const arr = this.newArray();
        const holders: number[] = [];
        for (let j = 0; j < n; j++) {
          if (old[j]! <= t) holders.push(j);
          arr[j] = old[j]! <= t ? old[j]! : Infinity;
        }
        let changed = false;
        if (holders.length < n) {
          // Holders re-announce over the new links; when links only disappeared, messages
          // already sent on links that still exist keep going (they left at old[k]).
          for (const k of holders) start[k] = onlyRemoved ? old[k]! : Math.max(old[k]!, t);
          this.network.deliverFrom(start, holders, b.bytes, reach);
          for (let j = 0; j < n; j++) {
            if (old[j]! <= t || newGroup[j]! < 0) continue;
            let best = reach[j]!;
            if (!onlyRemoved && onlyAdded && old[j]! < best) best = old[j]!;
            if (best !== Infinity && best < t) best = t;
            arr[j] = best;
            if (best !== old[j]) changed = true;
          }
        }
        const parentNet = b.parent ? this.net[b.parent.seq] : undefined;
        if (parentNet) {
          for (let j = 0; j < n; j++) {
            if (parentNet.arr[j]! > arr[j]!) {
              arr[j] = parentNet.arr[j]!;
              changed = true;
            }
          }
        }
        // γ-first marks stay valid only for arrivals that already happened.
        if (net.first) for (let j = 0; j < n; j++) if (arr[j]! > t) net.first[j] = 0;
        this.arrayPool.push(old);
        net.arr = arr;
        net.version++;
        // A block still on its way when the fault hit: its delays no longer measure propagation.
        if (changed) net.clean = false;
      }
      this.arrayPool.push(reach);
    }

    // Components of the new topology: who can reach whom.
    const relabel = new Int32Array(n).fill(-1);
    const lists = this.network.components();
    this.comps = new Map();
    relabel.fill(-1);
    for (const list of lists) {
      const id = this.nextCompId++;
      let floor = Infinity;
      const bases: SimBlock[] = [];
      for (const j of list) {
        relabel[j] = id;
        const tip = this.baseTip[j]!;
        if (tip.chainwork < floor) floor = tip.chainwork;
        if (!bases.includes(tip)) bases.push(tip);
      }
      this.comps.set(id, { id, members: list, floor, live: [], bases });
    }
    this.group = relabel;
    for (let seq = 0; seq < this.net.length; seq++) {
      const net = this.net[seq];
      if (!net || net.retired) continue;
      if (net.clean) net.releaseComp = relabel[this.blocks[seq]!.miner]!;
      this.trackReleased(this.blocks[seq]!);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Verify mode: per-node core Chains
  // ---------------------------------------------------------------------------------------

  private deliverOwn(j: number, b: SimBlock): void {
    const r = this.chains[j]!.processBlock(b.node.block, { now: b.headerTime });
    if (r.status === 'invalid')
      throw new Error(`verify: node ${this.ids[j]} refused its own block: ${r.error?.message}`);
    this.delivered[j]!.add(b.seq);
  }

  /** Feeds node j's core Chain every block that reached it by now, in arrival order, and checks its tip. */
  private verifyNode(j: number): void {
    const t = this.now;
    const chain = this.chains[j]!;
    const delivered = this.delivered[j]!;
    const due: { b: SimBlock; a: number; f: number }[] = [];
    for (let i = this.deliveredLow[j]!; i < this.releasedOrder.length; i++) {
      const b = this.releasedOrder[i]!;
      if (delivered.has(b.seq)) continue;
      const net = this.net[b.seq]!;
      const a = net.arr[j]!;
      if (a <= t) due.push({ b, a, f: net.first?.[j] ?? 0 });
    }
    due.sort((x, y) => x.a - y.a || y.f - x.f || x.b.releaseSeq - y.b.releaseSeq);
    // A block that arrives at the same instant as its parent (a γ-first race block) is
    // handled right after it, as core does when it adopts an orphan.
    const order: SimBlock[] = [];
    const pending = new Set(due.map((d) => d.b.seq));
    const take = (b: SimBlock): void => {
      if (!pending.has(b.seq)) return;
      pending.delete(b.seq);
      if (b.parent) take(b.parent);
      order.push(b);
    };
    for (const { b } of due) take(b);
    for (const b of order) {
      const r = chain.processBlock(b.node.block, { now: this.genesisTime + Math.floor(t) + 1 });
      if (r.status === 'invalid' || r.status === 'orphan') {
        const p = b.parent!;
        throw new Error(
          `verify: node ${this.ids[j]} got block ${b.seq} (arrival ${this.net[b.seq]!.arr[j]}) as ${r.status}: ` +
            `${r.error?.message ?? `parent ${p.seq} missing (arrival ${this.net[p.seq]?.arr[j]}, delivered ${delivered.has(p.seq)}, released ${p.releasedAt})`}`,
        );
      }
      delivered.add(b.seq);
    }
    while (
      this.deliveredLow[j]! < this.releasedOrder.length &&
      delivered.has(this.releasedOrder[this.deliveredLow[j]!]!.seq)
    ) {
      this.deliveredLow[j]!++;
    }
    if (!this.strategies[j]!.eager && this.online[j]) {
      const light = this.lightTip(j, t);
      if (chain.tip.hash !== light.hash) {
        throw new Error(
          `verify: at t=${t} node ${this.ids[j]}'s core Chain has tip ${chain.tip.hash} (height ${chain.tip.height}) ` +
            `but the simulator's view says ${light.hash} (height ${light.height})`,
        );
      }
      this.stats.verifiedTips++;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Results
  // ---------------------------------------------------------------------------------------

  private result(duration: number): SimResult {
    const end = Number.MAX_VALUE;
    const nodes: SimNodeResult[] = this.scenario.nodes.map((node, j) => {
      if (this.verify) {
        const saved = this.now;
        this.now = Number.MAX_VALUE;
        this.verifyNode(j);
        this.now = saved;
      }
      const tip = this.strategies[j]!.eager ? this.views.get(j)!.tip : this.lightTip(j, end);
      return {
        id: node.id,
        group: node.group,
        strategy: node.strategy.type,
        report: this.strategies[j]!.report?.() ?? null,
        hashShare: node.hashShare,
        online: this.online[j] === 1,
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
      faults: this.faultLog,
      duration,
      stats: this.stats,
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

/** Runs a validated scenario in the simulator. */
export function simulate(
  scenario: Scenario,
  opts: { verify?: boolean; onProgress?: (p: SimProgress) => void } = {},
): SimResult {
  return new Simulation(scenario, { verify: opts.verify }).run(opts.onProgress);
}
