// Level 3 in the pool: contract txs count with their up-front cost and their fee level
// (gasPrice × 21,000), the stateless gas rules map to /pushtx codes, transfers to a
// contract are refused, and the EVM tip view is cached per tip.
import { describe, expect, it } from 'vitest';
import {
  contractAddress,
  txid,
  type AccountState,
  type ContractTx,
  type TransferTx,
} from '@chainlab/core';
import { checkContractAdmission, costOf, feeLevel, recipientOf } from '../src/contract-rules.js';
import { isMempoolError } from '../src/errors.js';
import { TxPool } from '../src/pool.js';
import { CachedTipView } from '@chainlab/levels/contracts';
import { ADDR, DUMMY_SIG, policy, testSpec } from './fixtures.js';

const spec = testSpec({ blockGasLimit: '1000000' });
const CHAIN = spec.chainId;
const BALANCE = 10_000_000n;
const CONTRACT = '0x000000000000000000000000000000000000C0de';

function call(over: Omit<Partial<ContractTx>, 'from'> & { from?: number } = {}): ContractTx {
  const { from = 0, ...rest } = over;
  return {
    kind: 'contract',
    from: ADDR[from]!,
    to: CONTRACT,
    amount: 0n,
    fee: 0n,
    nonce: 0,
    chainId: CHAIN,
    sig: DUMMY_SIG,
    data: '0xd09de08a',
    gasLimit: 50_000n,
    gasPrice: 10n,
    ...rest,
  };
}

function transfer(over: Omit<Partial<TransferTx>, 'from'> & { from?: number } = {}): TransferTx {
  const { from = 0, ...rest } = over;
  return {
    kind: 'transfer',
    from: ADDR[from]!,
    to: ADDR[3]!,
    amount: 100n,
    fee: spec.minFee,
    nonce: 0,
    chainId: CHAIN,
    sig: DUMMY_SIG,
    ...rest,
  };
}

/** A tip where accounts 0..2 hold BALANCE and CONTRACT has code. */
function tip(): { get(a: string): AccountState } {
  const funded = new Set(ADDR.slice(0, 3).map((a) => a.toLowerCase()));
  return { get: (a) => ({ balance: funded.has(a.toLowerCase()) ? BALANCE : 0n, nonce: 0 }) };
}

