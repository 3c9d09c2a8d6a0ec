import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LedgerState, createCoinbase, txid, type TransferTx, type Tx } from '@chainlab/core';
import { isMempoolError } from '../src/errors.js';
import { TxPool, type PoolPolicy } from '../src/pool.js';
import {
  ADDR,
  START,
  addTo,
  applyAll,
  genesisState,
  policy,
  testSpec,
  tx,
  type TxArgs,
} from './fixtures.js';

const spec = testSpec();
const CHAIN = spec.chainId;

function setup(over: Partial<PoolPolicy> = {}) {
  const tip = genesisState(spec);
  const pool = new TxPool(policy(spec, over), tip);
  const add = (a: TxArgs) => {
    const t = tx(a, spec);
    return { t, result: addTo(pool, t) };
  };
  return { tip, pool, add };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isMempoolError(e)) return e.code;
    throw e;
  }
  return 'ACCEPTED';
}

const idsOf = (pool: TxPool) => pool.ordered().map((e) => e.id);

describe('TxPool admission', () => {
  it('admits the next nonce and counts it at confirmations 0', () => {
    const { pool, add } = setup();
    const { t, result } = add({ from: 0, to: 3, amount: 100n, fee: 20n, nonce: 0 });
    expect(result.entry.status).toBe('ready');
    expect(pool.ready).toBe(1);
    expect(pool.pendingAccount(ADDR[0]!)).toEqual({ balance: START - 120n, nonce: 1 });
    expect(pool.pendingAccount(ADDR[3]!)).toEqual({ balance: 100n, nonce: 0 });
    expect(idsOf(pool)).toEqual([txid(t)]);
  });

  it('refuses each bad tx with its code and changes nothing', () => {
    const { pool, add } = setup();
    add({ from: 0, to: 3, amount: 100n, nonce: 0 });
    const version = pool.version;
    const code = (a: TxArgs) => codeOf(() => add(a));
    expect(code({ from: 0, to: 3, amount: 1n, nonce: 1, chainId: CHAIN + 1 })).toBe('WRONG_CHAIN');
    expect(code({ from: 0, to: 3, amount: 0n, nonce: 1 })).toBe('AMOUNT_OUT_OF_RANGE');
    expect(code({ from: 0, to: 3, amount: spec.maxAmount + 1n, nonce: 1 })).toBe(
      'AMOUNT_OUT_OF_RANGE',
    );
    expect(code({ from: 0, to: 3, amount: 1n, fee: spec.maxAmount + 1n, nonce: 1 })).toBe(
      'AMOUNT_OUT_OF_RANGE',
    );
    expect(code({ from: 0, to: 3, amount: 1n, fee: spec.minFee - 1n, nonce: 1 })).toBe(
      'FEE_TOO_LOW',
    );
    expect(code({ from: 0, to: 3, amount: 100n, nonce: 0 })).toBe('DUPLICATE');
    expect(code({ from: 0, to: 3, amount: 1n, nonce: 6 })).toBe('BAD_NONCE'); // beyond the gap of 4
    expect(code({ from: 0, to: 3, amount: 900n, nonce: 1 })).toBe('INSUFFICIENT_FUNDS'); // 1000 − 110 left
    expect(code({ from: 3, to: 0, amount: 200n, nonce: 0 })).toBe('INSUFFICIENT_FUNDS'); // has 100 pending
    const coinbase = createCoinbase(ADDR[3]!, 5n, 1, CHAIN);
    expect(codeOf(() => pool.add(coinbase, txid(coinbase)))).toBe('INVALID_SIGNATURE');
    expect(pool.version).toBe(version);
    expect(pool.size).toBe(1);
  });

  it('refuses a nonce the chain already used', () => {
    const { pool, tip } = setup();
    const first = tx({ from: 0, to: 3, amount: 10n, nonce: 0 }, spec);
    tip.applyTx(first, { chainId: CHAIN });
    pool.updateTip(tip, new Set([txid(first)]));
    expect(codeOf(() => addTo(pool, tx({ from: 0, to: 4, amount: 10n, nonce: 0 }, spec)))).toBe(
      'BAD_NONCE',
    );
  });

  it('includes the pending spends of the sender in the funds check', () => {
    const { add } = setup();
    add({ from: 0, to: 3, amount: 600n, nonce: 0 });
    // 1000 − 610 = 390 left at confirmations 0.
    expect(codeOf(() => add({ from: 0, to: 4, amount: 381n, nonce: 1 }))).toBe(
      'INSUFFICIENT_FUNDS',
    );
    expect(codeOf(() => add({ from: 0, to: 4, amount: 380n, nonce: 1 }))).toBe('ACCEPTED');
  });

  it('lets a receiver spend a pending credit, and orders the credit first', () => {
    const { pool, tip, add } = setup();
    const { t: credit } = add({ from: 0, to: 3, amount: 500n, fee: 10n, nonce: 0 });
    const { t: spend } = add({ from: 3, to: 4, amount: 400n, fee: 90n, nonce: 0 });
    expect(pool.ordered().map((e) => e.tx)).toEqual([credit, spend]);
    expect(() =>
      applyAll(
        tip,
        pool.ordered().map((e) => e.tx),
        CHAIN,
      ),
    ).not.toThrow();
  });
});

