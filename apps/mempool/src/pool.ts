// The pending-transaction pool: pure, synchronous, no I/O. Signatures are verified before
// a tx gets here (verifier.ts); everything else a tx must satisfy is checked here.
//
// Two kinds of entries:
//  - ready: the sender's next nonces without a gap. Together they have a valid inclusion
//    order on the tip state (order.ts), and `state` is the tip with all of them applied —
//    the ledger at confirmations = 0. Admission keeps that invariant: a ready tx is
//    admitted only if it applies on `state`, i.e. after every pending tx.
//  - held: up to `maxNonceGap` nonces beyond the sender's next one, waiting for the gap
//    to fill. Not in /unprocessed, not in balances. When the gap fills they are checked
//    against `state` in nonce order and become ready (or are dropped if they now overdraw).
//
// After every tip change the whole pool is laid out again on the new tip: mined txs
// leave, txs of disconnected blocks come back, and whatever no longer applies (a nonce
// the chain used, funds a competing tx spent) is dropped.
import { checkTxAmounts, Heap, type Tx } from '@chainlab/core';
import {
  checkContractAdmission,
  costOf,
  feeLevel,
  type ContractPolicy,
  type PoolTx,
} from './contract-rules.js';
import { fromRuleError, MempoolError } from './errors.js';
import { inclusionOrder, type Schedulable } from './order.js';
import { moveOf, PendingState, type StateView } from './pending-state.js';

export interface PoolPolicy {
  chainId: number;
  /** The spec's maxAmount (largest amount or fee of one tx). */
  maxAmount: bigint;
  /** Fee floor in base units (the spec's minFee). */
  minFee: bigint;
  /** Most txs held (ready + held). Every transfer is 150 bytes, so this bounds memory too. */
  maxTxs: number;
  /** How far beyond the sender's next nonce a tx may be held. */
  maxNonceGap: number;
  /**
   * Level 3: contract txs are admitted (see contract-rules.ts), and `hasCode` tells which
   * addresses hold a contract at the tip — a level-2 transfer to one is refused (the
   * contract would never see the payment; a contract tx runs its receive()).
   */
  contracts?: ContractPolicy & { hasCode(address: string): boolean };
}

export const DEFAULT_MAX_TXS = 50_000;
export const DEFAULT_MAX_NONCE_GAP = 16;

export type EntryStatus = 'ready' | 'held';

/** A pending tx: the transfer, its derived fields (sender, recipient, cost, seq) and status. */
export interface PoolEntry extends Schedulable {
  readonly id: string;
  status: EntryStatus;
}

export type DropReason =
  'BAD_NONCE' | 'INSUFFICIENT_FUNDS' | 'FEE_TOO_LOW' | 'REPLACED' | 'EVICTED';

export interface Dropped {
  entry: PoolEntry;
  reason: DropReason;
}

export interface AddResult {
  entry: PoolEntry;
  /** The tx this one replaced (same sender and nonce, lower fee). */
  replaced: PoolEntry | null;
  /** Held txs that became ready because this one filled their gap. */
  promoted: PoolEntry[];
  /** Txs that left to make room, or because they depended on one that left. */
  dropped: Dropped[];
}

export interface TipUpdate {
  /** Pool txs the new blocks contain. */
  mined: PoolEntry[];
  /** Txs of disconnected blocks that are pending again. */
  returned: PoolEntry[];
  /** Txs that no longer apply on the new tip (or no longer fit). */
  dropped: Dropped[];
}

interface SenderTxs {
  byNonce: Map<number, PoolEntry>;
  maxNonce: number;
}

interface Layout {
  ready: PoolEntry[];
  held: PoolEntry[];
  dropped: Dropped[];
  state: PendingState;
}

const cost = costOf;

function newEntry(tx: PoolTx, id: string, seq: number, status: EntryStatus): PoolEntry {
  return { ...moveOf(tx), seq, id, status };
}

/** Of two txs with the same sender and nonce, the one that stays: higher fee level, then earlier. */
function better(a: PoolEntry, b: PoolEntry): boolean {
  return a.fee > b.fee || (a.fee === b.fee && a.seq < b.seq);
}

