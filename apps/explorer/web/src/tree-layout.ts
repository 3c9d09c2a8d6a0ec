// Lays out the block tree for drawing: one column per height, one lane (row) per branch.
// Lane 0 is the best chain; every side branch gets the lowest free lane that does not
// overlap another branch (including the column of its fork, for the connector).
// Pure: tested in apps/explorer/test/tree-layout.test.ts.

export interface LayoutInput {
  hash: string;
  height: number;
  prevHash: string;
  /** On the chain of the node with the most work. */
  onBest: boolean;
  /** Chainwork (hex): of two siblings the one with more work continues the lane. */
  chainwork: string;
}

export interface Placed {
  hash: string;
  col: number;
  lane: number;
}

export interface Layout {
  placed: Map<string, Placed>;
  edges: { from: string; to: string }[];
  lanes: number;
  cols: number;
  minHeight: number;
}

function work(hex: string): bigint {
  try {
    return BigInt(hex);
  } catch {
    return 0n;
  }
}

export function layoutTree(blocks: readonly LayoutInput[]): Layout {
  const byHash = new Map(blocks.map((b) => [b.hash, b]));
  const children = new Map<string, LayoutInput[]>();
  const roots: LayoutInput[] = [];
  let minHeight = Infinity;
  let maxHeight = -Infinity;
  for (const b of blocks) {
    minHeight = Math.min(minHeight, b.height);
    maxHeight = Math.max(maxHeight, b.height);
    if (byHash.has(b.prevHash)) {
      let list = children.get(b.prevHash);
      if (!list) children.set(b.prevHash, (list = []));
      list.push(b);
    } else {
      roots.push(b);
    }
  }
  if (blocks.length === 0) return { placed: new Map(), edges: [], lanes: 0, cols: 0, minHeight: 0 };

  // The deepest descendant height of each block: long branches continue a lane.
  const reach = new Map<string, number>();
  const reachOf = (b: LayoutInput): number => {
    // Iterative post-order to survive long chains.
    const stack: [LayoutInput, boolean][] = [[b, false]];
    while (stack.length) {
      const [node, done] = stack.pop()!;
      if (reach.has(node.hash)) continue;
      const kids = children.get(node.hash) ?? [];
      if (done || kids.length === 0) {
        reach.set(
          node.hash,
          kids.reduce((m, k) => Math.max(m, reach.get(k.hash) ?? k.height), node.height),
        );
      } else {
        stack.push([node, true]);
        for (const k of kids) if (!reach.has(k.hash)) stack.push([k, false]);
      }
    }
    return reach.get(b.hash)!;
  };
  const order = (a: LayoutInput, b: LayoutInput): number => {
    if (a.onBest !== b.onBest) return a.onBest ? -1 : 1;
    const wa = work(a.chainwork);
    const wb = work(b.chainwork);
    if (wa !== wb) return wa > wb ? -1 : 1;
    return reachOf(b) - reachOf(a) || a.hash.localeCompare(b.hash);
  };
  for (const list of children.values()) list.sort(order);
  roots.sort((a, b) => order(a, b) || a.height - b.height);

  // Branches: follow the first child; every other child starts a branch of its own.
  const branches: LayoutInput[][] = [];
  const starts: LayoutInput[] = [...roots];
  while (starts.length) {
    const start = starts.shift()!;
    const branch: LayoutInput[] = [];
    let cur: LayoutInput | undefined = start;
    while (cur) {
      branch.push(cur);
      const kids: LayoutInput[] = children.get(cur.hash) ?? [];
      for (let k = 1; k < kids.length; k++) starts.push(kids[k]!);
      cur = kids[0];
    }
    branches.push(branch);
  }

  // Lanes: the first branch (the best chain when it is in view) is lane 0.
  const laneSpans: [number, number][][] = [];
  const placed = new Map<string, Placed>();
  const [main, ...rest] = branches;
  const put = (branch: LayoutInput[], lane: number): void => {
    for (const b of branch) placed.set(b.hash, { hash: b.hash, col: b.height - minHeight, lane });
  };
  if (main) {
    laneSpans[0] = [[main[0]!.height - 1, main.at(-1)!.height]];
    put(main, 0);
  }
  rest.sort((a, b) => a[0]!.height - b[0]!.height);
  for (const branch of rest) {
    const lo = branch[0]!.height - 1;
    const hi = branch.at(-1)!.height;
    let lane = 1;
    while ((laneSpans[lane] ?? []).some(([a, b]) => a <= hi && lo <= b)) lane++;
    (laneSpans[lane] ??= []).push([lo, hi]);
    put(branch, lane);
  }
  const edges = blocks
    .filter((b) => byHash.has(b.prevHash))
    .map((b) => ({ from: b.prevHash, to: b.hash }));
  return {
    placed,
    edges,
    lanes: Math.max(1, laneSpans.length),
    cols: maxHeight - minHeight + 1,
    minHeight,
  };
}