describe('TxPool nonce gaps', () => {
  it('holds txs beyond a gap and promotes them, in order, when it fills', () => {
    const { pool, add } = setup();
    const { t: t2, result: r2 } = add({ from: 0, to: 3, amount: 10n, nonce: 2 });
    const { t: t1 } = add({ from: 0, to: 3, amount: 10n, nonce: 1 });
    expect(r2.entry.status).toBe('held');
    expect(pool.ready).toBe(0);
    expect(pool.held).toBe(2);
    expect(pool.ordered()).toEqual([]);
    expect(pool.pendingAccount(ADDR[0]!).balance).toBe(START); // held txs are not pending spends
    const { t: t0, result } = add({ from: 0, to: 3, amount: 10n, nonce: 0 });
    expect(result.promoted.map((e) => e.tx)).toEqual([t1, t2]);
    expect(pool.ordered().map((e) => e.tx)).toEqual([t0, t1, t2]);
    expect(pool.pendingAccount(ADDR[0]!)).toEqual({ balance: START - 60n, nonce: 3 });
  });

  it('drops a held tx that would overdraw once its gap fills', () => {
    const { pool, add } = setup();
    add({ from: 0, to: 3, amount: 500n, nonce: 1 }); // held: 510 ≤ 1000 so far
    const { result } = add({ from: 0, to: 3, amount: 600n, nonce: 0 }); // now 1000 − 610 = 390 < 510
    expect(result.dropped.map((d) => d.reason)).toEqual(['INSUFFICIENT_FUNDS']);
    expect(pool.size).toBe(1);
  });

  it('counts held spends in the check of the next held tx', () => {
    const { add } = setup();
    add({ from: 0, to: 3, amount: 500n, nonce: 1 });
    expect(codeOf(() => add({ from: 0, to: 3, amount: 500n, nonce: 2 }))).toBe(
      'INSUFFICIENT_FUNDS',
    );
  });
});

describe('TxPool ordering', () => {
  it('interleaves senders by fee, each sender by nonce, ties first come first served', () => {
    const { pool, add } = setup();
    const a0 = add({ from: 0, to: 3, amount: 1n, fee: 50n, nonce: 0 }).t;
    const a1 = add({ from: 0, to: 3, amount: 1n, fee: 90n, nonce: 1 }).t; // high fee, but after a0
    const b0 = add({ from: 1, to: 3, amount: 1n, fee: 70n, nonce: 0 }).t;
    const c0 = add({ from: 2, to: 3, amount: 1n, fee: 50n, nonce: 0 }).t;
    const c1 = add({ from: 2, to: 3, amount: 1n, fee: 10n, nonce: 1 }).t;
    expect(pool.ordered().map((e) => e.tx)).toEqual([b0, a0, a1, c0, c1]);
  });
});