export class TxPool {
  private readonly byId = new Map<string, PoolEntry>();
  private readonly senders = new Map<string, SenderTxs>();
  /** Candidates for eviction: every sender's last tx, cheapest first (lazily cleaned). */
  private readonly tails = new Heap<PoolEntry>(
    (a, b) => a.fee < b.fee || (a.fee === b.fee && a.seq > b.seq),
  );
  private state: PendingState;
  private nextSeq = 0;
  private readyCount = 0;
  private orderCache: PoolEntry[] | null = null;
  /** Bumped on every change: lets callers cache what they derive from the pool. */
  version = 0;

  constructor(
    readonly policy: PoolPolicy,
    private tip: StateView,
  ) {
    this.state = new PendingState(tip);
  }

  // ---- queries ----

  get size(): number {
    return this.byId.size;
  }

  get ready(): number {
    return this.readyCount;
  }

  get held(): number {
    return this.byId.size - this.readyCount;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): PoolEntry | undefined {
    return this.byId.get(id);
  }

  entries(): IterableIterator<PoolEntry> {
    return this.byId.values();
  }

  /** The account at confirmations = 0: the tip plus every ready tx. */
  pendingAccount(address: string): { balance: bigint; nonce: number } {
    return this.state.get(address);
  }

  /** Ready txs in inclusion order (see order.ts). Cached until the pool or tip changes. */
  ordered(): PoolEntry[] {
    if (this.orderCache) return this.orderCache;
    const chains: PoolEntry[][] = [];
    for (const s of this.senders.values()) {
      const chain = [...s.byNonce.values()].filter((e) => e.status === 'ready');
      if (chain.length === 0) continue;
      chains.push(chain.sort((a, b) => a.tx.nonce - b.tx.nonce));
    }
    // Ordered on the live tip: between a tip change and updateTip() the mined txs simply
    // fail their nonce here and are left out, so the answer is always includable as is.
    this.orderCache = inclusionOrder(this.tip, chains).order;
    return this.orderCache;
  }

  // ---- admission ----

  /**
   * The checks worth running before the expensive signature check, without changing
   * anything: value rules, fee floor, duplicate, a nonce the chain already used, a
   * replacement that does not pay more, a full pool. The nonce-gap and funds checks wait
   * for add(): txs verified in parallel may still fill a gap or pay the sender first.
   * Throws MempoolError.
   */
  precheck(tx: Tx, id: string): void {
    this.plan(tx, id, false);
  }

  /** Admits a tx whose signature was verified. Throws MempoolError. */
  add(tx: Tx, id: string): AddResult {
    let plan = this.plan(tx, id);
    const dropped: Dropped[] = [];
    if (plan.evict) {
      // Make room first, then check the newcomer again on what is left.
      for (const d of this.evict(plan.evict)) dropped.push(d);
      plan = this.plan(tx, id);
    }
    const t = tx as PoolTx;
    const entry = newEntry(t, id, this.nextSeq++, plan.kind);
    let promoted: PoolEntry[] = [];
    if (plan.replaces && plan.replaces.status === 'ready') {
      // Lay the pool out again with the replacement: it must not leave anyone short
      // (a recipient may have spent what the old tx paid it).
      const groups = this.groups();
      const list = groups.get(entry.sender)!;
      list[list.indexOf(plan.replaces)] = entry;
      const layout = this.layout(groups);
      const lost = layout.dropped.filter((d) => d.entry !== plan.replaces);
      if (lost.length > 0 || !layout.ready.includes(entry)) {
        throw new MempoolError(
          'INSUFFICIENT_FUNDS',
          `replacing ${plan.replaces.id} with this tx would leave ${lost.length || 1} pending tx(s) without funds`,
        );
      }
      this.removeEntry(plan.replaces);
      this.insertEntry(entry);
      this.commit(layout);
      promoted = this.promote(t.from, dropped);
    } else if (plan.replaces) {
      this.removeEntry(plan.replaces);
      this.insertEntry(entry);
    } else if (plan.kind === 'ready') {
      this.state.apply(entry);
      this.insertEntry(entry);
      promoted = this.promote(t.from, dropped);
    } else {
      this.insertEntry(entry);
    }
    this.changed();
    return { entry, replaced: plan.replaces, promoted, dropped };
  }

