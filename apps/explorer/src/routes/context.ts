// What every /api route module shares: the services the explorer follows and the small
// questions asked of them (which nodes are up, which node knows a block, the mempool's
// pending list), plus the parsing helpers of the API.
import { parseTx, txid as txidOf, txToJson, type LevelNumber, type Tx } from '@chainlab/core';
import { describeLevel, DATA_LEVEL, type LevelDescription } from '@chainlab/levels';
import { fetchJson } from '@chainlab/service';
import type { ChainIndex } from '../chain-index.js';
import type { ChainInfo } from '../chain-info.js';
import type { LiveHub } from '../live.js';
import type { Network, NodeState } from '../network.js';

export interface ExplorerDeps {
  network: Network;
  index: ChainIndex;
  hub: LiveHub;
  chain: () => ChainInfo;
  trackerUrl: string | undefined;
  mempoolUrl: string | undefined;
  treeDepth: number;
}

export interface ApiContext {
  deps: ExplorerDeps;
  network: Network;
  index: ChainIndex;
  hub: LiveHub;
  /** The chain's level (from the spec, else from the best node; data until one answers). */
  level: () => LevelDescription;
  /** Up nodes, the best first. */
  upNodes: () => NodeState[];
  /** The mempool, unless the chain has none (level 1). */
  mempoolUrl: () => string | undefined;
  mempoolUp: () => boolean;
  /** Nodes a hash is known to first, then every other up node (URLs). */
  nodesFor: (hash: string) => string[];
  /** A block's time, from the network's view or fetched. */
  blockTime: (hash: string) => Promise<number | null>;
  /** The mempool's pending txs in mining order (empty without a mempool). */
  pendingList: () => Promise<{ txid: string; tx: Tx }[]>;
}

export const HASH_RE = /^0x[0-9a-fA-F]{64}$/;
export const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/** An address parameter, EIP-55 checked: 400 INVALID_ADDRESS otherwise (as on the node and the mempool). */
export { addressParam as checkedAddress } from '@chainlab/levels';

/** A tx as the pages show it (level 2-3), from its JSON: parsed to compute its id. */
export function txFromJson(
  json: unknown,
  level: LevelDescription,
): { txid: string; tx: Tx } | null {
  try {
    const tx = parseTx(json, { level: level.number });
    return { txid: txidOf(tx), tx };
  } catch {
    return null;
  }
}

export function txSummary(txid: string, tx: Tx) {
  return { txid, kind: tx.kind, ...txToJson(tx) };
}

export const upstreamMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function createApiContext(deps: ExplorerDeps): ApiContext {
  const { network, index, hub } = deps;
  const level = (): LevelDescription => {
    const n = deps.chain().level ?? network.best()?.status?.level;
    return n === 1 || n === 2 || n === 3 ? describeLevel({ level: n as LevelNumber }) : DATA_LEVEL;
  };
  const upNodes = (): NodeState[] => {
    const best = network.best();
    const rest = network.list().filter((n) => n.up && n !== best);
    return best ? [best, ...rest] : rest;
  };
  const mempoolUrl = (): string | undefined =>
    level().features.accounts ? deps.mempoolUrl : undefined;
  const mempoolUp = (): boolean => !!mempoolUrl() && network.mempool.up;

  const nodesFor = (hash: string): string[] => {
    const views = network.known.get(hash)?.views;
    const nodes = upNodes();
    return [
      ...nodes.filter((n) => views?.has(n.id)),
      ...nodes.filter((n) => !views?.has(n.id)),
    ].map((n) => n.url);
  };

  const blockTime = async (hash: string): Promise<number | null> => {
    const k = network.known.get(hash);
    if (k) return k.time;
    const b = await index.fetchBlock(hash, nodesFor(hash));
    return b?.json.header.time ?? null;
  };

  const pendingList = async (): Promise<{ txid: string; tx: Tx }[]> => {
    if (!deps.mempoolUrl || !network.mempool.up) return [];
    const list = await fetchJson<unknown[]>(`${deps.mempoolUrl}/unprocessed`, { timeoutMs: 5000 });
    return (Array.isArray(list) ? list : [])
      .map((j) => txFromJson(j, level()))
      .filter((x): x is { txid: string; tx: Tx } => x !== null);
  };
  return {
    deps,
    network,
    index,
    hub,
    level,
    upNodes,
    mempoolUrl,
    mempoolUp,
    nodesFor,
    blockTime,
    pendingList,
  };
}