describe('TxPool replacement', () => {
  it('replaces a pending tx by one with the same nonce and a higher fee', () => {
    const { pool, add } = setup();
    const { t: old } = add({ from: 0, to: 3, amount: 100n, fee: 20n, nonce: 0 });
    expect(codeOf(() => add({ from: 0, to: 4, amount: 100n, fee: 20n, nonce: 0 }))).toBe(
      'FEE_TOO_LOW',
    );
    const { t: replacement, result } = add({ from: 0, to: 4, amount: 100n, fee: 21n, nonce: 0 });
    expect(result.replaced?.id).toBe(txid(old));
    expect(pool.has(txid(old))).toBe(false);
    expect(pool.ordered().map((e) => e.tx)).toEqual([replacement]);
    expect(pool.pendingAccount(ADDR[3]!).balance).toBe(0n);
    expect(pool.pendingAccount(ADDR[4]!).balance).toBe(100n);
    expect(pool.pendingAccount(ADDR[0]!)).toEqual({ balance: START - 121n, nonce: 1 });
  });

  it('refuses a replacement that would strand a spend of the old tx’s credit', () => {
    const { pool, add } = setup();
    add({ from: 0, to: 3, amount: 500n, fee: 10n, nonce: 0 });
    add({ from: 3, to: 4, amount: 400n, nonce: 0 }); // spends the pending credit
    expect(codeOf(() => add({ from: 0, to: 5, amount: 500n, fee: 11n, nonce: 0 }))).toBe(
      'INSUFFICIENT_FUNDS',
    );
    expect(pool.size).toBe(2);
    // A replacement that still pays 3 enough is fine.
    expect(codeOf(() => add({ from: 0, to: 3, amount: 450n, fee: 11n, nonce: 0 }))).toBe(
      'ACCEPTED',
    );
    expect(pool.ready).toBe(2);
  });

  it('replaces held txs too', () => {
    const { pool, add } = setup();
    add({ from: 0, to: 3, amount: 10n, fee: 10n, nonce: 1 });
    const { result } = add({ from: 0, to: 3, amount: 10n, fee: 11n, nonce: 1 });
    expect(result.entry.status).toBe('held');
    expect(pool.size).toBe(1);
  });
});

describe('TxPool limits', () => {
  it('evicts the cheapest tx for a better-paying newcomer, refuses a cheaper one with POOL_FULL', () => {
    const { pool, add } = setup({ maxTxs: 3 });
    add({ from: 0, to: 3, amount: 1n, fee: 30n, nonce: 0 });
    const cheap = add({ from: 1, to: 3, amount: 1n, fee: 15n, nonce: 0 }).t;
    add({ from: 2, to: 3, amount: 1n, fee: 40n, nonce: 0 });
    expect(codeOf(() => add({ from: 0, to: 4, amount: 1n, fee: 15n, nonce: 1 }))).toBe('POOL_FULL');
    const { result } = add({ from: 0, to: 4, amount: 1n, fee: 16n, nonce: 1 });
    expect(result.dropped.map((d) => [d.entry.id, d.reason])).toEqual([[txid(cheap), 'EVICTED']]);
    expect(pool.size).toBe(3);
  });

  it('evicts a sender’s last tx, never one its later txs need', () => {
    const { pool, add } = setup({ maxTxs: 3 });
    add({ from: 0, to: 3, amount: 1n, fee: 10n, nonce: 0 }); // cheapest, but nonce 1 needs it
    const tail = add({ from: 0, to: 3, amount: 1n, fee: 20n, nonce: 1 }).t;
    add({ from: 1, to: 3, amount: 1n, fee: 30n, nonce: 0 });
    const { result } = add({ from: 2, to: 3, amount: 1n, fee: 25n, nonce: 0 });
    expect(result.dropped.map((d) => d.entry.id)).toEqual([txid(tail)]);
    expect(() =>
      applyAll(
        genesisState(spec),
        pool.ordered().map((e) => e.tx),
        CHAIN,
      ),
    ).not.toThrow();
  });

  it('drops the txs that spent the credit of an evicted tx', () => {
    const { pool, add } = setup({ maxTxs: 2 });
    add({ from: 0, to: 3, amount: 500n, fee: 10n, nonce: 0 });
    const spend = add({ from: 3, to: 4, amount: 400n, fee: 50n, nonce: 0 }).t;
    const { result } = add({ from: 1, to: 5, amount: 1n, fee: 20n, nonce: 0 });
    expect(result.dropped.map((d) => d.reason).sort()).toEqual(['EVICTED', 'INSUFFICIENT_FUNDS']);
    expect(pool.has(txid(spend))).toBe(false);
    expect(pool.size).toBe(1);
  });
});

