// The order a node can include pending txs in, as is: per sender by nonce, senders
// interleaved by fee (highest first; every transfer has the same size, so fee is also
// the fee rate; a contract tx counts with its fee level, gasPrice × 21,000, see
// contract-rules.ts), and every tx applicable on the state the txs before it leave.
//
// Greedy: a priority queue holds each sender's next tx. Take the best; if it applies,
// emit it and queue that sender's next tx; if the sender cannot pay yet (its funds come
// from another pending tx), park it until a tx credits that sender, then queue it again.
//
// Why this never gets stuck when the set has any valid order O: a tx from sender S only
// ever *adds* to the balances of others. Take the first tx t of O not yet emitted: every
// tx before t in O was emitted, S's earlier txs among them; whatever else was emitted
// only credited S. So S can pay for t now. Hence the greedy emits the whole set, and a
// tx it cannot place is one no order could place: what it emits is the largest
// includable part of the set, whatever the fees.
import { Heap } from '@chainlab/core';
import { PendingState, type Move, type StateView } from './pending-state.js';

export interface Schedulable extends Move {
  /** Arrival order: breaks fee ties (first come, first served). */
  readonly seq: number;
}

export interface OrderResult<E extends Schedulable> {
  /** Applicable in this order on the base state. */
  order: E[];
  /** The base state with `order` applied: confirmations = 0. */
  state: PendingState;
  /** Per sender that could not be fully placed: index in its chain of the first tx left out. */
  stuck: Map<string, number>;
}

/** A sender's chain and the position of its next tx (mutated as the greedy advances). */
interface Head<E> {
  chain: readonly E[];
  index: number;
  next: E;
}

function higherFeeFirst<E extends Schedulable>(a: Head<E>, b: Head<E>): boolean {
  const x = a.next;
  const y = b.next;
  if (x.fee !== y.fee) return x.fee > y.fee;
  return x.seq < y.seq;
}

/**
 * Orders `chains` (one per sender: its txs sorted by nonce, starting at its nonce in
 * `base`, without gaps) for inclusion. O(n log n).
 */
export function inclusionOrder<E extends Schedulable>(
  base: StateView,
  chains: Iterable<readonly E[]>,
): OrderResult<E> {
  const state = new PendingState(base);
  const queue = new Heap<Head<E>>(higherFeeFirst);
  const parked = new Map<string, Head<E>>();
  for (const chain of chains)
    if (chain.length > 0) queue.push({ chain, index: 0, next: chain[0]! });
  const order: E[] = [];
  const stuck = new Map<string, number>();
  for (let head = queue.pop(); head; head = queue.pop()) {
    const entry = head.next;
    const problem = state.problem(entry);
    if (problem === 'INSUFFICIENT_FUNDS') {
      parked.set(entry.sender, head);
      continue;
    }
    if (problem !== null) {
      stuck.set(entry.sender, head.index); // a nonce that does not follow: the chain stops here
      continue;
    }
    state.apply(entry);
    order.push(entry);
    if (++head.index < head.chain.length) {
      head.next = head.chain[head.index]!;
      queue.push(head);
    }
    if (parked.size > 0 && entry.recipient !== entry.sender) {
      const waiting = parked.get(entry.recipient);
      if (waiting) {
        parked.delete(entry.recipient);
        queue.push(waiting);
      }
    }
  }
  for (const [sender, head] of parked) stuck.set(sender, head.index);
  return { order, state, stuck };
}
