// What each node sees: who is up and linked to whom (faults), the components of that
// topology, and each node's tip as a closed formula — of the blocks that reached it by t,
// the one with most work, the first seen among equal work (core's fork choice). Only a
// component's `live` blocks and its members' tips at the last fault can win, so a node's
// tip costs a few comparisons however many nodes there are.
import type { Arrivals } from './arrivals.js';
import type { DelayCounter } from './delay-counter.js';
import { RANK_ARRIVAL, RANK_ARRIVAL_FIRST, RANK_SETTLE, type EventQueue } from './events.js';
import type { NetworkModel } from './network.js';
import type { SimBlock } from './types.js';

/** A node's tip with how it arrived: when, and whether γ-first (ties are broken on these). */
export interface TipView {
  tip: SimBlock;
  arr: number;
  first: number;
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

/**
 * Order of two blocks for a node (core's fork choice): most work, then the first seen —
 * earliest arrival; at the same instant a γ-first block, then the one published first.
 */
export function beats(
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

export class NodeViews {
  /** 1 while the node runs (a kill fault sets 0). */
  readonly online: Uint8Array;
  /** Partition index of each node from the last partition fault (0 for all when healed). */
  readonly partitionOf: Int32Array;
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
  /** Blocks that may no longer be needed by any view: retired once nothing is in flight. */
  private retiring: SimBlock[] = [];

  constructor(
    private readonly n: number,
    genesis: SimBlock,
    private readonly network: NetworkModel,
    private readonly arrivals: Arrivals,
    private readonly events: EventQueue,
    /** Nodes that get an event for every block delivered to them. */
    private readonly eager: readonly number[],
    /** Delivery delays of blocks no fault disturbed. */
    private readonly propagation: DelayCounter,
  ) {
    this.online = new Uint8Array(n).fill(1);
    this.partitionOf = new Int32Array(n);
    this.linkGroup = new Int32Array(n);
    this.group = new Int32Array(n);
    this.baseTip = new Array<SimBlock>(n).fill(genesis);
    this.baseArr = new Float64Array(n).fill(-Infinity);
    this.baseFirst = new Uint8Array(n);
  }

  /** Node j's component now (-1 while down). */
  componentOf(j: number): number {
    return this.group[j]!;
  }

  /** Every node's component now. */
  get components(): Int32Array {
    return this.group;
  }

  /** Node j's tip at time t. */
  lightTip(j: number, t: number): SimBlock {
    return this.lightTipFull(j, t).tip;
  }

  lightTipFull(j: number, t: number): TipView {
    let best = this.baseTip[j]!;
    let bestA = this.baseArr[j]!;
    let bestF = this.baseFirst[j]!;
    if (!this.online[j]) return { tip: best, arr: bestA, first: bestF };
    const c = this.comps.get(this.group[j]!);
    if (c) {
      for (const b of c.live) {
        const net = this.arrivals.get(b.seq)!;
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

  /** Every node's tip at `t`: taken before a fault, the bases of the new components. */
  snapshot(t: number): TipView[] {
    const out = [];
    for (let j = 0; j < this.n; j++) out.push(this.lightTipFull(j, t));
    return out;
  }

  /** Min of `childWork` over every block anyone may mine on through these views. */
  lowestWork(childWork: (b: SimBlock) => number): number {
    let w = Infinity;
    for (const c of this.comps.values()) {
      for (const b of c.live) w = Math.min(w, childWork(b));
      for (const b of c.bases) w = Math.min(w, childWork(b));
    }
    return w;
  }

  /**
   * A fault changed who is linked to whom (`online`, `partitionOf`): new shortest paths,
   * arrivals of the blocks still tracked recomputed (holders re-announce over the new
   * links), components rebuilt. `snapshot`: the tips just before the fault (null: the start).
   */
  rebuild(snapshot: TipView[] | null, t: number, blocks: readonly SimBlock[]): void {
    const n = this.n;
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
    if (!first) this.arrivals.recompute(t, blocks, newGroup, onlyRemoved, onlyAdded);

    // Components of the new topology: who can reach whom.
    const relabel = new Int32Array(n).fill(-1);
    this.comps = new Map();
    for (const list of this.network.components()) {
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
    for (let seq = 0; seq < this.arrivals.length; seq++) {
      const net = this.arrivals.get(seq);
      if (!net || net.retired) continue;
      if (net.clean) net.releaseComp = relabel[blocks[seq]!.miner]!;
      this.track(blocks[seq]!, t);
    }
  }

  /** Registers a block's (re)computed arrivals: live lists, settle and eager-arrival events. */
  track(b: SimBlock, now: number): void {
    const net = this.arrivals.get(b.seq)!;
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
      this.events.push({
        kind: 'settle',
        block: b,
        comp: c.id,
        version: net.version,
        time: Math.max(max, now),
        rank: RANK_SETTLE,
      });
    }
    for (const e of this.eager) {
      const a = net.arr[e]!;
      if (a === Infinity || a < now) continue;
      this.events.push({
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

  /**
   * Block `b` has reached every member of component `compId` that it can reach: its
   * propagation is recorded, and blocks with less work than every member has leave `live`.
   */
  onSettle(b: SimBlock, compId: number, version: number, now: number): void {
    this.retireDue(now);
    const net = this.arrivals.get(b.seq);
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
  private retireDue(now: number): void {
    if (this.retiring.length === 0) return;
    const keep: SimBlock[] = [];
    for (const b of this.retiring) {
      const net = this.arrivals.get(b.seq);
      if (!net || net.retired) continue;
      let due = true;
      for (const c of this.comps.values()) if (c.live.includes(b)) due = false;
      for (let j = 0; due && j < this.n; j++) {
        const a = net.arr[j]!;
        if (a !== Infinity && a >= now) due = false;
      }
      if (!due) {
        if (!keep.includes(b)) keep.push(b);
        continue;
      }
      this.arrivals.retire(b.seq);
    }
    this.retiring = keep;
  }
}