describe('TxPool on tip changes', () => {
  it('removes mined txs, drops the ones a competing tx made invalid, and keeps the rest', () => {
    const { pool, tip, add } = setup();
    const a0 = add({ from: 0, to: 3, amount: 100n, nonce: 0 }).t;
    const a1 = add({ from: 0, to: 3, amount: 100n, nonce: 1 }).t;
    const b0 = add({ from: 1, to: 3, amount: 900n, nonce: 0 }).t;
    // The block mines a0 and a competing tx of sender 1 (not from this pool) that spends 950.
    const competing = tx({ from: 1, to: 4, amount: 100n, nonce: 0 }, spec);
    tip.applyTx(a0, { chainId: CHAIN });
    tip.applyTx(competing, { chainId: CHAIN });
    const update = pool.updateTip(tip, new Set([txid(a0), txid(competing)]));
    expect(update.mined.map((e) => e.tx)).toEqual([a0]);
    expect(update.dropped.map((d) => [d.entry.tx, d.reason])).toEqual([[b0, 'BAD_NONCE']]);
    expect(pool.ordered().map((e) => e.tx)).toEqual([a1]);
  });

  it('takes back the txs of disconnected blocks that still apply', () => {
    const { pool, tip, add } = setup();
    const a0 = tx({ from: 0, to: 3, amount: 100n, nonce: 0 }, spec);
    const d0 = tx({ from: 3, to: 4, amount: 50n, nonce: 0 }, spec); // spends a0's credit
    tip.applyTx(a0, { chainId: CHAIN });
    tip.applyTx(d0, { chainId: CHAIN });
    pool.updateTip(tip, new Set([txid(a0), txid(d0)]));
    const a1 = add({ from: 0, to: 3, amount: 100n, nonce: 1 }).t;
    expect(pool.ordered().map((e) => e.tx)).toEqual([a1]);
    // The block is disconnected: back to genesis. a0 and d0 come back, a1 follows a0.
    const genesis = genesisState(spec);
    const update = pool.updateTip(
      genesis,
      new Set(),
      [a0, d0].map((t) => ({ tx: t as Tx, id: txid(t) })),
    );
    expect(new Set(update.returned.map((e) => e.tx))).toEqual(new Set([a0, d0]));
    expect(new Set(pool.ordered().map((e) => e.tx))).toEqual(new Set([a0, d0, a1]));
    expect(() =>
      applyAll(
        genesis,
        pool.ordered().map((e) => e.tx),
        CHAIN,
      ),
    ).not.toThrow();
  });

  it('drops returned txs that no longer apply on the new branch', () => {
    const { pool, tip } = setup();
    const a0 = tx({ from: 0, to: 3, amount: 100n, nonce: 0 }, spec);
    tip.applyTx(a0, { chainId: CHAIN });
    pool.updateTip(tip, new Set([txid(a0)]));
    // The new branch mined a double spend of a0 (same nonce, other recipient).
    const other = genesisState(spec);
    const rival = tx({ from: 0, to: 4, amount: 950n, nonce: 0 }, spec);
    other.applyTx(rival, { chainId: CHAIN });
    const update = pool.updateTip(other, new Set([txid(rival)]), [{ tx: a0, id: txid(a0) }]);
    expect(update.returned).toEqual([]);
    expect(update.dropped.map((d) => d.reason)).toEqual(['BAD_NONCE']);
    expect(pool.size).toBe(0);
  });

  it('keeps the better-paying of a returned tx and a pending tx with the same nonce', () => {
    const { pool, tip, add } = setup();
    const mined = tx({ from: 0, to: 3, amount: 100n, fee: 30n, nonce: 0 }, spec);
    tip.applyTx(mined, { chainId: CHAIN });
    pool.updateTip(tip, new Set([txid(mined)]));
    add({ from: 0, to: 3, amount: 5n, nonce: 1 });
    // A reorg back to genesis returns `mined`, while a rival for nonce 0 arrived meanwhile.
    const genesis = genesisState(spec);
    pool.updateTip(genesis, new Set(), []);
    const rival = add({ from: 0, to: 4, amount: 100n, fee: 20n, nonce: 0 }).t;
    const update = pool.updateTip(genesis, new Set(), [{ tx: mined, id: txid(mined) }]);
    expect(update.dropped.map((d) => [d.entry.tx, d.reason])).toEqual([[rival, 'REPLACED']]);
    expect(pool.ordered().map((e) => e.tx.nonce)).toEqual([0, 1]);
    expect(pool.ordered()[0]!.tx).toBe(mined);
    expect(pool.size).toBe(2);
  });

  it('makes held txs ready when the chain fills their gap', () => {
    const { pool, tip, add } = setup();
    const a1 = add({ from: 0, to: 3, amount: 10n, nonce: 1 }).t;
    const a0 = tx({ from: 0, to: 3, amount: 10n, nonce: 0 }, spec);
    tip.applyTx(a0, { chainId: CHAIN });
    pool.updateTip(tip, new Set([txid(a0)]));
    expect(pool.ordered().map((e) => e.tx)).toEqual([a1]);
  });
});

