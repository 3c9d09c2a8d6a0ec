// The tip state as the mempool reads it on a contracts chain: the EvmMachine, whose state
// lives in a worker thread — each read is a round trip, and a re-layout of the pool reads every pending sender and recipient — so reads are cached
// until the chain's tip changes (the machine's state changes only with the tip).
import type { AccountState, Chain } from '@chainlab/core';

/** What the view needs from the machine: EvmMachine is one. */
export interface AccountSource {
  get(address: string): AccountState;
  account(address: string): { codeSize: number };
}

const MAX_CACHED = 100_000;

export class CachedTipView {
  private tip = '';
  private readonly accounts = new Map<string, AccountState>();
  private readonly code = new Map<string, boolean>();

  constructor(
    private readonly chain: Pick<Chain, 'tip'>,
    private readonly source: AccountSource,
  ) {}

  get(address: string): AccountState {
    this.sync();
    const key = address.toLowerCase();
    let a = this.accounts.get(key);
    if (!a) {
      const { balance, nonce } = this.source.get(address);
      a = { balance, nonce };
      this.accounts.set(key, a);
    }
    return a;
  }

  /** Whether a contract lives at `address` at the tip. */
  hasCode(address: string): boolean {
    this.sync();
    const key = address.toLowerCase();
    let has = this.code.get(key);
    if (has === undefined) {
      has = this.source.account(address).codeSize > 0;
      this.code.set(key, has);
    }
    return has;
  }

  private sync(): void {
    const tip = this.chain.tip.hash;
    if (tip !== this.tip || this.accounts.size + this.code.size > MAX_CACHED) {
      this.accounts.clear();
      this.code.clear();
      this.tip = tip;
    }
  }
}
