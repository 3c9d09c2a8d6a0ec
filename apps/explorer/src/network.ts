// The network as the explorer sees it: every node the tracker lists (plus --nodes), each
// node's /status and block tree (/tree), merged into one tree of every block any node
// knows, with each node's view of each block (valid, invalid, active...). Nodes are
// followed live over their gossip WebSocket (/ws): every `block` message makes the
// explorer re-read that node at once; REST polling is the fallback. Reorgs are detected
// per node by comparing consecutive trees and reported as events.
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import {
  MAX_MESSAGE_BYTES,
  blocksMessage,
  encodeMessage,
  helloMessage,
  parseMessage,
  type Message,
} from '@chainlab/wire';
import { fetchJson, isPeerError, type Logger } from '@chainlab/service';

export interface NodeStatusJson {
  chainId: number;
  spec?: string;
  level?: number;
  height: number;
  tip: string;
  peers: string[];
  mining: boolean;
  threads: number;
  hashrate: number;
  mempool: string | null;
  pending?: number;
  blocksFound?: number;
  timeOffsetSeconds?: number;
  /** A node running an attack (--strategy, devnet experiments): docs/experiments.md. */
  strategy?: {
    strategy: string;
    privateBlocks?: number;
    privateHeights?: [number, number] | null;
    releases?: { at: number; action: string; hashes: string[] }[];
  };
}

export interface TreeBlockJson {
  hash: string;
  height: number;
  prevHash: string;
  time: number;
  bits: number;
  chainwork: string;
  status: string;
  active: boolean;
  failure?: { code: string; message: string };
}

export interface TreeJson {
  tip: string;
  height: number;
  fromHeight: number;
  blocks: TreeBlockJson[];
}

export interface BlockView {
  status: string;
  active: boolean;
  failure?: { code: string; message: string };
}

export interface KnownBlock {
  hash: string;
  height: number;
  prevHash: string;
  time: number;
  bits: number;
  chainwork: string;
  /** When the explorer first saw it (ms). */
  firstSeen: number;
  /** Node id → that node's view of the block. */
  views: Map<string, BlockView>;
}

export type Features = { receipt: boolean; code: boolean; storage: boolean };

export interface NodeState {
  id: string;
  url: string;
  /** From --nodes: followed even when the tracker does not list it. */
  pinned: boolean;
  listed: boolean;
  up: boolean;
  error: string | null;
  status: NodeStatusJson | null;
  tree: TreeJson | null;
  /** Hashes in the node's last tree. */
  treeHashes: Set<string>;
  /** Local time (ms) when the explorer first saw the node's current tip. */
  tipSeenAt: number | null;
  ws: 'connecting' | 'open' | 'closed';
  /** Whether the node answers /dev/* (devnet spec); null until probed. */
  devControls: boolean | null;
  features: Features;
  /**
   * Blocks the node announced over its gossip (an honest node relays a block when it joins
   * its active chain) not yet seen active in a tree read after the announcement.
   */
  announced: string[];
}

export interface ReorgEvent {
  id: number;
  at: number;
  node: string;
  nodeUrl: string;
  oldTip: { hash: string; height: number; chainwork: string | null };
  newTip: { hash: string; height: number; chainwork: string | null };
  forkPoint: { hash: string; height: number } | null;
  /** Blocks taken off the node's active chain, tip first. */
  disconnected: string[];
  /** Blocks put on it, lowest first. */
  connected: string[];
  /**
   * `more-work`: the new chain has more cumulative work; `invalidated`: the old tip became
   * invalid; `equal-work`: both have the same work (after a reconsider the node returns to
   * the block it saw first).
   */
  reason: 'more-work' | 'invalidated' | 'equal-work' | 'other';
  /** The release of withheld blocks that brought the new chain, when one did. */
  cause: Release | null;
}

/** Blocks an attacker withheld and then published at once (its /status `releases`). */
export interface Release {
  node: string;
  action: string;
  at: number;
  blocks: number;
}

/** What a node's /status says about its attack, checked (it is another process's JSON). */
export function strategyOf(
  status: NodeStatusJson | null,
): { name: string; privateBlocks: number; privateHeights: [number, number] | null } | null {
  const s = status?.strategy;
  if (!s || typeof s.strategy !== 'string') return null;
  const h = s.privateHeights;
  return {
    name: s.strategy,
    privateBlocks: Number.isInteger(s.privateBlocks) ? s.privateBlocks! : 0,
    privateHeights:
      Array.isArray(h) && h.length === 2 && h.every(Number.isInteger) ? [h[0], h[1]] : null,
  };
}