// ---- the property: whatever is admitted, /unprocessed applies in order on the tip ----

type Op =
  | { op: 'add'; from: number; to: number; amount: bigint; fee: bigint; skew: number }
  | {
      op: 'mine';
      count: number;
      foreign: { from: number; to: number; amount: bigint; fee: bigint } | null;
    }
  | { op: 'reorg' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      op: fc.constant('add' as const),
      from: fc.nat(5),
      to: fc.integer({ min: -1, max: 5 }),
      amount: fc.oneof(
        { weight: 4, arbitrary: fc.bigInt(1n, 250n) },
        { weight: 1, arbitrary: fc.bigInt(1n, 1200n) },
      ),
      fee: fc.bigInt(5n, 60n),
      skew: fc.oneof(
        { weight: 6, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.integer({ min: -2, max: 5 }) },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('mine' as const),
      count: fc.nat(6),
      foreign: fc.option(
        fc.record({
          from: fc.nat(5),
          to: fc.integer({ min: -1, max: 5 }),
          amount: fc.bigInt(1n, 900n),
          fee: fc.bigInt(5n, 60n),
        }),
        { freq: 3 },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'reorg' as const }) },
);

describe('TxPool property', () => {
  it('whatever is admitted, the inclusion order applies on the tip state, and confirmations 0 is its result', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 10, maxLength: 80, size: 'max' }),
        fc.integer({ min: 3, max: 40 }),
        (ops, maxTxs) => {
          let tip = genesisState(spec);
          const pool = new TxPool(policy(spec, { maxTxs, maxNonceGap: 3 }), tip);
          const history: { before: LedgerState; mined: TransferTx[] }[] = [];
          for (const o of ops) {
            if (o.op === 'add') {
              const nonce = Math.max(0, pool.pendingAccount(ADDR[o.from]!).nonce + o.skew);
              const t = tx({ from: o.from, to: o.to, amount: o.amount, fee: o.fee, nonce }, spec);
              try {
                addTo(pool, t);
              } catch (e) {
                if (!isMempoolError(e)) throw e;
              }
            } else if (o.op === 'mine') {
              const mined: TransferTx[] = [];
              const scratch = tip.clone();
              if (o.foreign) {
                // A tx the block carries that never went through this pool (a rival, a double spend).
                const f = o.foreign;
                const rival = tx({ ...f, nonce: tip.get(ADDR[f.from]!).nonce }, spec);
                try {
                  scratch.applyTx(rival, { chainId: CHAIN });
                  mined.push(rival);
                } catch {
                  // not valid on the tip: the block does not carry it
                }
              }
              for (const e of pool.ordered().slice(0, o.count)) {
                try {
                  scratch.applyTx(e.tx, { chainId: CHAIN });
                  mined.push(e.tx as TransferTx);
                } catch {
                  break; // after a rival, the rest of the order may no longer apply
                }
              }
              const before = tip.clone();
              tip = applyAll(tip, mined, CHAIN);
              history.push({ before, mined });
              pool.updateTip(tip, new Set(mined.map((t) => txid(t))));
            } else {
              const last = history.pop();
              if (!last) continue;
              tip = last.before;
              pool.updateTip(
                tip,
                new Set(),
                last.mined.map((t) => ({ tx: t as Tx, id: txid(t) })),
              );
            }
            // The invariants, after every step.
            const order = pool.ordered();
            expect(order.length).toBe(pool.ready);
            expect(pool.size).toBeLessThanOrEqual(maxTxs);
            const after = applyAll(
              tip,
              order.map((e) => e.tx),
              CHAIN,
            ); // throws if any tx fails
            for (const a of [...ADDR, tx({ from: 0, to: -1, amount: 1n, nonce: 0 }, spec).to]) {
              expect(pool.pendingAccount(a)).toEqual(after.get(a));
              expect(after.get(a).balance >= 0n).toBe(true);
            }
            const seen = new Map<string, number>();
            for (const e of order) {
              const prev = seen.get(e.sender);
              if (prev !== undefined) expect(e.tx.nonce).toBe(prev + 1);
              seen.set(e.sender, e.tx.nonce);
            }
            for (const e of pool.entries()) {
              if (e.status === 'held')
                expect(e.tx.nonce).toBeGreaterThan(after.get(e.tx.from).nonce);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
