// What the miner puts in its next block. Level 1: data items posted to this node. Level 2:
// transfers pushed by the mempool, applied to this node's own tip state so that no balance
// goes negative whatever the mempool believed. Level 3: transfers and contract txs, which
// evmBlockTemplate executes on the tip state (skipping what a valid block may not hold).
import {
  checkTxSignature,
  isTxBlock,
  LedgerMachine,
  parseTx,
  RuleError,
  txid,
  txSize,
  utf8,
  type Block,
  type ChainSpec,
  type SignatureCache,
  type SignedTx,
  type StateMachine,
  type TransferTx,
  type Tx,
} from '@chainlab/core';
import { fetchJson } from '@chainlab/service';
import type { Logger } from '@chainlab/service';
import { CandidateSet } from './candidates.js';
import { MempoolFeedClient } from './mempool-feed.js';

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
export class TxSource {
  private readonly set = new CandidateSet();
  private readonly feed: MempoolFeedClient | null;
  private lastError: string | null = null;
  private notifyTimer: NodeJS.Timeout | null = null;
  /** Called (at most about once a second) when txs arrived: the miner rebuilds its template. */
  onNewTxs: (() => void) | null = null;

  constructor(
    private readonly spec: ChainSpec,
    private readonly mempoolUrl: string | undefined,
    private readonly sigCache: SignatureCache,
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

  /** A tx gossiped by a peer; true if it was new (then it is relayed once). */
  addFromPeer(tx: Tx): boolean {
    if (!this.wanted(tx)) return false;
    const id = txid(tx);
    if (this.set.has(id)) return false;
    checkTxSignature(tx, this.sigCache);
    this.set.add(tx, id);
    this.notify();
    return true;
  }

  onConnected(block: Block): void {
    if (isTxBlock(block)) for (const tx of block.txs) this.set.remove(txid(tx));
  }

  /**
   * Level 3: the pending txs in the mempool's order, as candidates for evmBlockTemplate
   * (which executes them on the tip state and skips those that do not apply: nonce gaps,
   * spent funds, a full block).
   */
  candidates(): SignedTx[] {
    return this.set.inArrivalOrder();
  }

  /**
   * Txs for the next block, best fee first (per sender by nonce), each applied to a
   * scratch copy of the tip state: a sender who cannot pay yet waits for a tx that pays
   * it; a tx that fails otherwise is left out with the rest of its sender's; until the
   * block is full.
   */
  select(state: StateMachine, coinbaseSizeHint = 200): TransferTx[] {
    if (!(state instanceof LedgerMachine)) return [];
    const scratch = state.state.clone();
    const ctx = { chainId: this.spec.chainId, maxAmount: this.spec.maxAmount };
    let size = 100 + coinbaseSizeHint;
    const chosen = this.set.select((tx) => {
      if (tx.kind !== 'transfer') return 'skip';
      const txBytes = txSize(tx) + 3; // + its length prefix
      if (size + txBytes > this.spec.maxBlockBytes) return 'full';
      try {
        scratch.applyTx(tx, ctx);
      } catch (e) {
        // not valid on our tip (yet): funds still to come, a used nonce, a gap, wrong chain…
        if (e instanceof RuleError && e.code === 'INSUFFICIENT_FUNDS') return 'wait';
        return tx.nonce < scratch.get(tx.from).nonce ? 'stale' : 'skip';
      }
      size += txBytes;
      return 'ok';
    });
    return chosen as TransferTx[];
  }

  /** Txs from our mempool (feed or /unprocessed): parsed, their signatures taken as checked. */
  private addFromMempool(list: unknown[]): void {
    let added = 0;
    for (const json of list) {
      let tx: Tx;
      try {
        tx = parseTx(json, { maxAmount: this.spec.maxAmount, level: this.spec.level });
      } catch {
        continue; // a malformed entry from the mempool is skipped, never mined
      }
      if (!this.wanted(tx)) continue;
      const id = txid(tx);
      this.sigCache.set(id, tx.sig, true);
      if (this.set.add(tx, id)) added++;
    }
    if (added > 0) this.notify();
  }

  /** Wakes the miner for new txs, at most once a second (a busy feed sends many batches). */
  private notify(): void {
    if (this.notifyTimer || !this.onNewTxs) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = null;
      this.onNewTxs?.();
    }, 1000);
    this.notifyTimer.unref();
  }

  /** Transfers always; contract txs on level-3 chains. */
  private wanted(tx: Tx): tx is SignedTx {
    return tx.kind === 'transfer' || (tx.kind === 'contract' && this.spec.level >= 3);
  }
}
