// What the miner puts in its next block. Level 1: data items posted to this node. Level 2:
// transfers pulled from the mempool, re-checked against this node's own tip state so that
// no balance goes negative whatever the mempool believed. Level 3: transfers and contract
// txs, whose signatures are checked here and which evmBlockTemplate then executes on the
// tip state (skipping what a valid block may not hold).
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

/** Level ≥ 2: pending txs, from the mempool (polled) and from peers (gossiped). */
export class TxSource {
  /** Transfers, and at level 3 contract txs too, in the mempool's inclusion order. */
  private pending = new Map<string, SignedTx>();
  private lastError: string | null = null;

  constructor(
    private readonly spec: ChainSpec,
    private readonly mempoolUrl: string | undefined,
    private readonly sigCache: SignatureCache,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.pending.size;
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
          const tx = parseTx(json, { maxAmount: this.spec.maxAmount, level: this.spec.level });
          if (this.wanted(tx)) next.set(txid(tx), tx);
        } catch {
          // a malformed entry from the mempool is skipped, never mined
        }
      }
      this.pending = next;
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
    if (!this.wanted(tx)) return false;
    const id = txid(tx);
    if (this.pending.has(id)) return false;
    checkTxSignature(tx, this.sigCache);
    this.pending.set(id, tx);
    return true;
  }

  onConnected(block: Block): void {
    if (isTxBlock(block)) for (const tx of block.txs) this.pending.delete(txid(tx));
  }

  /** Transfers always; contract txs on level-3 chains. */
  private wanted(tx: Tx): tx is SignedTx {
    return tx.kind === 'transfer' || (tx.kind === 'contract' && this.spec.level >= 3);
  }

  /**
   * Level 3: the pending txs with a valid signature, in the mempool's order, as candidates
   * for evmBlockTemplate (which executes them on the tip state and skips those that do not
   * apply: nonce gaps, spent funds, a full block). A bad signature is dropped for good.
   */
  candidates(): SignedTx[] {
    const out: SignedTx[] = [];
    for (const [id, tx] of this.pending) {
      try {
        checkTxSignature(tx, this.sigCache);
        out.push(tx);
      } catch {
        this.pending.delete(id);
      }
    }
    return out;
  }

  /**
   * Txs for the next block: in the mempool's order (per sender by nonce), each applied to a
   * scratch copy of the tip state and skipped if it fails there, until the block is full.
   */
  select(state: StateMachine, coinbaseSizeHint = 200): TransferTx[] {
    if (!(state instanceof LedgerMachine)) return [];
    const scratch = state.state.clone();
    const ctx = { chainId: this.spec.chainId, maxAmount: this.spec.maxAmount };
    const chosen: TransferTx[] = [];
    let size = 100 + coinbaseSizeHint;
    for (const tx of this.pending.values()) {
      if (tx.kind !== 'transfer') continue;
      const txBytes = txSize(tx) + 3; // + its length prefix
      if (size + txBytes > this.spec.maxBlockBytes) break;
      try {
        checkTxSignature(tx, this.sigCache);
        scratch.applyTx(tx, ctx);
        chosen.push(tx);
        size += txBytes;
      } catch {
        // not valid on our tip (yet): nonce gap, spent funds, wrong chain… leave it
      }
    }
    return chosen;
  }
}
