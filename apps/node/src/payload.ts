// What the miner draws its next block from. Level 1: data items posted to this node.
// Levels 2–3: pending txs pulled from the mempool and gossiped by peers. The chain's level
// turns them into a block (ChainLevel.buildTemplate): it re-checks txs against this node's
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
import type { ChainLevel, PendingTxs } from '@chainlab/levels';
import { fetchJson } from '@chainlab/service';
import type { Logger } from '@chainlab/service';

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

/** Levels with accounts: pending txs, from the mempool (polled) and from peers (gossiped). */
export class TxSource implements PendingTxs {
  /** The txs the level's blocks carry, in the mempool's inclusion order. */
  private txs = new Map<string, SignedTx>();
  private lastError: string | null = null;

  constructor(
    private readonly level: ChainLevel,
    private readonly mempoolUrl: string | undefined,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.txs.size;
  }

  /** Pulls /unprocessed from the mempool; keeps the last good list if it does not answer. */
  async refresh(timeoutMs = 3000): Promise<void> {
    if (!this.mempoolUrl) return;
    try {
      const url = `${this.mempoolUrl}/unprocessed`;
      // One retry: after a mempool restart the first request may reuse a dead keep-alive
      // connection; a GET is safe to repeat, on a fresh connection.
      const list = await fetchJson<unknown[]>(url, { timeoutMs }).catch(() =>
        fetchJson<unknown[]>(url, { timeoutMs }),
      );
      if (!Array.isArray(list)) throw new Error('/unprocessed did not answer a list');
      const next = new Map<string, SignedTx>();
      for (const json of list) {
        try {
          const tx = parseTx(json, this.level.spec);
          if (this.level.carries(tx)) next.set(txid(tx), tx);
        } catch {
          // a malformed entry from the mempool is skipped, never mined
        }
      }
      this.txs = next;
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

  /** A tx gossiped by a peer; true if it was new (then it is relayed once). */
  addFromPeer(tx: Tx): boolean {
    if (!this.level.carries(tx)) return false;
    const id = txid(tx);
    if (this.txs.has(id)) return false;
    checkTxSignature(tx, this.level.sigCache);
    this.txs.set(id, tx);
    return true;
  }

  onConnected(block: Block): void {
    if (isTxBlock(block)) for (const tx of block.txs) this.txs.delete(txid(tx));
  }

  /** Every pending tx in the mempool's order, signatures not checked yet. */
  pending(): Iterable<SignedTx> {
    return this.txs.values();
  }

  /**
   * The pending txs with a valid signature, in the mempool's order, as candidates for a
   * template that executes them on the tip state (level 3: evmBlockTemplate, which skips
   * those that do not apply: nonce gaps, spent funds, a full block). A bad signature is
   * dropped for good.
   */
  candidates(): SignedTx[] {
    const out: SignedTx[] = [];
    for (const [id, tx] of this.txs) {
      try {
        checkTxSignature(tx, this.level.sigCache);
        out.push(tx);
      } catch {
        this.txs.delete(id);
      }
    }
    return out;
  }
}
