// What the network built, read back from the nodes once they are at rest: every block any
// online node knows (their GET /tree, then each block from a node that has it), the main
// tip (most work, then the most nodes on it) and the chain behind it, as the simulator's
// BlockRecords so one summarize() serves both modes.
import { blockSize, headerWork, parseBlock, type ChainSpec } from '@chainlab/core';
import type { BlockRecord } from '@chainlab/sim';
import type { Cluster, TreeBlock } from './cluster.js';
import { getJson } from './http.js';
import type { NodeState } from './nodes.js';

const ZERO = '0x' + '0'.repeat(64);

export interface CollectedChain {
  /** Every block, by height; times in seconds since mining started. */
  records: BlockRecord[];
  /** Every block known, by hash. */
  tree: Map<string, TreeBlock>;
  mainTip: { hash: string; chainwork: bigint };
  /** The main tip and its ancestors. */
  mainHashes: Set<string>;
  /** The data items on the main chain. */
  items: Set<string>;
  /** The most chainwork of any block any node knows. */
  maxWork: bigint;
}

/** `t0`: ms epoch mining started. */
export async function collectChain(
  cluster: Cluster,
  spec: ChainSpec,
  t0: number,
): Promise<CollectedChain> {
  const { states } = cluster;
  const mined = cluster.book.mined;
  const tree = new Map<string, TreeBlock>();
  const holder = new Map<string, NodeState>();
  const tips = new Map<string, { hash: string; chainwork: bigint; count: number }>();
  for (const s of cluster.online()) {
    for (const b of await cluster.treeOf(s)) {
      if (!tree.has(b.hash)) {
        tree.set(b.hash, b);
        holder.set(b.hash, s);
      }
    }
    const tip = await cluster.tipOf(s);
    const e = tips.get(tip.hash) ?? {
      hash: tip.hash,
      chainwork: BigInt(tip.chainwork),
      count: 0,
    };
    e.count++;
    tips.set(tip.hash, e);
  }
  const mainTip = [...tips.values()].sort((a, b) =>
    b.chainwork > a.chainwork ? 1 : b.chainwork < a.chainwork ? -1 : b.count - a.count,
  )[0]!;
  let maxWork = 0n;
  for (const b of tree.values()) if (BigInt(b.chainwork) > maxWork) maxWork = BigInt(b.chainwork);
  const records: BlockRecord[] = [];
  const items = new Set<string>();
  const mainHashes = new Set<string>();
  for (let h: string | undefined = mainTip.hash; h && h !== ZERO; h = tree.get(h)?.prevHash)
    mainHashes.add(h);
  for (const b of [...tree.values()].sort((a, c) => a.height - c.height)) {
    const json = await getJson<unknown>(`${holder.get(b.hash)!.service!.url}/block/hash/${b.hash}`);
    const block = parseBlock(json, spec);
    const data = 'data' in block ? block.data : [];
    const txCount = 'txs' in block ? block.txs.length : data.length;
    if (mainHashes.has(b.hash)) for (const d of data) items.add(d);
    const m = mined.get(b.hash);
    // Mined at: when its miner connected it (its log), else when it said it mined it.
    const minedAt = m ? (states[m.j]!.connected.get(b.hash) ?? m.at) : null;
    records.push({
      hash: b.hash,
      height: b.height,
      parent: b.height === 0 ? null : b.prevHash,
      miner: m ? states[m.j]!.id : null,
      minedAt: minedAt === null ? null : (minedAt - t0) / 1000,
      releasedAt: minedAt === null ? null : (minedAt - t0) / 1000,
      headerTime: b.time,
      bits: b.bits,
      work: Number(headerWork(b.bits)),
      txs: b.height === 0 ? 0 : txCount,
      bytes: blockSize(block),
    });
  }
  return {
    records,
    tree,
    mainTip: { hash: mainTip.hash, chainwork: mainTip.chainwork },
    mainHashes,
    items,
    maxWork,
  };
}