  private plan(
    tx: Tx,
    id: string,
    final = true,
  ): { kind: EntryStatus; replaces: PoolEntry | null; evict: PoolEntry | null } {
    const { policy } = this;
    if (tx.kind === 'coinbase') {
      throw new MempoolError(
        'INVALID_SIGNATURE',
        'a coinbase cannot be pushed: it carries no signature',
      );
    }
    const contracts = policy.contracts;
    if (tx.kind === 'contract' && !contracts)
      throw new MempoolError('INVALID_JSON', `${tx.kind} txs are not used on this chain`);
    if (tx.chainId !== policy.chainId) {
      throw new MempoolError(
        'WRONG_CHAIN',
        `tx is for chain ${tx.chainId}, this is chain ${policy.chainId}`,
      );
    }
    try {
      checkTxAmounts(tx, policy.maxAmount);
    } catch (e) {
      throw fromRuleError(e);
    }
    const fee = feeLevel(tx);
    if (tx.kind === 'contract') checkContractAdmission(tx, contracts!);
    else if (tx.fee < policy.minFee) {
      throw new MempoolError('FEE_TOO_LOW', `fee ${tx.fee} is below the minimum ${policy.minFee}`);
    } else if (contracts?.hasCode(tx.to)) {
      throw new MempoolError(
        'INVALID_JSON',
        `${tx.to} is a contract: a transfer (type 1) would not run its code; pay it with a contract tx (the wallet's send does at level 3)`,
      );
    }
    if (this.byId.has(id)) throw new MempoolError('DUPLICATE', `tx ${id} is already pending`);

    const sender = tx.from.toLowerCase();
    const chainNonce = this.tip.get(tx.from).nonce;
    if (tx.nonce < chainNonce) {
      throw new MempoolError(
        'BAD_NONCE',
        `nonce ${tx.nonce} is used: ${tx.from} is at nonce ${chainNonce} on the chain`,
      );
    }
    const pending = this.state.get(tx.from);
    const existing = this.senders.get(sender)?.byNonce.get(tx.nonce) ?? null;
    if (existing) {
      if (fee <= existing.fee) {
        throw new MempoolError(
          'FEE_TOO_LOW',
          `tx ${existing.id} with nonce ${tx.nonce} is pending with fee ${existing.fee}${existing.tx.kind === 'contract' ? ` (gasPrice ${existing.tx.gasPrice} × 21,000)` : ''}; a replacement must pay more`,
        );
      }
      const available =
        existing.status === 'ready'
          ? pending.balance + cost(existing.tx)
          : pending.balance - this.heldCost(sender, tx.nonce);
      if (final && available < cost(tx)) throw this.noFunds(tx, available);
      return { kind: existing.status, replaces: existing, evict: null };
    }
    let kind: EntryStatus;
    if (!final) {
      kind = tx.nonce === pending.nonce ? 'ready' : 'held';
    } else if (tx.nonce > pending.nonce) {
      if (tx.nonce - pending.nonce > policy.maxNonceGap) {
        throw new MempoolError(
          'BAD_NONCE',
          `nonce ${tx.nonce} is too far ahead: ${tx.from} is at nonce ${pending.nonce} with its pending txs, and at most ${policy.maxNonceGap} ahead are held`,
        );
      }
      const available = pending.balance - this.heldCost(sender, tx.nonce);
      if (available < cost(tx)) throw this.noFunds(tx, available);
      kind = 'held';
    } else if (tx.nonce < pending.nonce) {
      throw new MempoolError(
        'BAD_NONCE',
        `nonce ${tx.nonce} is taken; ${tx.from} is at nonce ${pending.nonce} with its pending txs`,
      );
    } else {
      if (pending.balance < cost(tx)) throw this.noFunds(tx, pending.balance);
      kind = 'ready';
    }
    let evict: PoolEntry | null = null;
    if (this.byId.size >= policy.maxTxs) {
      evict = this.cheapestTail(sender);
      if (!evict || evict.fee >= fee) {
        throw new MempoolError(
          'POOL_FULL',
          `the pool holds ${this.byId.size} txs; to enter, pay a fee above ${evict ? evict.fee : 'the cheapest pending tx'}`,
        );
      }
    }
    return { kind, replaces: null, evict };
  }

  private noFunds(tx: PoolTx, available: bigint): MempoolError {
    return new MempoolError(
      'INSUFFICIENT_FUNDS',
      `${tx.from} has ${available < 0n ? 0n : available} at confirmations 0 (pending spends included); the tx needs ${cost(tx)}`,
    );
  }

  /** Σ cost of the sender's held txs with a nonce below `nonce`. */
  private heldCost(sender: string, nonce: number): bigint {
    let sum = 0n;
    for (const e of this.senders.get(sender)?.byNonce.values() ?? []) {
      if (e.status === 'held' && e.tx.nonce < nonce) sum += cost(e.tx);
    }
    return sum;
  }

