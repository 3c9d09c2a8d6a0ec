// What the miner draws its next block from. Level 1: data items posted to this node.
// Levels 2–3: pending txs pushed by the mempool's feed and gossiped by peers. The chain's
// level turns them into a block (ChainLevel.buildTemplate): it applies txs to this node's
// own tip state, so no balance goes negative whatever the mempool believed.
import {
  checkTxSignature,
  isTxBlock,
  parseTx,
  RuleError,
  txid,
  utf8,
  type Block,
  type ChainSpec,
  type SignedTx,
  type Tx,
} from '@chainlab/core';
import type { ChainLevel, PendingTxs, TxVerdict } from '@chainlab/levels';
import { fetchJson } from '@chainlab/service';
import type { Logger } from '@chainlab/service';
import { CandidateSet } from './candidates.js';
import { MempoolFeedClient, type PushResult } from './mempool-feed.js';

/** Level 1: data items waiting for a block. Items of disconnected blocks come back. */
export class DataQueue {
  private readonly items = new Set<string>();
  /**
   * Where posted items are made durable (data-journal.ts): add() resolves only once the
   * item is on disk, so POST /data answers 202 only then. null: memory only.
   */
  journal: { append(items: readonly string[]): Promise<void> } | null = null;

  constructor(
    private readonly spec: ChainSpec,
    private readonly maxItems = 10_000,
  ) {}

  get size(): number {
    return this.items.size;
  }

  /**
   * Queues an item and resolves once it is durable; rejects with a RuleError (the REST
   * layer's 400) when it is too large or the queue is full.
   */
  async add(item: string): Promise<void> {
    this.admit(item);
    await this.journal?.append([item]);
  }

  /** Queues an item in memory only (restoring the journal); throws a RuleError. */
  admit(item: string): void {
    const bytes = utf8(item).length;
    if (bytes > this.spec.maxDataItemBytes) {
      throw new RuleError(
        'BAD_DATA_ITEM',
        `data item is ${bytes} bytes, the limit is ${this.spec.maxDataItemBytes}`,
      );
    }
    if (this.items.size >= this.maxItems)
      throw new RuleError('BAD_DATA_ITEM', 'the data queue is full, try again later');
    this.items.add(item);
  }

  /** Every queued item, oldest first. */
  entries(): IterableIterator<string> {
    return this.items.values();
  }

  /** Items that fit in a block beside the header, oldest first. */
  take(): string[] {
    const out: string[] = [];
    let size = 100; // header + count, generously
    for (const item of this.items) {
      const n = utf8(item).length + 5;
      if (size + n > this.spec.maxBlockBytes) break;
      out.push(item);
      size += n;
    }
    return out;
  }

  onConnected(block: Block): void {
    if (!isTxBlock(block)) for (const item of block.data) this.items.delete(item);
  }

  onDisconnected(block: Block): void {
    if (!isTxBlock(block)) for (const item of block.data) this.items.add(item);
  }
}

/**
 * Level ≥ 2: pending txs — pushed by the mempool's feed (polled from /unprocessed only while
 * the feed is down) and gossiped by peers — kept as a candidate set whose signatures are
 * already checked (candidates.ts).
 *
 * Trust: the node takes its own mempool's (--mempool) signature checks as its own and
 * records them in its signature cache, as the mempool does for itself: a tx is verified
 * once on the way in, neither again for the template nor when the node validates the
 * block it mined. A peer's tx is verified here.
 */
export class TxSource implements PendingTxs {
  private readonly set = new CandidateSet();
  private readonly feed: MempoolFeedClient | null;
  private lastError: string | null = null;
  private notifyTimer: NodeJS.Timeout | null = null;
  /** Called (at most about once a second) when txs arrived: the miner rebuilds its template. */
  onNewTxs: (() => void) | null = null;

  constructor(
    private readonly level: ChainLevel,
    private readonly mempoolUrl: string | undefined,
    private readonly log: Logger,
  ) {
    this.feed = mempoolUrl
      ? new MempoolFeedClient(
          mempoolUrl,
          {
            snapshot: (txs) => {
              this.set.clear();
              this.addFromMempool(txs);
            },
            added: (txs) => this.addFromMempool(txs),
            removed: (ids) => {
              for (const id of ids) this.set.remove(id);
            },
          },
          log,
        )
      : null;
  }

  get size(): number {
    return this.set.size;
  }

  /**
   * Txs for the mempool's admission over the feed connection (see MempoolFeedClient.push);
   * null when there is no feed or it is down.
   */
  pushToMempool(txs: unknown[], timeoutMs: number): Promise<PushResult[] | null> {
    return this.feed ? this.feed.push(txs, timeoutMs) : Promise.resolve(null);
  }

  /** Whether the feed is connected and current (a push would go over it). */
  get feedLive(): boolean {
    return this.feed?.live ?? false;
  }