export type ChangeKind = 'network' | 'tree' | 'blocks' | 'mempool';

export interface NetworkOptions {
  trackerUrl: string | undefined;
  mempoolUrl: string | undefined;
  staticNodes: string[];
  pollIntervalMs: number;
  treeDepth: number;
  log: Logger;
}

export interface MempoolState {
  url: string | null;
  up: boolean;
  status: Record<string, unknown> | null;
  error: string | null;
}

const ZERO_HASH = '0x' + '0'.repeat(64);
const MAX_REORGS = 50;
const TREE_MAX_AGE_MS = 5000;
const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Greater chainwork (hex strings) first; null counts as zero. */
export function compareWork(a: string | null | undefined, b: string | null | undefined): number {
  const x = a ? BigInt(a) : 0n;
  const y = b ? BigInt(b) : 0n;
  return x === y ? 0 : x > y ? 1 : -1;
}

/**
 * Where a node's tip stands against the best tip: `best` (the same block), `behind` (an
 * ancestor of the best tip: the node has not caught up yet), `branch` (not in the best
 * chain: the node follows another branch, e.g. after /dev/invalidate, and catching up will
 * not fix it), or `unknown` (the explorer no longer holds the blocks in between). For a
 * branch, `forkHeight` is the last height both chains share, when known.
 */
export type TipPosition =
  | { position: 'best' | 'unknown' }
  | { position: 'behind'; blocks: number }
  | { position: 'branch'; forkHeight: number | null };

export function tipPosition(
  tip: { hash: string; height: number },
  bestTip: { hash: string; height: number },
  known: ReadonlyMap<string, { height: number; prevHash: string }>,
): TipPosition {
  if (tip.hash === bestTip.hash) return { position: 'best' };
  // The best chain, walked back from its tip as far as the explorer knows it.
  const bestChain = new Map<number, string>();
  let cursor: string | undefined = bestTip.hash;
  let lowest = bestTip.height;
  for (let height = bestTip.height; cursor !== undefined && height >= 0; height--) {
    bestChain.set(height, cursor);
    lowest = height;
    const b = known.get(cursor);
    if (!b || b.height !== height) break;
    cursor = height > 0 ? b.prevHash : undefined;
  }
  if (tip.height <= bestTip.height && bestChain.has(tip.height)) {
    return bestChain.get(tip.height) === tip.hash
      ? { position: 'behind', blocks: bestTip.height - tip.height }
      : { position: 'branch', forkHeight: forkHeight(tip, bestChain, lowest, known) };
  }
  if (tip.height > bestTip.height) {
    // More blocks but less work than the best tip: another branch by definition.
    return { position: 'branch', forkHeight: forkHeight(tip, bestChain, lowest, known) };
  }
  return { position: 'unknown' };
}

function forkHeight(
  tip: { hash: string; height: number },
  bestChain: ReadonlyMap<number, string>,
  lowest: number,
  known: ReadonlyMap<string, { height: number; prevHash: string }>,
): number | null {
  let cursor: string | undefined = tip.hash;
  for (let height = tip.height; cursor !== undefined && height >= lowest; height--) {
    if (bestChain.get(height) === cursor) return height;
    const b = known.get(cursor);
    if (!b || b.height !== height) return null;
    cursor = b.prevHash;
  }
  return null;
}

/**
 * A tip the node had between two tree reads and left again: the last block it announced
 * (joined its active chain, so the node relays it) that its new tree shows off the active
 * chain. A fast reorg — a selfish pool answering an honest block within milliseconds —
 * happens between two reads, and the trees alone then look like a plain extension.
 * `pending` keeps the announcements the tree does not hold yet (read before they came).
 */
export function leftTip(
  announced: readonly string[],
  tree: TreeJson,
): { tip: string | null; pending: string[] } {
  const inTree = new Map(tree.blocks.map((b) => [b.hash, b]));
  let tip: string | null = null;
  const pending: string[] = [];
  for (const hash of announced) {
    const b = inTree.get(hash);
    if (!b) pending.push(hash);
    else if (!b.active) tip = hash;
  }
  return { tip, pending };
}

