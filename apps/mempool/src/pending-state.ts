// The ledger as it will be once every pending (ready) tx is mined: the state at
// confirmations = 0. An overlay over the tip state: only accounts that pending txs touch
// are stored, everything else reads through to the tip, so building it costs O(pool),
// never O(accounts). The rules are core's (LedgerState.checkTx): exact nonce, balance ≥
// amount + fee; the value rules (chain id, amount range) are checked before a tx gets here.
// A contract tx (level 3) counts with its up-front cost, amount + gasLimit × gasPrice, and
// credits its amount to the callee (or the contract it deploys) — see contract-rules.ts.
import type { AccountState } from '@chainlab/core';
import { costOf, feeLevel, recipientOf, type PoolTx } from './contract-rules.js';

/** What the pool needs from a ledger: core's LedgerState is one. */
export interface StateView {
  get(address: string): AccountState;
}

/** A pending tx with its derived fields computed once (the pool's entries are these). */
export interface Move {
  readonly tx: PoolTx;
  /** Lowercase sender address. */
  readonly sender: string;
  /** Lowercase recipient address (for a deploy: the contract's address). */
  readonly recipient: string;
  /** What the sender must hold: amount + fee, or amount + gasLimit × gasPrice. */
  readonly cost: bigint;
  /** What it pays per 21,000 gas: a transfer's fee, a contract tx's gasPrice × 21,000. */
  readonly fee: bigint;
}

export function moveOf(tx: PoolTx): Move {
  return {
    tx,
    sender: tx.from.toLowerCase(),
    recipient: recipientOf(tx),
    cost: costOf(tx),
    fee: feeLevel(tx),
  };
}

interface Account {
  balance: bigint;
  nonce: number;
}

export class PendingState implements StateView {
  /** Accounts pending txs touched, by lowercase address (mutable: this is a scratch state). */
  private readonly accounts = new Map<string, Account>();

  constructor(readonly base: StateView) {}

  get(address: string): AccountState {
    const a = this.accounts.get(address.toLowerCase());
    return a ? { balance: a.balance, nonce: a.nonce } : this.base.get(address);
  }

  private peek(key: string): Account {
    return this.accounts.get(key) ?? this.base.get(key);
  }

  private account(key: string): Account {
    let a = this.accounts.get(key);
    if (!a) {
      const b = this.base.get(key);
      a = { balance: b.balance, nonce: b.nonce };
      this.accounts.set(key, a);
    }
    return a;
  }

  /** Why the move cannot be applied on top of this state, or null when it can. */
  problem(m: Move): 'BAD_NONCE' | 'INSUFFICIENT_FUNDS' | null {
    const from = this.peek(m.sender);
    if (m.tx.nonce !== from.nonce || from.nonce >= Number.MAX_SAFE_INTEGER) return 'BAD_NONCE';
    if (from.balance < m.cost) return 'INSUFFICIENT_FUNDS';
    return null;
  }

  /** Applies a move that problem() accepted: debit (and nonce) first, then credit, as core does. */
  apply(m: Move): void {
    const from = this.account(m.sender);
    if (from.balance < m.cost || from.nonce !== m.tx.nonce) {
      throw new Error(`invariant violated: pending tx ${m.tx.from}#${m.tx.nonce} does not apply`);
    }
    from.balance -= m.cost;
    from.nonce++;
    this.account(m.recipient).balance += m.tx.amount;
  }

  /**
   * Takes back the sender's last applied tx (the pool evicts only a sender's last tx).
   * The recipient may go below zero here if it spent the credit in a pending tx of its
   * own; the pool rebuilds the whole state in that case.
   */
  unapply(m: Move): void {
    this.account(m.recipient).balance -= m.tx.amount;
    const from = this.account(m.sender);
    from.balance += m.cost;
    from.nonce--;
  }

  /** Accounts that differ from the base state. */
  get touched(): number {
    return this.accounts.size;
  }
}
