// The mempool service logic, between the HTTP routes / gossip and the pure pool:
// parse → cheap checks → signature (worker threads) → admission, strictly in arrival
// order; and the pool's reaction to every tip change of the chain it follows.
import {
  parseTx,
  txid as computeTxid,
  txToJson,
  type Chain,
  type ChainSpec,
  type ParseTxOptions,
  type Reorg,
  type SignatureBackend,
  type SignedTx,
  type Tx,
} from '@chainlab/core';
import type { Logger } from '@chainlab/service';
import type { TxSink } from '@chainlab/sync';
import { confirmedBalance } from './balances.js';
import { fromRuleError, isMempoolError, MempoolError, type PushTxCode } from './errors.js';
import type { StateView } from './pending-state.js';
import type { TxFeed } from './feed.js';
import type { AddResult, EntryStatus, TxPool } from './pool.js';
import { blockTxIds, TxIndex } from './tx-index.js';
import { VerifierBusyError, type SignatureVerifier } from './verifier.js';

export interface MempoolDeps {
  spec: ChainSpec;
  /** Whether the chain's blocks carry this tx (ChainLevel.carries): a peer's others are ignored. */
  carries: (tx: Tx) => boolean;
  chain: Chain;
  /** The tip state (the chain's LedgerState, updated in place as the chain moves). */
  tipState: StateView;
  pool: TxPool;
  verifier: SignatureVerifier;
  /** Faster secp256k1 for an Ethereum tx's sender, recovered while parsing it (level 3). */
  sigBackend?: SignatureBackend;
  log?: Logger;
  /** Called for every tx admitted (e.g. to relay it). */
  onAdmitted?: (tx: SignedTx, result: AddResult) => void;
}

export interface TxStatus {
  txid: string;
  status: 'confirmed' | EntryStatus;
  tx: ReturnType<typeof txToJson>;
  blockHash: string | null;
  blockHeight: number | null;
  confirmations: number;
}

export class Mempool implements TxSink {
  readonly index: TxIndex;
  private admitting: Promise<unknown> = Promise.resolve();
  private readonly inflight = new Set<string>();
  readonly counters = {
    accepted: 0,
    fromPeers: 0,
    mined: 0,
    returned: 0,
    dropped: 0,
    refused: {} as Partial<Record<PushTxCode, number>>,
  };

  /**
   * Where admitted txs are made durable (persist.ts): submit() answers only once the tx is
   * on disk. null: memory only (tests, benchmarks).
   */
  journal: { append(txs: readonly Tx[]): Promise<void> } | null = null;

  /** Where changes of the ready set are pushed to nodes (feed.ts). null: nobody listens. */
  feed: TxFeed | null = null;

  /** The spec's limits, and the faster backend for an Ethereum tx's sender. */
  private readonly parseOptions: ParseTxOptions;

  constructor(private readonly deps: MempoolDeps) {
    this.index = new TxIndex(deps.chain);
    this.parseOptions = deps.sigBackend ? { ...deps.spec, sigBackend: deps.sigBackend } : deps.spec;
  }

  get pool(): TxPool {
    return this.deps.pool;
  }

  get spec(): ChainSpec {
    return this.deps.spec;
  }

  // ---- admission ----

  /** POST /pushtx: untrusted JSON → txid and where it went. Rejects with a MempoolError. */
  async submit(json: unknown): Promise<{ txid: string; status: EntryStatus }> {
    let tx: Tx;
    try {
      tx = parseTx(json, this.parseOptions);
    } catch (e) {
      throw this.refused(fromRuleError(e));
    }
    const result = await this.admit(tx);
    // The 200 is a promise: the tx is on disk before it is answered.
    await this.journal?.append([tx]);
    return { txid: result.entry.id, status: result.entry.status };
  }

  /**
   * Admits a parsed tx: the cheap checks now (throwing synchronously), the signature in
   * a worker, then the final checks and insertion, in the order admit() was called.
   */
  admit(tx: Tx, id: string = computeTxid(tx)): Promise<AddResult> {
    this.settleTip();
    const mined = this.index.lookup(id);
    if (mined) {
      throw this.refused(
        new MempoolError(
          'DUPLICATE',
          `tx ${id} is already in block ${mined.height} (${mined.hash})`,
        ),
      );
    }
    if (this.inflight.has(id))
      throw this.refused(new MempoolError('DUPLICATE', `tx ${id} is already being admitted`));
    try {
      this.deps.pool.precheck(tx, id);
    } catch (e) {
      throw this.refused(fromRuleError(e));
    }
    let verified: Promise<boolean>;
    try {
      verified = this.deps.verifier.verify(tx as SignedTx, id);
    } catch (e) {
      if (e instanceof VerifierBusyError)
        throw this.refused(new MempoolError('POOL_FULL', e.message));
      throw e;
    }
    this.inflight.add(id);
    const result = this.admitting
      .then(async () => {
        if (!(await verified)) {
          throw new MempoolError(
            'INVALID_SIGNATURE',
            `the signature is not ${(tx as SignedTx).from}'s signature of tx ${id}`,
          );
        }
        this.settleTip();
        const added = this.deps.pool.add(tx, id);
        this.counters.accepted++;
        this.counters.dropped += added.dropped.length;
        this.publish(added);
        this.deps.onAdmitted?.(tx as SignedTx, added);
        return added;
      })
      .catch((e: unknown) => {
        throw isMempoolError(e) ? this.refused(e) : e;
      })
      .finally(() => this.inflight.delete(id));
    this.admitting = result.catch(() => undefined);
    return result;
  }

