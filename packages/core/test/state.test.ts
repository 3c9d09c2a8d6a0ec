import { describe, expect, it } from 'vitest';
import { LedgerState, blockUndoToJson, parseBlockUndo, type BlockContext } from '../src/state.js';
import { createCoinbase, parseTx, signTx, txToJson } from '../src/tx.js';
import { SignatureCache } from '../src/sig-cache.js';
import { privateKeyToAddress } from '../src/address.js';
import { RuleError } from '../src/errors.js';
import type { TransferTx, Tx } from '../src/types.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof RuleError ? e.code : `not a RuleError: ${String(e)}`;
  }
  return undefined;
}

const CHAIN = 1337;
const key = (n: number) => '0x' + n.toString(16).padStart(64, '0');
const [KA, KB, KC] = [key(1), key(2), key(3)];
const [A, B, C] = [KA, KB, KC].map(privateKeyToAddress) as [string, string, string];
const MINER = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
const spec = { blockReward: 50n, halvingIntervalBlocks: 0, maxAmount: 10_000n };
const ctx = (height: number): BlockContext => ({ height, chainId: CHAIN, spec });

function pay(
  fromKey: string,
  to: string,
  amount: bigint,
  nonce: number,
  fee = 1n,
  chainId = CHAIN,
): TransferTx {
  return signTx({ to, amount, fee, nonce, chainId }, fromKey);
}

function block(height: number, txs: Tx[], coinbaseAmount?: bigint): Tx[] {
  const fees = txs.reduce((s, t) => s + t.fee, 0n);
  return [createCoinbase(MINER, coinbaseAmount ?? 50n + fees, height, CHAIN), ...txs];
}

function genesis(): LedgerState {
  const s = new LedgerState();
  s.applyGenesis({ [A]: 1000n });
  return s;
}

describe('block order', () => {
  it('A→B then B→C works when B is funded only by the first tx', () => {
    const s = genesis();
    const r = s.applyBlockTxs(block(1, [pay(KA, B, 100n, 0), pay(KB, C, 50n, 0)]), ctx(1));
    expect(s.get(A)).toEqual({ balance: 899n, nonce: 1 });
    expect(s.get(B)).toEqual({ balance: 49n, nonce: 1 });
    expect(s.get(C)).toEqual({ balance: 50n, nonce: 0 });
    expect(s.get(MINER)).toEqual({ balance: 52n, nonce: 0 });
    expect(r.fees).toBe(2n);
    expect(r.subsidy).toBe(50n);
    expect(r.changed.map((c) => c.address).sort()).toEqual([A, B, C, MINER].sort());
    expect(r.undo.accounts).toHaveLength(4);
  });

  it('B→C then A→B fails (B has nothing yet) and leaves the state untouched', () => {
    const s = genesis();
    const before = s.serialize();
    expect(
      codeOf(() => s.applyBlockTxs(block(1, [pay(KB, C, 50n, 0), pay(KA, B, 100n, 0)]), ctx(1))),
    ).toBe('INSUFFICIENT_FUNDS');
    expect(s.serialize()).toBe(before);
  });

  it('a failing tx after valid ones rolls back the whole block', () => {
    const s = genesis();
    const before = s.serialize();
    const txs = block(1, [pay(KA, B, 100n, 0), pay(KA, C, 100n, 1), pay(KA, C, 900n, 2)]);
    expect(codeOf(() => s.applyBlockTxs(txs, ctx(1)))).toBe('INSUFFICIENT_FUNDS');
    expect(s.serialize()).toBe(before);
    expect(s.has(B)).toBe(false);
    expect(s.get(A)).toEqual({ balance: 1000n, nonce: 0 });
  });

  it('amount + fee must be covered, exactly spending everything is fine', () => {
    const s = genesis();
    expect(codeOf(() => s.applyBlockTxs(block(1, [pay(KA, B, 1000n, 0)]), ctx(1)))).toBe(
      'INSUFFICIENT_FUNDS',
    );
    s.applyBlockTxs(block(1, [pay(KA, B, 999n, 0)]), ctx(1));
    expect(s.get(A)).toEqual({ balance: 0n, nonce: 1 });
  });

  it('the coinbase is credited after the block: the miner cannot spend it in the same block', () => {
    const s = new LedgerState();
    s.applyGenesis({ [A]: 10n });
    const txs = [createCoinbase(B, 50n, 1, CHAIN), pay(KB, C, 10n, 0)];
    expect(codeOf(() => s.applyBlockTxs(txs, ctx(1)))).toBe('INSUFFICIENT_FUNDS');
    s.applyBlockTxs([createCoinbase(B, 50n, 1, CHAIN)], ctx(1));
    s.applyBlockTxs([createCoinbase(B, 50n, 2, CHAIN), pay(KB, C, 10n, 0, 0n)], ctx(2));
    expect(s.get(B).balance).toBe(90n);
  });

  it('a self-transfer costs only the fee', () => {
    const s = genesis();
    s.applyBlockTxs(block(1, [pay(KA, A, 500n, 0, 3n)]), ctx(1));
    expect(s.get(A)).toEqual({ balance: 997n, nonce: 1 });
  });
});

