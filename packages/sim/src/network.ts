// The simulated network: which nodes are linked, each link's one-way delay and bandwidth,
// and when a block published somewhere reaches every other node in the current fault state
// (partition groups, nodes that are down). Nodes relay every valid block they receive at
// once. Delays are constant per link (no jitter), so a block never overtakes its parent.
//
// Two topologies:
// - mesh: every node linked to every other. Delivery times come from the all-pairs
//   shortest-path matrix D (n × n floats: fine up to ~15,000 nodes); a block published by s
//   at r reaches j at r + D[s][j] + bytes / bandwidth (one transfer: a direct link).
// - random (SimBlock-style): a ring plus `degree` random peers per node, stored as an
//   adjacency list (memory O(nodes × degree)). A block is relayed hop by hop: each hop costs
//   the link's latency plus bytes / the link's bandwidth (a node forwards a block once it
//   has all of it), so delivery times are one Dijkstra per published block. With `regions`
//   latencies and bandwidths are per region (regions.ts).
import { hashUniform } from './rng.js';
import { nodeRegions, regionPreset, type RegionModel } from './regions.js';
import type { Scenario } from './scenario.js';

/** Link delays, bandwidths and delivery times for n nodes. Times in seconds. */
export class NetworkModel {
  readonly n: number;
  private readonly ruleDelay: Map<number, number> | null;
  private readonly uniformMesh: boolean;
  private readonly bandwidth: number | null;
  /** Region of each node (random topology with regions), else null. */
  readonly region: Uint8Array | null;
  private readonly regions: RegionModel | null;
  /** Sparse graph (random topology) as CSR: node u's links are off[u] .. off[u+1]-1. */
  private readonly sparse: {
    off: Int32Array;
    to: Int32Array;
    latency: Float64Array;
    /** Bytes per second of the directed link (Infinity: no transfer time). */
    bw: Float64Array;
    heapNode: Int32Array;
    heapKey: Float64Array;
    /** Shortest link latency: the bucket width of the single-source relay. */
    minLatency: number;
    maxLatency: number;
    minBandwidth: number;
    bucketNext: Int32Array;
    bucketNode: Int32Array;
    done: Uint8Array;
  } | null;
  /** Current group of each node (-1 down): nodes link only inside their group. */
  private group: Int32Array;
  /** Mesh only: all-pairs shortest delays of the current groups. */
  private D: Float64Array | null = null;

  constructor(
    private readonly scenario: Scenario,
    private readonly seed: number,
  ) {
    const n = scenario.nodes.length;
    this.n = n;
    this.group = new Int32Array(n);
    this.bandwidth = scenario.network.bandwidthBytesPerSecond;
    const index = new Map(scenario.nodes.map((node, i) => [node.id, i]));
    // Link rules: the last rule naming a pair wins.
    if (scenario.network.links.length > 0) {
      this.ruleDelay = new Map();
      for (const rule of scenario.network.links) {
        for (const a of rule.a) {
          for (const b of rule.b) {
            const i = index.get(a)!;
            const j = index.get(b)!;
            if (i !== j) this.ruleDelay.set(this.pairKey(i, j), rule.delayMs / 1000);
          }
        }
      }
    } else {
      this.ruleDelay = null;
    }
    const topology = scenario.network.topology;
    this.regions = scenario.network.regions ? regionPreset(scenario.network.regions) : null;
    this.region = this.regions ? nodeRegions(this.regions, n, seed) : null;
    this.uniformMesh =
      topology.kind === 'mesh' &&
      this.ruleDelay === null &&
      scenario.network.delay.kind === 'fixed';
    this.sparse = topology.kind === 'random' ? this.buildSparse(topology.degree) : null;
  }

  get isSparse(): boolean {
    return this.sparse !== null;
  }

  private pairKey(i: number, j: number): number {
    return i < j ? i * this.n + j : j * this.n + i;
  }

  /** One-way delay of the direct link i–j (symmetric), seconds. */
  linkDelay(i: number, j: number): number {
    const rule = this.ruleDelay?.get(this.pairKey(i, j));
    if (rule !== undefined) return rule;
    const a = Math.min(i, j);
    const b = Math.max(i, j);
    if (this.regions && this.region) {
      // SimBlock draws latencies from a Pareto distribution (shape 5) around the regions'
      // mean; here one draw per link, so the link's delay stays constant.
      const mean = this.regions.latencyMs[this.region[a]!]![this.region[b]!]!;
      const u = hashUniform(this.seed ^ 0x2545f491, a, b);
      const shape = 5;
      const scale = (mean * (shape - 1)) / shape;
      return scale / Math.pow(1 - u, 1 / shape) / 1000;
    }
    const d = this.scenario.network.delay;
    if (d.kind === 'fixed') return d.ms / 1000;
    const u = hashUniform(this.seed ^ 0x2545f491, a, b);
    return (d.minMs + u * (d.maxMs - d.minMs)) / 1000;
  }

