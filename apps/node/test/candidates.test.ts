// The node's candidate set: fee order per sender by nonce, parking of senders funded by
// another pending tx, replacements, arrival order for level 3.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  devPrivateKey,
  privateKeyToAddress,
  signTx,
  txid,
  type SignedTx,
  type TransferTx,
} from '@chainlab/core';
import { CandidateSet } from '../src/candidates.js';

const key = (i: number) => devPrivateKey(5_000 + i);
const addr = (i: number) => privateKeyToAddress(key(i));
const tx = (from: number, nonce: number, fee: bigint, to = addr(99), amount = 1n): TransferTx =>
  signTx({ to, amount, fee, nonce, chainId: 1337 }, key(from));

/** A toy ledger: balances and nonces, applied in order. */
function ledger(balances: Record<string, bigint>) {
  const nonce = new Map<string, number>();
  return (t: SignedTx): 'ok' | 'wait' | 'stale' | 'skip' => {
    const n = nonce.get(t.from) ?? 0;
    if (t.nonce < n) return 'stale';
    if (t.nonce > n) return 'skip';
    const cost = (t as TransferTx).amount + (t as TransferTx).fee;
    if ((balances[t.from] ?? 0n) < cost) return 'wait';
    balances[t.from] = balances[t.from]! - cost;
    balances[t.to!] = (balances[t.to!] ?? 0n) + (t as TransferTx).amount;
    nonce.set(t.from, n + 1);
    return 'ok';
  };
}

describe('CandidateSet', () => {
  it('picks the best fee first, each sender in nonce order', () => {
    const set = new CandidateSet();
    const txs = [tx(1, 1, 50n), tx(1, 0, 1n), tx(2, 0, 10n), tx(3, 0, 20n)];
    for (const t of txs) set.add(t);
    const order = set.select(() => 'ok').map((t) => [t.from, t.nonce]);
    expect(order).toEqual([
      [addr(3), 0],
      [addr(2), 0],
      [addr(1), 0],
      [addr(1), 1],
    ]);
  });

  it('parks a sender funded by another pending tx until that tx is in (A → B → C)', () => {
    const set = new CandidateSet();
    const ab = tx(1, 0, 1n, addr(2), 200n);
    const bc = tx(2, 0, 50n, addr(3), 60n); // pays more, but B has nothing before ab
    set.add(bc);
    set.add(ab);
    const apply = ledger({ [addr(1)]: 1_000n });
    expect(set.select(apply).map(txid)).toEqual([txid(ab), txid(bc)]);
  });

  it('skips a nonce the chain used and goes on with the sender’s next tx', () => {
    const set = new CandidateSet();
    set.add(tx(1, 0, 1n));
    set.add(tx(1, 1, 1n));
    const apply = ledger({ [addr(1)]: 1_000n });
    apply(tx(1, 0, 7n)); // the chain took nonce 0 with another tx
    expect(set.select(apply).map((t) => t.nonce)).toEqual([1]);
  });

  it('a replacement takes its slot; removal and clear forget', () => {
    const set = new CandidateSet();
    const a = tx(1, 0, 1n);
    const b = tx(1, 0, 2n);
    set.add(a);
    set.add(b);
    expect(set.size).toBe(1);
    expect(set.has(txid(a))).toBe(false);
    set.remove(txid(b));
    expect(set.size).toBe(0);
    set.add(a);
    set.clear();
    expect(set.inArrivalOrder()).toEqual([]);
  });

  it('arrival order keeps each sender in nonce order (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5 })), {
          maxLength: 20,
        }),
        (pairs) => {
          const set = new CandidateSet();
          for (const [s, n] of pairs) set.add(tx(s, n, 1n));
          const order = set.inArrivalOrder();
          expect(order.length).toBe(set.size);
          const last = new Map<string, number>();
          for (const t of order) {
            expect(t.nonce).toBeGreaterThan(last.get(t.from) ?? -1);
            last.set(t.from, t.nonce);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