/**
 * Compares a node's previous tip with its new tree: null for no change or a plain extension
 * (the old tip is still active), else the reorg: the fork point, blocks disconnected (walked
 * back from the old tip through `known`) and connected (walked back from the new tip).
 */
export function detectReorg(
  nodeId: string,
  oldTip: string | null,
  tree: TreeJson,
  known: ReadonlyMap<string, Pick<KnownBlock, 'hash' | 'height' | 'prevHash' | 'chainwork'>>,
): Omit<ReorgEvent, 'id' | 'at' | 'node' | 'nodeUrl' | 'cause'> | null {
  if (!oldTip || oldTip === tree.tip) return null;
  const inTree = new Map(tree.blocks.map((b) => [b.hash, b]));
  const oldInTree = inTree.get(oldTip);
  if (oldInTree?.active) return null; // extended
  if (!oldInTree && !known.has(oldTip)) return null; // nothing to compare with
  const activeNow = (hash: string): boolean => inTree.get(hash)?.active === true;
  const disconnected: string[] = [];
  let cursor: string | undefined = oldTip;
  let forkPoint: { hash: string; height: number } | null = null;
  for (let guard = 0; cursor && guard < 100_000; guard++) {
    if (activeNow(cursor)) {
      const b = known.get(cursor) ?? inTree.get(cursor)!;
      forkPoint = { hash: cursor, height: b.height };
      break;
    }
    disconnected.push(cursor);
    cursor = (known.get(cursor) ?? inTree.get(cursor))?.prevHash;
  }
  const connected: string[] = [];
  if (forkPoint) {
    let c: string | undefined = tree.tip;
    for (let guard = 0; c && c !== forkPoint.hash && guard < 100_000; guard++) {
      connected.push(c);
      c = (inTree.get(c) ?? known.get(c))?.prevHash;
    }
    connected.reverse();
  }
  const oldB = known.get(oldTip) ?? oldInTree;
  const newB = inTree.get(tree.tip) ?? known.get(tree.tip);
  const oldStatus = oldInTree?.status;
  const cmp = newB && oldB ? compareWork(newB.chainwork, oldB.chainwork) : null;
  const reason: ReorgEvent['reason'] =
    oldStatus === 'invalid' || oldStatus === 'invalid-parent'
      ? 'invalidated'
      : cmp === 1
        ? 'more-work'
        : cmp === 0
          ? 'equal-work'
          : 'other';
  return {
    oldTip: { hash: oldTip, height: oldB?.height ?? -1, chainwork: oldB?.chainwork ?? null },
    newTip: { hash: tree.tip, height: tree.height, chainwork: newB?.chainwork ?? null },
    forkPoint,
    disconnected,
    connected,
    reason,
  };
}

export class Network extends EventEmitter<{ change: [ChangeKind[], ReorgEvent[]] }> {
  readonly nodes = new Map<string, NodeState>(); // by url
  readonly known = new Map<string, KnownBlock>();
  readonly reorgs: ReorgEvent[] = [];
  /** Block hash → the attacker's release that published it (forgotten with the block). */
  readonly releases = new Map<string, Release>();
  readonly mempool: MempoolState;
  chainId: number | null = null;
  genesisHash: string | null = null;
  private nextNodeNumber = 1;
  /** A URL keeps its id for the explorer's lifetime, even when the node restarts. */
  private readonly idsByUrl = new Map<string, string>();
  private nextReorgId = 1;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly sockets = new Map<string, WebSocket>();
  private readonly refreshing = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly wantTree = new Set<string>();
  private readonly treeAt = new Map<string, number>();
  private readonly treeSigs = new Map<string, string>();
  private pendingKinds = new Set<ChangeKind>();
  private pendingReorgs: ReorgEvent[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private mempoolKey = '';

  constructor(private readonly opts: NetworkOptions) {
    super();
    this.mempool = { url: opts.mempoolUrl ?? null, up: false, status: null, error: null };
  }

  start(): void {
    for (const url of this.opts.staticNodes) this.addNode(url, true);
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.opts.pollIntervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const ws of this.sockets.values()) ws.terminate();
    this.sockets.clear();
  }

  list(): NodeState[] {
    return [...this.nodes.values()].sort((a, b) => nodeNumber(a.id) - nodeNumber(b.id));
  }