  /** Held txs of `sender` whose gap is now filled become ready, in nonce order. */
  private promote(address: string, dropped: Dropped[]): PoolEntry[] {
    const promoted: PoolEntry[] = [];
    for (;;) {
      const next = this.senders
        .get(address.toLowerCase())
        ?.byNonce.get(this.state.get(address).nonce);
      if (!next || next.status !== 'held') break;
      const problem = this.state.problem(next);
      if (problem !== null) {
        this.removeEntry(next);
        dropped.push({ entry: next, reason: problem });
        break;
      }
      this.state.apply(next);
      next.status = 'ready';
      this.readyCount++;
      promoted.push(next);
    }
    return promoted;
  }

  // ---- leaving ----

  /** The cheapest tx that can leave without stranding its sender's later txs. */
  private cheapestTail(exceptSender?: string): PoolEntry | null {
    if (this.tails.size > 2 * this.byId.size + 1024) this.tails.retain((e) => this.isTail(e));
    const aside: PoolEntry[] = [];
    let found: PoolEntry | null = null;
    while (this.tails.size > 0) {
      const e = this.tails.peek()!;
      if (!this.isTail(e)) {
        this.tails.pop();
      } else if (e.sender === exceptSender) {
        aside.push(this.tails.pop()!);
      } else {
        found = e;
        break;
      }
    }
    for (const e of aside) this.tails.push(e);
    return found;
  }

  private isTail(e: PoolEntry): boolean {
    return this.byId.get(e.id) === e && this.senders.get(e.sender)?.maxNonce === e.tx.nonce;
  }

  /** Removes `victim` (a tail) and, if some pending tx relied on its credit, re-lays the pool. */
  private evict(victim: PoolEntry): Dropped[] {
    const dropped: Dropped[] = [{ entry: victim, reason: 'EVICTED' }];
    this.changed();
    this.removeEntry(victim);
    if (victim.status === 'ready') {
      this.state.unapply(victim);
      if (victim.recipient !== victim.sender && this.senders.has(victim.recipient)) {
        const layout = this.layout(this.groups());
        this.commit(layout);
        for (const d of layout.dropped) dropped.push(d);
        return dropped;
      }
    }
    this.changed();
    return dropped;
  }

  /** Evicts cheapest tails until the pool is within its limit. */
  private trim(): Dropped[] {
    const dropped: Dropped[] = [];
    while (this.byId.size > this.policy.maxTxs) {
      const victim = this.cheapestTail();
      if (!victim) break;
      for (const d of this.evict(victim)) dropped.push(d);
    }
    return dropped;
  }

  // ---- tip changes ----

  /**
   * The chain moved: `tip` is the new tip state, `minedIds` the txids of the blocks
   * connected, `returned` the transfers of the blocks disconnected (a reorg), which come
   * back if they still apply. Everything is laid out again on the new tip.
   */
  updateTip(
    tip: StateView,
    minedIds: ReadonlySet<string>,
    returned: readonly { tx: Tx; id: string }[] = [],
  ): TipUpdate {
    this.tip = tip;
    const mined: PoolEntry[] = [];
    for (const id of minedIds) {
      const e = this.byId.get(id);
      if (e) {
        this.removeEntry(e);
        mined.push(e);
      }
    }
    const back: PoolEntry[] = [];
    const replaced: Dropped[] = [];
    for (const { tx, id } of returned) {
      if (tx.kind === 'coinbase' || this.byId.has(id) || minedIds.has(id)) continue;
      if (tx.kind === 'contract' && !this.policy.contracts) continue;
      if (tx.chainId !== this.policy.chainId || feeLevel(tx) < this.policy.minFee) continue;
      try {
        checkTxAmounts(tx, this.policy.maxAmount);
        if (tx.kind === 'contract') checkContractAdmission(tx, this.policy.contracts!);
      } catch {
        continue;
      }
      const entry = newEntry(tx, id, this.nextSeq++, 'held');
      // A pending tx with the same sender and nonce: the better-paying one stays.
      const rival = this.senders.get(entry.sender)?.byNonce.get(tx.nonce);
      if (rival) {
        if (!better(entry, rival)) continue;
        this.removeEntry(rival);
        replaced.push({ entry: rival, reason: 'REPLACED' });
      }
      this.insertEntry(entry);
      back.push(entry);
    }
    const layout = this.layout(this.groups());
    this.commit(layout);
    const dropped = [...replaced, ...layout.dropped, ...this.trim()];
    const gone = new Set(dropped.map((d) => d.entry));
    return { mined, returned: back.filter((e) => !gone.has(e)), dropped };
  }

