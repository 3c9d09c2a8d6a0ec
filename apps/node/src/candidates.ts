// The node's pending txs: a local copy of the mempool's ready set, kept current by the
// mempool's feed (mempool-feed.ts), plus txs gossiped by peers. Every tx here had its
// signature checked once — by the mempool, or by this node for a peer's tx — so building
// a block template only orders and applies them; it never verifies nor fetches anything.
//
// Order for a template: per sender by nonce, senders interleaved by fee (highest first,
// then first come) — the mempool's order. A contract tx counts with its fee level,
// gasPrice × 21,000, as in the mempool's contract-rules.ts.
import { Heap, txid as computeTxid, TX_BASE_GAS, type SignedTx } from '@chainlab/core';
import type { TxVerdict } from '@chainlab/levels';

interface Candidate {
  readonly id: string;
  readonly tx: SignedTx;
  readonly fee: bigint;
  /** Arrival order: breaks fee ties. */
  readonly seq: number;
}

interface Head {
  chain: Candidate[];
  index: number;
}

export class CandidateSet {
  private readonly byId = new Map<string, Candidate>();
  /** sender → nonce → candidate (one tx per sender and nonce: a replacement takes the slot). */
  private readonly bySender = new Map<string, Map<number, Candidate>>();
  private seq = 0;
  private orderCache: SignedTx[] | null = null;

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Adds a tx whose signature is known good; a tx with the same sender and nonce leaves. */
  add(tx: SignedTx, id: string = computeTxid(tx)): boolean {
    if (this.byId.has(id)) return false;
    let slots = this.bySender.get(tx.from);
    if (!slots) this.bySender.set(tx.from, (slots = new Map()));
    const old = slots.get(tx.nonce);
    if (old) this.byId.delete(old.id);
    const c: Candidate = { id, tx, fee: feeLevel(tx), seq: this.seq++ };
    slots.set(tx.nonce, c);
    this.byId.set(id, c);
    this.orderCache = null;
    return true;
  }

  remove(id: string): void {
    const c = this.byId.get(id);
    if (!c) return;
    this.byId.delete(id);
    const slots = this.bySender.get(c.tx.from)!;
    if (slots.get(c.tx.nonce) === c) slots.delete(c.tx.nonce);
    if (slots.size === 0) this.bySender.delete(c.tx.from);
    this.orderCache = null;
  }

  clear(): void {
    this.byId.clear();
    this.bySender.clear();
    this.orderCache = null;
  }

  /**
   * Picks txs for a block in fee order: per sender by nonce, the best next tx of all
   * senders first. `tryApply` applies a tx to the caller's scratch state and answers
   * 'ok', 'wait' (the sender cannot pay yet: its funds come from another pending tx — it
   * is parked until a tx pays it, as the mempool's order.ts does), 'stale' (a nonce the
   * chain already used: the sender's next tx may still apply) or 'skip' (the rest of that
   * sender's txs cannot follow). Stops when `tryApply` answers 'full'. O(n log n).
   */
  select(tryApply: (tx: SignedTx) => TxVerdict): SignedTx[] {
    const heads: Head[] = [];
    for (const slots of this.bySender.values()) {
      const chain = [...slots.values()].sort((a, b) => a.tx.nonce - b.tx.nonce);
      heads.push({ chain, index: 0 });
    }
    const better = (a: Head, b: Head): boolean => {
      const x = a.chain[a.index]!;
      const y = b.chain[b.index]!;
      return x.fee !== y.fee ? x.fee > y.fee : x.seq < y.seq;
    };
    const heap = new Heap(better);
    for (const h of heads) heap.push(h);
    const parked = new Map<string, Head>();
    const out: SignedTx[] = [];
    for (let h = heap.pop(); h; h = heap.pop()) {
      const tx = h.chain[h.index]!.tx;
      const verdict = tryApply(tx);
      if (verdict === 'full') break;
      if (verdict === 'wait') {
        parked.set(tx.from, h);
        continue;
      }
      if (verdict === 'skip') continue;
      if (verdict === 'stale') {
        if (++h.index < h.chain.length) heap.push(h);
        continue;
      }
      out.push(tx);
      if (++h.index < h.chain.length) heap.push(h);
      const to = tx.to;
      if (to && to !== tx.from) {
        const waiting = parked.get(to);
        if (waiting) {
          parked.delete(to);
          heap.push(waiting);
        }
      }
    }
    return out;
  }

  /**
   * Every candidate in the order it arrived: the mempool's snapshot is in its mining
   * order and it admits a ready tx only if it applies after every pending one, so this
   * order is includable as is (level 3, where the template runs txs in the EVM in order).
   */
  inArrivalOrder(): SignedTx[] {
    if (this.orderCache) return this.orderCache;
    const bySeq = [...this.byId.values()].sort((a, b) => a.seq - b.seq);
    // A replacement arrives after the sender's later nonces: each sender's txs keep the
    // places its txs arrived at, filled in nonce order.
    const nonces = new Map<string, Candidate[]>();
    for (const c of bySeq) {
      const list = nonces.get(c.tx.from);
      if (list) list.push(c);
      else nonces.set(c.tx.from, [c]);
    }
    for (const list of nonces.values()) list.sort((a, b) => b.tx.nonce - a.tx.nonce);
    this.orderCache = bySeq.map((c) => nonces.get(c.tx.from)!.pop()!.tx);
    return this.orderCache;
  }
}

function feeLevel(tx: SignedTx): bigint {
  return tx.kind === 'contract' ? tx.gasPrice * TX_BASE_GAS : tx.fee;
}