describe('nonces', () => {
  it('a replayed tx fails with BAD_NONCE in a later block, DUPLICATE_TX in the same block', () => {
    const s = genesis();
    const tx = pay(KA, B, 10n, 0);
    s.applyBlockTxs(block(1, [tx]), ctx(1));
    expect(codeOf(() => s.applyBlockTxs(block(2, [tx]), ctx(2)))).toBe('BAD_NONCE');
    expect(codeOf(() => genesis().applyBlockTxs(block(1, [tx, tx]), ctx(1)))).toBe('DUPLICATE_TX');
  });

  it('a nonce gap fails; consecutive nonces in one block work', () => {
    const s = genesis();
    expect(codeOf(() => s.applyBlockTxs(block(1, [pay(KA, B, 10n, 1)]), ctx(1)))).toBe('BAD_NONCE');
    s.applyBlockTxs(block(1, [pay(KA, B, 10n, 0), pay(KA, B, 10n, 1), pay(KA, B, 10n, 2)]), ctx(1));
    expect(s.get(A).nonce).toBe(3);
    expect(codeOf(() => s.applyBlockTxs(block(2, [pay(KA, B, 10n, 2)]), ctx(2)))).toBe('BAD_NONCE');
  });
});

describe('amounts', () => {
  it('refuses amount ≤ 0 and amount or fee above maxAmount', () => {
    const s = genesis();
    const good = pay(KA, B, 10n, 0);
    const cases: [Tx, string][] = [
      [{ ...good, amount: 0n }, 'AMOUNT_OUT_OF_RANGE'],
      [{ ...good, amount: -5n }, 'AMOUNT_OUT_OF_RANGE'],
      [{ ...good, fee: -1n }, 'AMOUNT_OUT_OF_RANGE'],
      [pay(KA, B, 10_001n, 0), 'AMOUNT_OUT_OF_RANGE'],
      [pay(KA, B, 1n, 0, 10_001n), 'AMOUNT_OUT_OF_RANGE'],
    ];
    for (const [tx, code] of cases) {
      expect(codeOf(() => s.applyBlockTxs([createCoinbase(MINER, 0n, 1, CHAIN), tx], ctx(1)))).toBe(
        code,
      );
      expect(codeOf(() => s.applyTx(tx, { chainId: CHAIN, maxAmount: spec.maxAmount }))).toBe(code);
    }
    expect(s.serialize()).toBe(genesis().serialize());
  });

  it('parseTx refuses the same amounts before they reach the state', () => {
    const json = txToJson(pay(KA, B, 10n, 0));
    expect(codeOf(() => parseTx({ ...json, amount: '0' }))).toBe('AMOUNT_OUT_OF_RANGE');
    expect(codeOf(() => parseTx({ ...json, amount: '-3' }))).toBe('AMOUNT_OUT_OF_RANGE');
    expect(codeOf(() => parseTx({ ...json, amount: '10001' }, { maxAmount: 10_000n }))).toBe(
      'AMOUNT_OUT_OF_RANGE',
    );
  });
});