  /** A node by id (`node-2`) or URL. */
  find(idOrUrl: string): NodeState | undefined {
    return this.nodes.get(idOrUrl) ?? [...this.nodes.values()].find((n) => n.id === idOrUrl);
  }

  /** The up node whose tip has the most work (ties: the lowest id). */
  best(): NodeState | undefined {
    let best: NodeState | undefined;
    for (const n of this.list()) {
      if (!n.up || !n.status) continue;
      if (!best || compareWork(this.tipWork(n), this.tipWork(best)) > 0) best = n;
    }
    return best;
  }

  /** Where `n`'s tip stands against the best node's tip (see tipPosition). */
  tipPosition(n: NodeState): TipPosition {
    const best = this.best()?.status;
    const s = n.status;
    if (!best || !s) return { position: 'unknown' };
    return tipPosition(
      { hash: s.tip, height: s.height },
      { hash: best.tip, height: best.height },
      this.known,
    );
  }

  tipWork(n: NodeState): string | null {
    const tip = n.status?.tip;
    return tip ? (this.known.get(tip)?.chainwork ?? null) : null;
  }

  /** Signals a change to listeners, coalesced over a short window. */
  notify(kinds: ChangeKind[], reorgs: ReorgEvent[] = []): void {
    for (const k of kinds) this.pendingKinds.add(k);
    for (const r of reorgs) this.pendingReorgs.push(r);
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      const k = [...this.pendingKinds];
      const r = this.pendingReorgs;
      this.pendingKinds = new Set();
      this.pendingReorgs = [];
      this.emit('change', k, r);
    }, 100);
  }

  private addNode(url: string, pinned: boolean): NodeState {
    let n = this.nodes.get(url);
    if (n) {
      n.pinned ||= pinned;
      return n;
    }
    let id = this.idsByUrl.get(url);
    if (!id) this.idsByUrl.set(url, (id = `node-${this.nextNodeNumber++}`));
    n = {
      id,
      url,
      pinned,
      listed: !pinned,
      up: false,
      error: null,
      status: null,
      tree: null,
      treeHashes: new Set(),
      tipSeenAt: null,
      ws: 'closed',
      devControls: null,
      features: { receipt: false, code: false, storage: false },
      announced: [],
    };
    this.nodes.set(url, n);
    this.opts.log.info({ node: n.id, url }, 'following node');
    return n;
  }

  private removeNode(n: NodeState): void {
    this.nodes.delete(n.url);
    this.sockets.get(n.url)?.terminate();
    this.sockets.delete(n.url);
    for (const b of this.known.values()) b.views.delete(n.id);
    this.opts.log.info({ node: n.id, url: n.url }, 'node gone');
    this.notify(['network', 'tree']);
  }

  private async poll(): Promise<void> {
    if (this.stopped) return;
    if (this.opts.trackerUrl) {
      try {
        const urls = await fetchJson<string[]>(`${this.opts.trackerUrl}/nodes`, {
          timeoutMs: 2000,
        });
        const listed = new Set(
          Array.isArray(urls) ? urls.filter((u) => typeof u === 'string') : [],
        );
        // New nodes numbered in URL order, so ports 7301, 7302... become node-1, node-2...
        for (const url of [...listed].sort()) if (!this.nodes.has(url)) this.addNode(url, false);
        for (const n of this.nodes.values()) n.listed = listed.has(n.url);
      } catch (e) {
        this.opts.log.debug({ err: errText(e) }, 'tracker unreachable');
      }
    }
    await Promise.all([...this.list().map((n) => this.refresh(n)), this.pollMempool()]);
    for (const n of this.list()) if (!n.listed && !n.pinned && !n.up) this.removeNode(n);
  }

  /** The chain's level once a node told it: a data chain (1) has no mempool to follow. */
  level: number | null = null;

  private async pollMempool(): Promise<void> {
    const url = this.mempool.url;
    if (!url || this.level === 1) return;
    const before = this.mempoolKey;
    try {
      this.mempool.status = await fetchJson<Record<string, unknown>>(`${url}/status`, {
        timeoutMs: 2000,
      });
      this.mempool.up = true;
      this.mempool.error = null;
    } catch (e) {
      this.mempool.up = false;
      this.mempool.status = null;
      this.mempool.error = errText(e);
    }
    const s = this.mempool.status;
    this.mempoolKey = JSON.stringify([this.mempool.up, s?.tip, s?.pending, s?.held, s?.counters]);
    if (this.mempoolKey !== before) this.notify(['mempool', 'network']);
  }

  /**
   * Re-reads one node: its status, and its tree when the tip moved, when `tree` is asked
   * for (after invalidate/reconsider, statuses change without the tip moving) or when the
   * last tree is older than TREE_MAX_AGE_MS (side blocks arrive without moving the tip).
   * One request at a time per node.
   */
  refresh(n: NodeState, tree = false): Promise<void> {
    if (tree) this.wantTree.add(n.url);
    const running = this.refreshing.get(n.url);
    if (running) {
      this.again.add(n.url);
      return running;
    }
    const p = this.doRefresh(n)
      .catch((e) => this.opts.log.warn({ node: n.id, err: errText(e) }, 'refresh failed'))
      .finally(() => {
        this.refreshing.delete(n.url);
        if (this.again.delete(n.url) && !this.stopped && this.nodes.has(n.url))
          void this.refresh(n);
      });
    this.refreshing.set(n.url, p);
    return p;
  }

  refreshAll(): Promise<void> {
    return Promise.all(this.list().map((n) => this.refresh(n))).then(() => undefined);
  }

  private async doRefresh(n: NodeState): Promise<void> {
    const wasUp = n.up;
    const before = JSON.stringify([
      n.up,
      n.status?.height,
      n.status?.tip,
      n.status?.mining,
      n.status?.peers,
      n.status?.timeOffsetSeconds,
      n.status?.strategy?.privateBlocks,
      n.ws,
    ]);
    let status: NodeStatusJson;
    try {
      status = await fetchJson<NodeStatusJson>(`${n.url}/status`, { timeoutMs: 2500 });
    } catch (e) {
      n.up = false;
      n.error = errText(e);
      if (wasUp) this.notify(['network', 'tree']);
      return;
    }
    if (this.chainId === null) this.chainId = status.chainId;
    if (this.level === null && typeof status.level === 'number') this.level = status.level;
    if (status.chainId !== this.chainId) {
      n.up = false;
      n.error = `node is on chain ${status.chainId}, the explorer follows chain ${this.chainId}`;
      return;
    }
    n.status = status;
    n.up = true;
    n.error = null;
    const released = this.learnReleases(n, status);
    if (!wasUp) await this.probe(n);
    if (!this.sockets.has(n.url)) void this.follow(n);
    const stale = Date.now() - (this.treeAt.get(n.url) ?? 0) > TREE_MAX_AGE_MS;
    if (this.wantTree.delete(n.url) || stale || status.tip !== n.tree?.tip) {
      const tree = await fetchJson<TreeJson>(
        `${n.url}/tree?fromHeight=${Math.max(0, status.height - this.opts.treeDepth)}`,
        {
          timeoutMs: 9000,
        },
      );
      this.mergeTree(n, tree);
    } else {
      this.notify(['network']); // hashrate, peers, mining: cheap to re-read
    }
    const after = JSON.stringify([
      n.up,
      n.status?.height,
      n.status?.tip,
      n.status?.mining,
      n.status?.peers,
      n.status?.timeOffsetSeconds,
      n.status?.strategy?.privateBlocks,
      n.ws,
    ]);
    if (after !== before || released) this.notify(['network', 'tree']);
  }

  /**
   * An attacker's /status lists its last releases of withheld blocks: each block is marked
   * with it, and a reorg that connected one of them gets it as its cause (the reorg may be
   * seen on an honest node before the attacker's status is read, or after).
   */
  private learnReleases(n: NodeState, status: NodeStatusJson): boolean {
    const list = status.strategy?.releases;
    if (!Array.isArray(list)) return false;
    let learned = false;
    for (const r of list) {
      if (!r || !Array.isArray(r.hashes) || typeof r.action !== 'string') continue;
      const hashes = r.hashes.filter((h): h is string => typeof h === 'string');
      const release: Release = {
        node: n.id,
        action: r.action,
        at: typeof r.at === 'number' ? r.at : Date.now(),
        blocks: hashes.length,
      };
      for (const h of hashes) {
        if (this.releases.has(h)) continue;
        this.releases.set(h, release);
        learned = true;
      }
    }
    if (learned) for (const ev of this.reorgs) ev.cause ??= this.causeOf(ev.connected);
    return learned;
  }

  private causeOf(connected: readonly string[]): Release | null {
    for (const h of connected) {
      const r = this.releases.get(h);
      if (r) return r;
    }
    return null;
  }

  /** Devnet controls and level-3 routes: present when they answer anything but 404 NOT_FOUND. */
  private async probe(n: NodeState): Promise<void> {
    const routeExists = async (path: string, method: 'GET' | 'POST' = 'GET'): Promise<boolean> => {
      try {
        await fetchJson(`${n.url}${path}`, {
          method,
          ...(method === 'POST' ? { body: {} } : {}),
          timeoutMs: 2000,
        });
        return true;
      } catch (e) {
        if (isPeerError(e, 'http')) return !(e.status === 404 && e.code === 'NOT_FOUND');
        return false;
      }
    };
    // An empty body fails the route's schema (400) when the route exists.
    n.devControls = await routeExists('/dev/mining', 'POST');
    if ((n.status?.level ?? 1) >= 3) {
      const zero20 = '0x' + '0'.repeat(40);
      const [receipt, code, storage] = await Promise.all([
        routeExists(`/receipt/${ZERO_HASH}`),
        routeExists(`/code/${zero20}`),
        routeExists(`/storage/${zero20}/0x0`),
      ]);
      n.features = { receipt, code, storage };
    }
  }

  /** Follows a node's gossip: a `block` message means "re-read me now". */
  private async follow(n: NodeState): Promise<void> {
    if (this.stopped || this.sockets.has(n.url)) return;
    if (!this.genesisHash) {
      try {
        this.genesisHash = (
          await fetchJson<{ hash: string }>(`${n.url}/block/0`, { timeoutMs: 3000 })
        ).hash;
      } catch {
        return;
      }
    }
    // The chain id comes from the nodes' /status, read before anyone is followed.
    if (this.sockets.has(n.url) || this.stopped || this.chainId === null) return;
    const chainId = this.chainId;
    const ws = new WebSocket(n.url.replace(/^http/, 'ws') + '/ws', {
      handshakeTimeout: 5000,
      maxPayload: MAX_MESSAGE_BYTES,
    });
    this.sockets.set(n.url, ws);
    n.ws = 'connecting';
    ws.on('open', () => {
      n.ws = 'open';
      // Zero work: the node never asks us for blocks, and we are no peer it lists. No
      // capabilities: we read JSON only.
      ws.send(
        encodeMessage(
          helloMessage({
            chainId,
            height: 0,
            tip: this.genesisHash!,
            chainwork: '0x0',
            url: null,
          }),
        ),
      );
      this.notify(['network']);
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return; // only sent to peers that ask for it; we do not
      let msg: Message;
      try {
        msg = parseMessage(data.toString());
      } catch {
        return;
      }
      if (msg.type === 'block' || msg.type === 'blocks') {
        // An attacker's releases need not join its active chain: only honest announcements
        // tell a tip (leftTip).
        const hash = msg.type === 'block' ? (msg.block as { hash?: unknown } | null)?.hash : null;
        if (typeof hash === 'string' && !n.status?.strategy && n.announced.length < 100)
          n.announced.push(hash);
        void this.refresh(n);
      } else if (msg.type === 'tx') this.notify(['mempool']);
      else if (msg.type === 'getblocks') ws.send(encodeMessage(blocksMessage([])));
    });
    ws.on('error', () => undefined); // 'close' follows
    ws.on('close', () => {
      if (this.sockets.get(n.url) === ws) this.sockets.delete(n.url);
      n.ws = 'closed';
      this.notify(['network']);
      // The next poll reconnects if the node is still up.
    });
  }

  private mergeTree(n: NodeState, tree: TreeJson): void {
    const now = Date.now();
    const oldTip = n.tree?.tip ?? null;
    const seen = new Set<string>();
    let added = false;
    for (const b of tree.blocks) {
      seen.add(b.hash);
      let k = this.known.get(b.hash);
      if (!k) {
        k = {
          hash: b.hash,
          height: b.height,
          prevHash: b.prevHash,
          time: b.time,
          bits: b.bits,
          chainwork: b.chainwork,
          firstSeen: now,
          views: new Map(),
        };
        this.known.set(b.hash, k);
        added = true;
      }
      k.views.set(n.id, {
        status: b.status,
        active: b.active,
        ...(b.failure ? { failure: b.failure } : {}),
      });
    }
    // Blocks of the window the node no longer reports: it does not know them (any more).
    for (const hash of n.treeHashes) {
      if (seen.has(hash)) continue;
      // Below the window: the last view stands (the node still has the block).
      const k = this.known.get(hash);
      if (k && k.height >= tree.fromHeight) k.views.delete(n.id);
    }
    const left = leftTip(n.announced, tree);
    n.announced = left.pending;
    const reorg =
      detectReorg(n.id, oldTip, tree, this.known) ??
      (left.tip ? detectReorg(n.id, left.tip, tree, this.known) : null);
    const events: ReorgEvent[] = [];
    if (reorg) {
      const ev: ReorgEvent = {
        id: this.nextReorgId++,
        at: now,
        node: n.id,
        nodeUrl: n.url,
        ...reorg,
        cause: this.causeOf(reorg.connected),
      };
      this.reorgs.push(ev);
      if (this.reorgs.length > MAX_REORGS) this.reorgs.shift();
      events.push(ev);
      this.opts.log.info(
        {
          node: n.id,
          disconnected: ev.disconnected.length,
          connected: ev.connected.length,
          reason: ev.reason,
        },
        'reorg',
      );
    }
    const sig = tree.blocks
      .map((b) => `${b.hash.slice(-8)}${b.status[0]}${b.active ? 1 : 0}`)
      .join();
    const changed = sig !== this.treeSigs.get(n.url);
    this.treeSigs.set(n.url, sig);
    n.tree = tree;
    n.treeHashes = seen;
    this.treeAt.set(n.url, now);
    if (oldTip !== tree.tip) n.tipSeenAt = now;
    this.prune();
    this.checkReconsider();
    if (added || reorg || oldTip !== tree.tip) this.notify(['network', 'tree', 'blocks'], events);
    else if (changed) this.notify(['tree']);
  }

  /** Forgets blocks far below every tip. */
  private prune(): void {
    let top = 0;
    for (const n of this.nodes.values()) top = Math.max(top, n.status?.height ?? 0);
    const floor = top - 2 * this.opts.treeDepth;
    if (floor <= 0) return;
    for (const [hash, b] of this.known) if (b.height < floor) this.known.delete(hash);
    for (const hash of this.releases.keys()) if (!this.known.has(hash)) this.releases.delete(hash);
  }

  private pendingReconsider: { node: NodeState; hash: string; height: number; until: number }[] =
    [];

  /**
   * Reconsiders `hash` on `node` once any node's tip is above `height` (a fork of equal
   * work got its next block): the node then follows the most work again.
   */
  reconsiderLater(node: NodeState, hash: string, height: number): void {
    this.pendingReconsider.push({ node, hash, height, until: Date.now() + 3_600_000 });
  }

  private checkReconsider(): void {
    if (this.pendingReconsider.length === 0) return;
    const top = this.list().reduce((m, n) => Math.max(m, n.up ? (n.status?.height ?? 0) : 0), 0);
    const now = Date.now();
    const due = this.pendingReconsider.filter((p) => top > p.height || now > p.until);
    this.pendingReconsider = this.pendingReconsider.filter((p) => !due.includes(p));
    for (const p of due) {
      void fetchJson(`${p.node.url}/dev/reconsider`, {
        method: 'POST',
        body: { hash: p.hash },
        timeoutMs: 10_000,
      })
        .then(() => this.refresh(p.node, true))
        .catch((e) =>
          this.opts.log.warn({ node: p.node.id, err: errText(e) }, 'reconsider after fork failed'),
        );
    }
  }

  /** Where a block sits: which nodes know it and how they see it. */
  blockViews(hash: string): {
    node: string;
    status: string;
    active: boolean;
    failure?: { code: string; message: string };
  }[] {
    const k = this.known.get(hash);
    if (!k) return [];
    return this.list()
      .filter((n) => k.views.has(n.id))
      .map((n) => ({ node: n.id, ...k.views.get(n.id)! }));
  }
}

function nodeNumber(id: string): number {
  return Number(id.slice(id.lastIndexOf('-') + 1)) || 0;
}
