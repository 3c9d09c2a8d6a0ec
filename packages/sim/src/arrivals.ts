// When each released block reaches each node: one arrival array per block, computed by the
// network model when the block is published (never before its parent, γ-favoured race
// blocks first) and recomputed when a fault changes the links. Retired records are pooled:
// a long run keeps only the few blocks that can still be someone's tip.
import type { NetworkModel } from './network.js';
import { hashUniform } from './rng.js';
import type { SimBlock } from './types.js';

export interface BlockNet {
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

export class Arrivals {
  private readonly net: (BlockNet | undefined)[] = [];
  private readonly pool: Float64Array[] = [];

  constructor(
    private readonly n: number,
    private readonly network: NetworkModel,
    private readonly seed: number,
    /** Verify mode: retired records stay (the per-node core Chains still get the block). */
    private readonly keepRetired: boolean,
  ) {}

  /** The record of block `seq`; undefined before its release or once dropped. */
  get(seq: number): BlockNet | undefined {
    return this.net[seq];
  }

  /** One past the highest block seq with a record. */
  get length(): number {
    return this.net.length;
  }

  private newArray(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.n);
  }

  /** Node `s` publishes `block` at `t` from component `comp`: its arrivals at every node. */
  publish(block: SimBlock, s: number, t: number, comp: number): void {
    const n = this.n;
    const arr = this.newArray();
    this.network.deliver(s, t, block.bytes, arr);
    arr[s] = t; // the publisher holds it, even while down
    this.net[block.seq] = {
      arr,
      first: null,
      version: 0,
      clean: true,
      releaseComp: comp,
      retired: false,
    };
    const parentNet = block.parent ? this.net[block.parent.seq] : undefined;
    if (parentNet)
      for (let j = 0; j < n; j++) if (parentNet.arr[j]! > arr[j]!) arr[j] = parentNet.arr[j]!;
  }

  /**
   * γ: the releaser's race blocks reach each other node, with probability γ (one coin per
   * race and node), no later than the honest block they match — and first if at the same
   * instant. With zero delays this is exactly Eyal & Sirer's tie-break. `group[j]`: node j's
   * component; only nodes in the releaser's component `g` take part.
   */
  favourRace(
    batch: SimBlock[],
    race: SimBlock,
    s: number,
    t: number,
    gamma: number,
    g: number,
    group: Int32Array,
  ): void {
    const n = this.n;
    const raceArr = this.net[race.seq]?.arr;
    for (let j = 0; j < n; j++) {
      // The race block's own miner saw it first: it keeps mining on it.
      if (j === s || j === race.miner || group[j] !== g) continue;
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

  /**
   * The links changed at `t` (`linkGroup`: each node's partition, -1 down): arrivals not yet
   * due are recomputed — holders re-announce over the new links. `onlyRemoved`/`onlyAdded`:
   * links only disappeared (partition, kill) or only appeared (heal, restart).
   */
  recompute(
    t: number,
    blocks: readonly SimBlock[],
    linkGroup: Int32Array,
    onlyRemoved: boolean,
    onlyAdded: boolean,
  ): void {
    const n = this.n;
    const start = new Float64Array(n);
    const reach = this.newArray();
    for (let seq = 0; seq < this.net.length; seq++) {
      const net = this.net[seq];
      if (!net) continue;
      const b = blocks[seq]!;
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
          if (old[j]! <= t || linkGroup[j]! < 0) continue;
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
      this.pool.push(old);
      net.arr = arr;
      net.version++;
      // A block still on its way when the fault hit: its delays no longer measure propagation.
      if (changed) net.clean = false;
    }
    this.pool.push(reach);
  }

  /** No view can need block `seq` any more. */
  retire(seq: number): void {
    const net = this.net[seq]!;
    net.retired = true;
    if (!this.keepRetired) {
      this.net[seq] = undefined;
      this.pool.push(net.arr);
    }
  }
}