describe('coinbase rules', () => {
  it('coinbase may claim at most subsidy + fees; less is allowed (the rest is burned)', () => {
    const txs = [pay(KA, B, 100n, 0, 7n)];
    expect(codeOf(() => genesis().applyBlockTxs(block(1, txs, 58n), ctx(1)))).toBe(
      'BAD_COINBASE_AMOUNT',
    );
    const s = genesis();
    s.applyBlockTxs(block(1, txs, 57n), ctx(1));
    expect(s.get(MINER).balance).toBe(57n);
    const t = genesis();
    t.applyBlockTxs(block(1, txs, 0n), ctx(1));
    expect(t.has(MINER)).toBe(false); // minting 0 creates no account
    expect(t.totalSupply()).toBe(1000n - 7n);
  });

  it('uses the halving schedule when given a spec', () => {
    const halving = { blockReward: 50n, halvingIntervalBlocks: 10 };
    expect(
      codeOf(() =>
        new LedgerState().applyBlockTxs([createCoinbase(MINER, 26n, 10, CHAIN)], {
          height: 10,
          chainId: CHAIN,
          spec: halving,
        }),
      ),
    ).toBe('BAD_COINBASE_AMOUNT');
    const r = new LedgerState().applyBlockTxs([createCoinbase(MINER, 25n, 10, CHAIN)], {
      height: 10,
      chainId: CHAIN,
      spec: halving,
    });
    expect(r.subsidy).toBe(25n);
    // An explicit subsidy wins over the spec.
    new LedgerState().applyBlockTxs([createCoinbase(MINER, 99n, 10, CHAIN)], {
      height: 10,
      chainId: CHAIN,
      subsidy: 99n,
    });
  });

  it.each<[string, () => Tx[], string]>([
    ['an empty block', () => [], 'NO_COINBASE'],
    [
      'a transfer first',
      () => [pay(KA, B, 1n, 0), createCoinbase(MINER, 1n, 1, CHAIN)],
      'NO_COINBASE',
    ],
    [
      'two coinbases',
      () => [createCoinbase(MINER, 1n, 1, CHAIN), createCoinbase(B, 1n, 1, CHAIN)],
      'MULTIPLE_COINBASE',
    ],
    [
      'a coinbase later in the block',
      () => [
        createCoinbase(MINER, 1n, 1, CHAIN),
        pay(KA, B, 1n, 0),
        createCoinbase(B, 1n, 1, CHAIN),
      ],
      'MULTIPLE_COINBASE',
    ],
    ['coinbase nonce ≠ height', () => [createCoinbase(MINER, 1n, 2, CHAIN)], 'BAD_COINBASE'],
    ['coinbase for another chain', () => [createCoinbase(MINER, 1n, 1, 1)], 'BAD_COINBASE'],
    ['a transfer for another chain', () => block(1, [pay(KA, B, 1n, 0, 1n, 1)]), 'WRONG_CHAIN'],
  ])('refuses %s', (_name, txs, code) => {
    const s = genesis();
    const before = s.serialize();
    expect(codeOf(() => s.applyBlockTxs(txs(), ctx(1)))).toBe(code);
    expect(s.serialize()).toBe(before);
  });

  it('verifies signatures when asked', () => {
    const cache = new SignatureCache();
    const good = pay(KA, B, 5n, 0);
    const forged = { ...pay(KA, B, 5n, 0), from: C };
    const s = genesis();
    s.applyBlockTxs(block(1, [good]), { ...ctx(1), verifySignatures: true, sigCache: cache });
    const t = new LedgerState();
    t.applyGenesis({ [C]: 100n });
    expect(
      codeOf(() => t.applyBlockTxs(block(1, [forged]), { ...ctx(1), verifySignatures: true })),
    ).toBe('INVALID_SIGNATURE');
  });
});

describe('applyTx', () => {
  it('applies one transfer and returns its fee; refuses a coinbase', () => {
    const s = genesis();
    expect(s.applyTx(pay(KA, B, 10n, 0, 4n), { chainId: CHAIN })).toBe(4n);
    expect(s.get(A)).toEqual({ balance: 986n, nonce: 1 });
    expect(codeOf(() => s.applyTx(createCoinbase(B, 1n, 1, CHAIN), { chainId: CHAIN }))).toBe(
      'TX_NOT_ALLOWED',
    );
    expect(codeOf(() => s.applyTx(pay(KA, B, 10n, 1), { chainId: 1 }))).toBe('WRONG_CHAIN');
    expect(codeOf(() => s.checkTx(pay(KA, B, 10n, 0), { chainId: CHAIN }))).toBe('BAD_NONCE');
  });
});