  /** Subscribes to the mempool's feed (no-op without a mempool). */
  start(): void {
    this.feed?.start();
  }

  stop(): void {
    this.feed?.stop();
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    this.notifyTimer = null;
  }

  get feedStats(): { live: boolean; connects: number; messages: number; snapshots: number } {
    return {
      live: this.feed?.live ?? false,
      ...(this.feed?.stats ?? { connects: 0, messages: 0, snapshots: 0 }),
    };
  }

  /**
   * Before a template: nothing to do while the feed is live (the set is current). The
   * fallback while it is down: pull /unprocessed whole, keeping the last good list if the
   * mempool does not answer either.
   */
  async refresh(timeoutMs = 3000): Promise<void> {
    if (!this.mempoolUrl || this.feed?.live) return;
    try {
      const list = await fetchJson<unknown[]>(`${this.mempoolUrl}/unprocessed`, { timeoutMs });
      if (!Array.isArray(list)) throw new Error('/unprocessed did not answer a list');
      // The feed may have come back while we waited: its snapshot is newer.
      if (this.feed?.live) return;
      this.set.clear();
      this.addFromMempool(list);
      if (this.lastError) this.log.info({ mempool: this.mempoolUrl }, 'mempool reachable again');
      this.lastError = null;
    } catch (e) {
      const message = (e as Error).message;
      if (message !== this.lastError)
        this.log.warn(
          { mempool: this.mempoolUrl, err: message },
          'cannot pull txs from the mempool',
        );
      this.lastError = message;
    }
  }

  /**
   * Mining on request (devnet /dev/mine): makes sure every tx the mempool acknowledged
   * before now is here — a barrier over the feed, or a pull while the feed is down.
   */
  async catchUp(timeoutMs = 15_000): Promise<void> {
    if (!this.feed) return;
    if (await this.feed.sync(timeoutMs)) return;
    if (this.feed.live)
      this.log.warn(
        { mempool: this.mempoolUrl, timeoutMs },
        'the mempool did not answer a feed sync in time; mining with the txs at hand',
      );
    await this.refresh(timeoutMs);
  }

  /**
   * A tx gossiped by a peer; true if it was new (then it is relayed once). It goes into
   * the next template at once, not after the feed's one-second batching: a double-spend
   * payment must reach the honest miners' next block, as the attack's model assumes.
   */
  addFromPeer(tx: Tx): boolean {
    if (!this.level.carries(tx)) return false;
    const id = txid(tx);
    if (this.set.has(id)) return false;
    checkTxSignature(tx, this.level.sigCache);
    this.set.add(tx, id);
    this.onNewTxs?.();
    return true;
  }

  onConnected(block: Block): void {
    if (isTxBlock(block)) for (const tx of block.txs) this.set.remove(txid(tx));
  }

  /**
   * A block left the active chain (a reorg, or an invalidation on this node alone): its
   * txs are candidates again. They were checked when the block was validated; the
   * template re-applies them to the new tip, so a conflicting one is simply left out.
   */
  onDisconnected(block: Block): void {
    if (!isTxBlock(block)) return;
    let added = 0;
    for (const tx of block.txs) {
      if (tx.kind === 'coinbase' || !this.level.carries(tx)) continue;
      if (this.set.add(tx)) added++;
    }
    if (added > 0) this.notify();
  }

  /**
   * The pending txs in arrival order, as candidates for a template that executes them on
   * the tip state (level 3: evmBlockTemplate, which skips those that do not apply: nonce
   * gaps, spent funds, a full block).
   */
  candidates(): SignedTx[] {
    return this.set.inArrivalOrder();
  }

  /** The level's template picks txs in fee order (candidates.ts: CandidateSet.select). */
  select(tryApply: (tx: SignedTx) => TxVerdict): SignedTx[] {
    return this.set.select(tryApply);
  }

  /** Txs from our mempool (feed or /unprocessed): parsed, their signatures taken as checked. */
  private addFromMempool(list: unknown[]): void {
    let added = 0;
    for (const json of list) {
      let tx: Tx;
      try {
        // Our mempool recovered an Ethereum tx's sender already: taken as given (see above).
        tx = parseTx(json, { ...this.level.spec, trustSender: true });
      } catch {
        continue; // a malformed entry from the mempool is skipped, never mined
      }
      if (!this.level.carries(tx)) continue;
      const id = txid(tx);
      this.level.sigCache.set(id, tx.sig, true);
      if (this.set.add(tx, id)) added++;
    }
    if (added > 0) this.notify();
  }

  /**
   * Wakes the miner for new txs, at most once a second (a busy feed sends many batches,
   * and a flood of eth_sendRawTransaction would otherwise rebuild the template per tx).
   */
  notify(): void {
    if (this.notifyTimer || !this.onNewTxs) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = null;
      this.onNewTxs?.();
    }, 1000);
    this.notifyTimer.unref();
  }
}