  /** Tells the feed how an admission changed the ready set. */
  private publish(added: AddResult): void {
    const feed = this.feed;
    if (!feed) return;
    if (added.replaced) feed.gone(added.replaced.id);
    for (const d of added.dropped) feed.gone(d.entry.id);
    if (added.entry.status === 'ready') feed.ready(added.entry.id, added.entry.tx);
    for (const e of added.promoted) feed.ready(e.id, e.tx);
  }

  /** The ready txs in mining order (the feed's snapshot). */
  readyTxs(): { id: string; tx: Tx }[] {
    this.settleTip();
    return this.deps.pool.ordered().map((e) => ({ id: e.id, tx: e.tx }));
  }

  /**
   * TxSink for gossip: a tx a peer sent. Admitted asynchronously (its signature is checked
   * in a worker); returns false so that gossip does not relay it before it is checked.
   * A tx the pool refuses is dropped quietly: a peer may simply be behind or ahead of us.
   */
  addFromPeer(tx: Tx): boolean {
    if (!this.deps.carries(tx)) return false;
    const id = computeTxid(tx);
    if (this.deps.pool.has(id) || this.inflight.has(id)) return false;
    try {
      this.admit(tx, id).then(
        () => this.counters.fromPeers++,
        (e: unknown) => this.peerRefused(e, id),
      );
    } catch (e) {
      this.peerRefused(e, id);
    }
    return false;
  }

  private peerRefused(e: unknown, id: string): void {
    if (isMempoolError(e))
      this.deps.log?.debug({ txid: id, code: e.code, reason: e.message }, 'tx from a peer refused');
    else
      this.deps.log?.error(
        { txid: id, err: (e as Error).message },
        'admitting a tx from a peer failed',
      );
  }

  private refused(e: MempoolError): MempoolError {
    this.counters.refused[e.code] = (this.counters.refused[e.code] ?? 0) + 1;
    return e;
  }

  // ---- the chain moved ----

  /**
   * A tip event. The index follows each event at once; the pool is laid out again once
   * per burst of events (a catch-up batch announces one per block, after the whole batch
   * is already connected), with their net effect: txs connected and not disconnected
   * again are mined, txs disconnected and not connected again come back.
   */
  onTip(reorg: Reorg): void {
    this.index.onReorg(reorg);
    const burst = this.burst;
    for (const node of reorg.disconnected) {
      if (!('txs' in node.block)) continue;
      const ids = blockTxIds(node.block);
      node.block.txs.forEach((tx, i) => {
        const id = ids[i]!;
        if (burst.mined.delete(id)) return;
        if (tx.kind !== 'coinbase') burst.returned.set(id, tx);
      });
    }
    for (const node of reorg.connected) {
      for (const id of blockTxIds(node.block)) {
        if (!burst.returned.delete(id)) burst.mined.add(id);
      }
    }
    burst.height = reorg.newTip.height;
    if (!burst.scheduled) {
      burst.scheduled = true;
      queueMicrotask(() => this.settleTip());
    }
  }

  private burst = {
    mined: new Set<string>(),
    returned: new Map<string, Tx>(),
    height: 0,
    scheduled: false,
  };

  /** Applies the pending tip events to the pool (also called by queries that must be exact). */
  settleTip(): void {
    const { mined, returned, height } = this.burst;
    if (!this.burst.scheduled) return;
    this.burst = { mined: new Set(), returned: new Map(), height: 0, scheduled: false };
    const update = this.deps.pool.updateTip(
      this.deps.tipState,
      mined,
      [...returned].map(([id, tx]) => ({ id, tx })),
    );
    this.counters.mined += update.mined.length;
    this.counters.returned += update.returned.length;
    this.counters.dropped += update.dropped.length;
    this.feed?.resync(this.deps.pool.ordered());
    const log = this.deps.log;
    if (update.dropped.length > 0 || update.returned.length > 0) {
      log?.info(
        {
          height,
          mined: update.mined.length,
          returned: update.returned.length,
          dropped: update.dropped.map((d) => ({ txid: d.entry.id, reason: d.reason })).slice(0, 20),
          droppedCount: update.dropped.length,
        },
        'pool updated after a tip change',
      );
    } else if (update.mined.length > 0) {
      log?.debug({ height, mined: update.mined.length }, 'mined txs left the pool');
    }
  }

  // ---- queries ----

  /** GET /balance: balance at `confirmations` (0 = with pending txs). */
  balance(address: string, confirmations: number): bigint {
    this.settleTip();
    if (confirmations === 0) return this.deps.pool.pendingAccount(address).balance;
    return confirmedBalance(this.deps.chain, this.deps.tipState, address, confirmations);
  }

  /** The account at the tip (confirmations = 1). */
  chainAccount(address: string): { balance: bigint; nonce: number } {
    return this.deps.tipState.get(address);
  }

  /** Where a tx is: in a block of the active chain, pending, or unknown (undefined). */
  status(id: string): TxStatus | undefined {
    this.settleTip();
    const key = id.toLowerCase();
    const node = this.index.lookup(key);
    if (node) {
      const ids = blockTxIds(node.block);
      const tx = 'txs' in node.block ? node.block.txs[ids.indexOf(key)] : undefined;
      if (tx) {
        return {
          txid: key,
          status: 'confirmed',
          tx: txToJson(tx),
          blockHash: node.hash,
          blockHeight: node.height,
          confirmations: this.deps.chain.confirmations(node),
        };
      }
    }
    const entry = this.deps.pool.get(key);
    if (!entry) return undefined;
    return {
      txid: key,
      status: entry.status,
      tx: txToJson(entry.tx),
      blockHash: null,
      blockHeight: null,
      confirmations: 0,
    };
  }
}