describe('undo, genesis, snapshots', () => {
  it('undoBlock restores the exact previous state, including absent accounts', () => {
    const s = genesis();
    const states = [s.serialize()];
    const undos = [];
    undos.push(s.applyBlockTxs(block(1, [pay(KA, B, 100n, 0)]), ctx(1)).undo);
    states.push(s.serialize());
    undos.push(s.applyBlockTxs(block(2, [pay(KB, C, 40n, 0), pay(KA, C, 1n, 1)]), ctx(2)).undo);
    expect(s.undoBlock(undos.pop()!).map((c) => c.address)).toEqual(
      [A, B, C, MINER].sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : 1)),
    );
    expect(s.serialize()).toBe(states.pop());
    const changes = s.undoBlock(undos.pop()!);
    expect(changes.find((c) => c.address === B)?.account).toBe(null);
    expect(s.serialize()).toBe(states.pop());
    expect(s.has(MINER)).toBe(false);
  });

  it('undo records survive JSON', () => {
    const s = genesis();
    const { undo } = s.applyBlockTxs(block(1, [pay(KA, B, 100n, 0)]), ctx(1));
    const back = parseBlockUndo(JSON.parse(JSON.stringify(blockUndoToJson(undo))));
    expect(back).toEqual(undo);
    s.undoBlock(back);
    expect(s.serialize()).toBe(genesis().serialize());
  });

  it('genesis needs an empty state and valid allocations; allocations to one address add up', () => {
    const s = genesis();
    expect(codeOf(() => s.applyGenesis({ [B]: 1n }))).toBe('BAD_GENESIS');
    expect(codeOf(() => new LedgerState().applyGenesis({ '0x1234': 1n }))).toBe('BAD_GENESIS');
    expect(codeOf(() => new LedgerState().applyGenesis({ [B]: -1n }))).toBe('BAD_GENESIS');
    const t = new LedgerState();
    const r = t.applyGenesis([
      [A, 5n],
      [A.toLowerCase(), 6n],
      [B, 0n],
    ]);
    expect(t.get(A)).toEqual({ balance: 11n, nonce: 0 });
    expect(t.has(B)).toBe(false);
    expect(r.changed).toEqual([{ address: A, account: { balance: 11n, nonce: 0 } }]);
  });

  it('serialize is canonical: sorted, independent of insertion order; deserialize and clone round trip', () => {
    const x = new LedgerState();
    x.applyGenesis({ [A]: 1n, [B]: 2n, [C]: 3n });
    const y = new LedgerState();
    y.applyGenesis({ [C]: 3n, [A]: 1n, [B]: 2n });
    expect(x.serialize()).toBe(y.serialize());
    expect(x.digest()).toBe(y.digest());
    expect(x.snapshot().map((e) => e.address.toLowerCase())).toEqual(
      [A, B, C].map((a) => a.toLowerCase()).sort(),
    );
    expect(LedgerState.deserialize(x.serialize()).serialize()).toBe(x.serialize());
    const copy = x.clone();
    copy.applyBlockTxs([createCoinbase(MINER, 5n, 1, CHAIN)], ctx(1));
    expect(copy.serialize()).not.toBe(x.serialize());
    expect(x.has(MINER)).toBe(false);
  });

  it('accounts read back are immutable and case-blind', () => {
    const s = genesis();
    const a = s.get(A.toLowerCase());
    expect(a).toEqual({ balance: 1000n, nonce: 0 });
    expect(() => {
      (a as { balance: bigint }).balance = -1n;
    }).toThrow(TypeError);
    expect(s.get(A).balance).toBe(1000n);
    expect(s.get(B)).toEqual({ balance: 0n, nonce: 0 });
    expect(codeOf(() => s.get('nope'))).toBe('INVALID_ADDRESS');
  });
});