function setup(contracts = true) {
  const pool = new TxPool(
    policy(spec, {
      ...(contracts
        ? {
            contracts: {
              blockGasLimit: spec.blockGasLimit,
              minFee: spec.minFee,
              hasCode: (a: string) => a.toLowerCase() === CONTRACT.toLowerCase(),
            },
          }
        : {}),
    }),
    tip(),
  );
  const add = (t: TransferTx | ContractTx) => pool.add(t, txid(t));
  return { pool, add };
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

describe('contract-rules', () => {
  it('fee level, cost and recipient of each kind of tx', () => {
    expect(feeLevel(transfer({ fee: 77n }))).toBe(77n);
    expect(feeLevel(call({ gasPrice: 3n }))).toBe(63_000n);
    expect(costOf(transfer({ amount: 5n, fee: 7n }))).toBe(12n);
    expect(costOf(call({ amount: 5n, gasLimit: 30_000n, gasPrice: 2n }))).toBe(60_005n);
    expect(recipientOf(call())).toBe(CONTRACT.toLowerCase());
    const deploy = call({ to: null, nonce: 7 });
    expect(recipientOf(deploy)).toBe(contractAddress(ADDR[0]!, 7).toLowerCase());
  });

  it('maps the gas rules onto /pushtx codes', () => {
    const p = { blockGasLimit: 1_000_000n, minFee: 21_000n };
    const code = (t: ContractTx) => codeOf(() => checkContractAdmission(t, p));
    expect(code(call({ gasPrice: 1n }))).toBe('ACCEPTED'); // 1 × 21,000 = minFee
    expect(code(call({ gasPrice: 0n }))).toBe('FEE_TOO_LOW');
    expect(code(call({ gasLimit: 21_063n }))).toBe('FEE_TOO_LOW'); // intrinsic is 21,064
    expect(code(call({ gasLimit: 21_064n }))).toBe('ACCEPTED');
    expect(code(call({ gasLimit: 1_000_001n }))).toBe('TOO_LARGE');
    const bigInit = '0x' + '60'.repeat(49_153);
    expect(code(call({ to: null, data: bigInit, gasLimit: 999_999n }))).toBe('TOO_LARGE');
  });
});

describe('TxPool with contract txs', () => {
  it('refuses contract txs on a chain without contracts', () => {
    const { add } = setup(false);
    expect(codeOf(() => add(call()))).toBe('INVALID_JSON');
  });

  it('debits the up-front cost, credits the value to the callee or the new contract', () => {
    const { pool, add } = setup();
    add(call({ amount: 1_000n, gasLimit: 50_000n, gasPrice: 10n }));
    expect(pool.pendingAccount(ADDR[0]!)).toEqual({ balance: BALANCE - 501_000n, nonce: 1 });
    expect(pool.pendingAccount(CONTRACT).balance).toBe(1_000n);
    add(call({ to: null, nonce: 1, amount: 7n, gasLimit: 100_000n, gasPrice: 1n }));
    expect(pool.pendingAccount(contractAddress(ADDR[0]!, 1)).balance).toBe(7n);
    expect(pool.pendingAccount(ADDR[0]!)).toEqual({ balance: BALANCE - 601_007n, nonce: 2 });
  });

  it('refuses what the sender cannot pay up front, and type-1 transfers to a contract', () => {
    const { add } = setup();
    expect(codeOf(() => add(call({ gasLimit: 1_000_000n, gasPrice: 11n })))).toBe(
      'INSUFFICIENT_FUNDS',
    );
    expect(codeOf(() => add(transfer({ to: CONTRACT })))).toBe('INVALID_JSON');
    expect(codeOf(() => add(transfer()))).toBe('ACCEPTED');
  });

  it('replaces and orders by fee level across kinds', () => {
    const { pool, add } = setup();
    const t = transfer({ fee: 30n * 21_000n }); // fee level 630,000
    add(t);
    // Same fee level (gasPrice 30): not more, refused; gasPrice 31: replaces the transfer.
    expect(codeOf(() => add(call({ gasPrice: 30n })))).toBe('FEE_TOO_LOW');
    const c = call({ gasPrice: 31n });
    expect(add(c).replaced?.id).toBe(txid(t));
    // Another sender's transfer paying a higher level goes first.
    const rich = transfer({ from: 1, fee: 40n * 21_000n });
    add(rich);
    expect(pool.ordered().map((e) => e.id)).toEqual([txid(rich), txid(c)]);
  });

  it('contract txs of disconnected blocks come back to the pool', () => {
    const { pool } = setup();
    const c = call();
    const update = pool.updateTip(tip(), new Set(), [{ tx: c, id: txid(c) }]);
    expect(update.returned.map((e) => e.id)).toEqual([txid(c)]);
    expect(pool.ordered().map((e) => e.id)).toEqual([txid(c)]);
  });
});

describe('CachedTipView', () => {
  it('reads each account once per tip', () => {
    let reads = 0;
    const chain = { tip: { hash: '0x01' } };
    const view = new CachedTipView(chain as never, {
      get: () => (reads++, { balance: 5n, nonce: 1 }),
      account: () => (reads++, { codeSize: 3 }),
    });
    expect(view.get(ADDR[0]!)).toEqual({ balance: 5n, nonce: 1 });
    view.get(ADDR[0]!.toLowerCase());
    expect(view.hasCode(CONTRACT)).toBe(true);
    view.hasCode(CONTRACT);
    expect(reads).toBe(2);
    chain.tip = { hash: '0x02' };
    view.get(ADDR[0]!);
    expect(reads).toBe(3);
  });
});