  // ---- layout: the whole pool on the tip, from scratch ----

  private groups(): Map<string, PoolEntry[]> {
    const groups = new Map<string, PoolEntry[]>();
    for (const [sender, s] of this.senders) groups.set(sender, [...s.byNonce.values()]);
    return groups;
  }

  /** Which entries are ready (in inclusion order), held, or dropped, on the current tip. */
  private layout(groups: Map<string, PoolEntry[]>): Layout {
    const dropped: Dropped[] = [];
    const chains = new Map<string, PoolEntry[]>();
    const beyond = new Map<string, PoolEntry[]>();
    for (const [sender, list] of groups) {
      list.sort((a, b) => a.tx.nonce - b.tx.nonce || (better(a, b) ? -1 : 1));
      let next = this.tip.get(list[0]!.tx.from).nonce;
      const chain: PoolEntry[] = [];
      const rest: PoolEntry[] = [];
      let prev: PoolEntry | null = null;
      for (const e of list) {
        if (prev && prev.tx.nonce === e.tx.nonce) {
          dropped.push({ entry: e, reason: 'REPLACED' });
          continue;
        }
        prev = e;
        if (e.tx.nonce < next) dropped.push({ entry: e, reason: 'BAD_NONCE' });
        else if (e.tx.nonce === next && rest.length === 0) {
          chain.push(e);
          next++;
        } else rest.push(e);
      }
      chains.set(sender, chain);
      beyond.set(sender, rest);
    }
    const { order, state, stuck } = inclusionOrder(this.tip, chains.values());
    for (const [sender, index] of stuck) {
      const chain = chains.get(sender)!;
      dropped.push({ entry: chain[index]!, reason: 'INSUFFICIENT_FUNDS' });
      beyond.set(sender, [...chain.slice(index + 1), ...beyond.get(sender)!]);
    }
    const held: PoolEntry[] = [];
    for (const [sender, rest] of beyond) {
      if (rest.length === 0) continue;
      const next = state.get(sender).nonce;
      for (const e of rest) {
        if (e.tx.nonce - next <= this.policy.maxNonceGap) held.push(e);
        else dropped.push({ entry: e, reason: 'BAD_NONCE' });
      }
    }
    return { ready: order, held, dropped, state };
  }

  private commit(layout: Layout): void {
    for (const { entry } of layout.dropped) this.removeEntry(entry);
    for (const e of layout.ready) e.status = 'ready';
    for (const e of layout.held) e.status = 'held';
    this.readyCount = layout.ready.length;
    this.state = layout.state;
    this.version++;
    this.orderCache = layout.ready;
  }

  // ---- bookkeeping ----

  private insertEntry(e: PoolEntry): void {
    if (this.senders.get(e.sender)?.byNonce.has(e.tx.nonce)) {
      throw new Error(`pool already holds a tx of ${e.tx.from} with nonce ${e.tx.nonce}`);
    }
    this.byId.set(e.id, e);
    let s = this.senders.get(e.sender);
    if (!s) {
      s = { byNonce: new Map(), maxNonce: -1 };
      this.senders.set(e.sender, s);
    }
    s.byNonce.set(e.tx.nonce, e);
    if (e.status === 'ready') this.readyCount++;
    if (e.tx.nonce >= s.maxNonce) {
      s.maxNonce = e.tx.nonce;
      this.tails.push(e);
    }
  }

  private removeEntry(e: PoolEntry): void {
    if (this.byId.get(e.id) !== e) return;
    this.byId.delete(e.id);
    if (e.status === 'ready') this.readyCount--;
    const s = this.senders.get(e.sender)!;
    if (s.byNonce.get(e.tx.nonce) === e) s.byNonce.delete(e.tx.nonce);
    if (s.byNonce.size === 0) {
      this.senders.delete(e.sender);
    } else if (e.tx.nonce === s.maxNonce) {
      let max = -1;
      for (const n of s.byNonce.keys()) if (n > max) max = n;
      s.maxNonce = max;
      this.tails.push(s.byNonce.get(max)!);
    }
  }

  private changed(): void {
    this.version++;
    this.orderCache = null;
  }
}