  /** Bytes per second from i to j (Infinity: transfers take no time). */
  linkBandwidth(i: number, j: number): number {
    if (this.regions && this.region) {
      const ri = this.region[i]!;
      const rj = this.region[j]!;
      const r = this.regions;
      const bits = Math.min(
        r.uploadBitsPerSecond[ri]!,
        r.downloadBitsPerSecond[rj]!,
        ri === rj ? Infinity : r.interRegionBitsPerSecond,
      );
      return bits / 8;
    }
    return this.bandwidth ?? Infinity;
  }

  private buildSparse(degree: number): NonNullable<NetworkModel['sparse']> {
    const n = this.n;
    // Undirected edges, with duplicates: a ring (so the graph is connected) and `degree`
    // random peers dialled by each node.
    const cap = (n > 1 ? n : 0) + n * degree;
    const ea = new Int32Array(cap);
    const eb = new Int32Array(cap);
    let m = 0;
    if (n > 1)
      for (let i = 0; i < n; i++) {
        ea[m] = i;
        eb[m++] = (i + 1) % n;
      }
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < degree; k++) {
        const j = Math.floor(hashUniform(this.seed ^ 0x7f4a7c15, i, k) * n);
        if (j === i) continue;
        ea[m] = i;
        eb[m++] = j;
      }
    }
    const count = new Int32Array(n + 1);
    for (let e = 0; e < m; e++) {
      count[ea[e]! + 1]!++;
      count[eb[e]! + 1]!++;
    }
    for (let i = 0; i < n; i++) count[i + 1]! += count[i]!;
    const fill = count.slice(0, n);
    const raw = new Int32Array(2 * m);
    for (let e = 0; e < m; e++) {
      raw[fill[ea[e]!]!++] = eb[e]!;
      raw[fill[eb[e]!]!++] = ea[e]!;
    }
    // Drop duplicate links (a pair drawn twice, or a draw that repeats the ring).
    const off = new Int32Array(n + 1);
    const seen = new Int32Array(n).fill(-1);
    let w = 0;
    for (let u = 0; u < n; u++) {
      off[u] = w;
      for (let e = count[u]!; e < count[u + 1]!; e++) {
        const v = raw[e]!;
        if (seen[v] === u) continue;
        seen[v] = u;
        raw[w++] = v;
      }
    }
    off[n] = w;
    const to = raw.slice(0, w);
    const latency = new Float64Array(w);
    const bw = new Float64Array(w);
    for (let u = 0; u < n; u++) {
      for (let e = off[u]!; e < off[u + 1]!; e++) {
        // A relaying node validates the block first: that time is part of every hop.
        latency[e] = this.linkDelay(u, to[e]!) + this.scenario.network.hopDelayMs / 1000;
        bw[e] = this.linkBandwidth(u, to[e]!);
      }
    }
    let minLatency = Infinity;
    let maxLatency = 0;
    let minBandwidth = Infinity;
    for (let e = 0; e < w; e++) {
      if (latency[e]! < minLatency) minLatency = latency[e]!;
      if (latency[e]! > maxLatency) maxLatency = latency[e]!;
      if (bw[e]! < minBandwidth) minBandwidth = bw[e]!;
    }
    // Lazy-deletion heap and buckets: at most one entry per relaxed link plus the sources.
    return {
      off,
      to,
      latency,
      bw,
      heapNode: new Int32Array(w + n + 1),
      heapKey: new Float64Array(w + n + 1),
      minLatency,
      maxLatency,
      minBandwidth,
      bucketNext: new Int32Array(w + n + 1),
      bucketNode: new Int32Array(w + n + 1),
      done: new Uint8Array(n),
    };
  }

  /** Links of node u (random topology): for tests and tools. */
  peers(u: number): number[] {
    if (!this.sparse) {
      const out: number[] = [];
      for (let j = 0; j < this.n; j++) if (j !== u) out.push(j);
      return out;
    }
    return Array.from(this.sparse.to.subarray(this.sparse.off[u]!, this.sparse.off[u + 1]!));
  }

  /** A fault changed who is online and who is in which partition (-1 = down). */
  setGroups(group: Int32Array): void {
    this.group = group;
    if (!this.sparse) this.D = this.distances(group);
  }

  /**
   * out[j] = when a block of `bytes` published by s at t reaches j (Infinity: not now).
   * out[s] = t when s is online.
   */
  deliver(s: number, t: number, bytes: number, out: Float64Array): void {
    const n = this.n;
    if (this.sparse) {
      out.fill(Infinity);
      if (this.group[s]! < 0) return;
      out[s] = t;
      if (!this.relayBuckets(out, bytes, s)) this.relay(out, bytes, [s]);
      return;
    }
    const D = this.D!;
    const transfer = this.bandwidth ? bytes / this.bandwidth : 0;
    const Ds = s * n;
    for (let j = 0; j < n; j++) out[j] = t + D[Ds + j]! + transfer;
  }

  /**
   * Re-announcement after a fault: the nodes with start[k] < Infinity (online holders) send
   * the block on from start[k]; out[j] = the earliest arrival at each other node (Infinity
   * when none reaches it). Sources keep their own start.
   */
  deliverFrom(start: Float64Array, sources: readonly number[], bytes: number, out: Float64Array) {
    const n = this.n;
    if (this.sparse) {
      out.fill(Infinity);
      const live: number[] = [];
      for (const k of sources) {
        if (this.group[k]! < 0) continue;
        out[k] = start[k]!;
        live.push(k);
      }
      this.relay(out, bytes, live);
      return;
    }
    const D = this.D!;
    const transfer = this.bandwidth ? bytes / this.bandwidth : 0;
    out.fill(Infinity);
    for (const k of sources) {
      const sk = start[k]!;
      const Dk = k * n;
      for (let j = 0; j < n; j++) {
        const v = sk + D[Dk + j]! + transfer;
        if (v < out[j]!) out[j] = v;
      }
    }
    for (const k of sources) if (start[k]! < out[k]!) out[k] = start[k]!;
  }

  /** Nodes that can reach each other now (online nodes only), each list ascending. */
  components(): number[][] {
    const n = this.n;
    const group = this.group;
    const label = new Int32Array(n).fill(-1);
    const lists: number[][] = [];
    if (this.sparse) {
      const { off, to } = this.sparse;
      const stack: number[] = [];
      for (let i = 0; i < n; i++) {
        if (group[i]! < 0 || label[i]! >= 0) continue;
        const c = lists.length;
        const list: number[] = [];
        label[i] = c;
        stack.push(i);
        while (stack.length > 0) {
          const u = stack.pop()!;
          list.push(u);
          for (let e = off[u]!; e < off[u + 1]!; e++) {
            const v = to[e]!;
            if (label[v]! < 0 && group[v] === group[u]) {
              label[v] = c;
              stack.push(v);
            }
          }
        }
        list.sort((a, b) => a - b);
        lists.push(list);
      }
      return lists;
    }
    const D = this.D!;
    for (let i = 0; i < n; i++) {
      if (group[i]! < 0 || label[i]! >= 0) continue;
      const list: number[] = [];
      for (let j = 0; j < n; j++) {
        if (D[i * n + j]! !== Infinity) {
          list.push(j);
          label[j] = lists.length;
        }
      }
      lists.push(list);
    }
    return lists;
  }

  /** Dijkstra over the sparse graph inside groups, from the finite entries of `dist`. */
  private relay(dist: Float64Array, bytes: number, sources: readonly number[]): void {
    const { off, to, latency, bw, heapNode, heapKey } = this.sparse!;
    const group = this.group;
    let size = 0;
    for (const s of sources) size = heapPush(heapNode, heapKey, size, s, dist[s]!);
    while (size > 0) {
      const u = heapNode[0]!;
      const du = heapKey[0]!;
      // Pop.
      const lastN = heapNode[--size]!;
      const lastK = heapKey[size]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const c = r < size && heapKey[r]! < heapKey[l]! ? r : l;
        if (heapKey[c]! >= lastK) break;
        heapNode[i] = heapNode[c]!;
        heapKey[i] = heapKey[c]!;
        i = c;
      }
      heapNode[i] = lastN;
      heapKey[i] = lastK;
      if (du > dist[u]!) continue; // a stale entry
      const gu = group[u]!;
      for (let e = off[u]!; e < off[u + 1]!; e++) {
        const v = to[e]!;
        if (group[v] !== gu) continue;
        const b = bw[e]!;
        const nd = du + latency[e]! + (b === Infinity ? 0 : bytes / b);
        if (nd < dist[v]!) {
          dist[v] = nd;
          size = heapPush(heapNode, heapKey, size, v, nd);
        }
      }
    }
  }

  /**
   * Single-source relay with buckets of width Δ just under the shortest link (Dial's
   * algorithm): a node in the lowest non-empty bucket cannot be improved by another node of
   * that bucket (every link adds more than Δ), so buckets are settled in order without a
   * heap — O(links) per block. Returns false when it does not apply (zero-delay links or
   * too many buckets); then the heap version runs.
   */
  private relayBuckets(dist: Float64Array, bytes: number, s: number): boolean {
    const sp = this.sparse!;
    const { off, to, latency, bw, bucketNext, bucketNode, done } = sp;
    if (!(sp.minLatency > 0)) return false;
    const delta = sp.minLatency * 0.999;
    const maxLink = sp.maxLatency + (sp.minBandwidth === Infinity ? 0 : bytes / sp.minBandwidth);
    // A ring of B buckets covers every pending entry: all lie within maxLink of the cursor.
    const B = Math.ceil(maxLink / delta) + 2;
    if (B > 1 << 20) return false;
    const head = new Int32Array(B).fill(-1);
    const group = this.group;
    const d0 = dist[s]!;
    done.fill(0);
    let used = 0;
    let pending = 1;
    bucketNode[0] = s;
    bucketNext[0] = -1;
    head[0] = 0;
    used = 1;
    for (let k = 0; pending > 0; k++) {
      const slot = k % B;
      let entry = head[slot]!;
      head[slot] = -1;
      while (entry >= 0) {
        pending--;
        const u = bucketNode[entry]!;
        entry = bucketNext[entry]!;
        if (done[u]) continue;
        done[u] = 1;
        const du = dist[u]!;
        const gu = group[u]!;
        for (let e = off[u]!; e < off[u + 1]!; e++) {
          const v = to[e]!;
          if (done[v] || group[v] !== gu) continue;
          const b = bw[e]!;
          const nd = du + latency[e]! + (b === Infinity ? 0 : bytes / b);
          if (nd < dist[v]!) {
            dist[v] = nd;
            const vs = Math.max(k + 1, Math.floor((nd - d0) / delta)) % B;
            bucketNode[used] = v;
            bucketNext[used] = head[vs]!;
            head[vs] = used++;
            pending++;
          }
        }
      }
    }
    return true;
  }

  /**
   * Mesh: shortest-path delays D[i*n+j] between online nodes of the same group (`group[i]`
   * ≥ 0; -1 = down). Infinity where no path exists.
   */
  private distances(group: Int32Array): Float64Array {
    const n = this.n;
    if (n * n > 2 ** 31)
      throw new RangeError(
        `a full mesh of ${n} nodes needs an ${n} × ${n} delay matrix; use network.topology: { random: { degree: 8 } } for large networks`,
      );
    const D = new Float64Array(n * n).fill(Infinity);
    for (let i = 0; i < n; i++) if (group[i]! >= 0) D[i * n + i] = 0;
    if (this.uniformMesh) {
      const d = (this.scenario.network.delay as { ms: number }).ms / 1000;
      for (let i = 0; i < n; i++) {
        const gi = group[i]!;
        if (gi < 0) continue;
        for (let j = 0; j < n; j++) if (j !== i && group[j] === gi) D[i * n + j] = d;
      }
      return D;
    }
    // Full mesh with per-pair delays: Floyd–Warshall inside each group.
    const members = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const g = group[i]!;
      if (g < 0) continue;
      const list = members.get(g) ?? [];
      list.push(i);
      members.set(g, list);
    }
    for (const m of members.values()) {
      for (const i of m) for (const j of m) if (i !== j) D[i * n + j] = this.linkDelay(i, j);
      for (const k of m) {
        const kn = k * n;
        for (const i of m) {
          const dik = D[i * n + k]!;
          if (dik === Infinity) continue;
          const in_ = i * n;
          for (const j of m) {
            const via = dik + D[kn + j]!;
            if (via < D[in_ + j]!) D[in_ + j] = via;
          }
        }
      }
    }
    return D;
  }
}

/** Pushes (v, k) on a binary min-heap held in two typed arrays; returns the new size. */
function heapPush(node: Int32Array, key: Float64Array, size: number, v: number, k: number): number {
  let i = size;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (key[p]! <= k) break;
    node[i] = node[p]!;
    key[i] = key[p]!;
    i = p;
  }
  node[i] = v;
  key[i] = k;
  return size + 1;
}
