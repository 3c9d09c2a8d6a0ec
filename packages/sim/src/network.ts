// The simulated network: which nodes are linked, each link's one-way delay, and the
// shortest-path delay between every pair of nodes in the current fault state (partition
// groups, nodes that are down). Nodes relay every valid block they receive at once, so a
// block published by s at time r reaches j at r + D[s][j] (plus its transfer time), D the
// all-pairs shortest-path matrix. Delays are constant per pair (no jitter), so they form a
// metric and a block never overtakes its parent.
import { hashUniform } from './rng.js';
import type { Scenario } from './scenario.js';

/** Link delays and shortest paths for n nodes. Times in seconds. */
export class NetworkModel {
  readonly n: number;
  /** Adjacency (random topology), or null for a full mesh. */
  private readonly adjacency: { to: number; delay: number }[][] | null;
  private readonly ruleDelay: Map<number, number> | null;
  private readonly uniformMesh: boolean;

  constructor(
    private readonly scenario: Scenario,
    private readonly seed: number,
  ) {
    const n = scenario.nodes.length;
    this.n = n;
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
    this.uniformMesh =
      topology.kind === 'mesh' &&
      this.ruleDelay === null &&
      scenario.network.delay.kind === 'fixed';
    if (topology.kind === 'random') {
      const adj: { to: number; delay: number }[][] = Array.from({ length: n }, () => []);
      const edges = new Set<number>();
      const link = (i: number, j: number) => {
        if (i === j) return;
        const key = this.pairKey(i, j);
        if (edges.has(key)) return;
        edges.add(key);
        const d = this.linkDelay(i, j);
        adj[i]!.push({ to: j, delay: d });
        adj[j]!.push({ to: i, delay: d });
      };
      // A ring makes the graph connected; each node then dials `degree` random peers.
      if (n > 1) for (let i = 0; i < n; i++) link(i, (i + 1) % n);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < topology.degree; k++) {
          const j = Math.floor(hashUniform(this.seed ^ 0x7f4a7c15, i, k) * n);
          link(i, j);
        }
      }
      this.adjacency = adj;
    } else {
      this.adjacency = null;
    }
  }

  private pairKey(i: number, j: number): number {
    return i < j ? i * this.n + j : j * this.n + i;
  }

  /** One-way delay of the direct link i–j (symmetric), seconds. */
  linkDelay(i: number, j: number): number {
    const rule = this.ruleDelay?.get(this.pairKey(i, j));
    if (rule !== undefined) return rule;
    const d = this.scenario.network.delay;
    if (d.kind === 'fixed') return d.ms / 1000;
    const u = hashUniform(this.seed ^ 0x2545f491, Math.min(i, j), Math.max(i, j));
    return (d.minMs + u * (d.maxMs - d.minMs)) / 1000;
  }

  /**
   * Shortest-path delays D[i*n+j] between online nodes of the same group (`group[i]` ≥ 0;
   * -1 = down). Infinity where no path exists.
   */
  distances(group: Int32Array): Float64Array {
    const n = this.n;
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
    if (this.adjacency === null) {
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
    // Sparse graph: Dijkstra from every online node over links inside its group.
    const adj = this.adjacency;
    const dist = new Float64Array(n);
    // Lazy deletion: at most one entry per relaxed link, so Σ degrees + 1 entries suffice.
    const capacity = adj.reduce((sum, list) => sum + list.length, 0) + 1;
    const heapNode = new Int32Array(capacity);
    const heapKey = new Float64Array(capacity);
    for (let s = 0; s < n; s++) {
      const gs = group[s]!;
      if (gs < 0) continue;
      dist.fill(Infinity);
      dist[s] = 0;
      let size = 0;
      const push = (v: number, k: number) => {
        let i = size++;
        if (size > heapNode.length) throw new Error('dijkstra heap overflow');
        while (i > 0) {
          const p = (i - 1) >> 1;
          if (heapKey[p]! <= k) break;
          heapNode[i] = heapNode[p]!;
          heapKey[i] = heapKey[p]!;
          i = p;
        }
        heapNode[i] = v;
        heapKey[i] = k;
      };
      const pop = (): number => {
        const top = heapNode[0]!;
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
        return top;
      };
      push(s, 0);
      const done = new Uint8Array(n);
      while (size > 0) {
        const k0 = heapKey[0]!;
        const u = pop();
        if (done[u] || k0 > dist[u]!) continue;
        done[u] = 1;
        for (const e of adj[u]!) {
          if (group[e.to] !== gs) continue;
          const nd = dist[u]! + e.delay;
          if (nd < dist[e.to]!) {
            dist[e.to] = nd;
            push(e.to, nd);
          }
        }
      }
      D.set(dist, s * n);
    }
    return D;
  }
}
