// Level-3 execution rules: what a failed execution costs, what makes a block invalid, gas
// accounting against known values, and the level-2 transfers a level-3 chain still takes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assembleBlock,
  blockSubsidy,
  createCoinbase,
  intrinsicGas,
  isTxBlock,
  privateKeyToAddress,
  signTx,
  solveBlock,
  type Block,
  type Tx,
} from '@chainlab/core';
import {
  encodeCall,
  encodeDeploy,
  receiptFromJson,
  receiptToJson,
  type CompiledContract,
} from '@chainlab/evm';
import { GWEI, Harness, MINER, easySpec, exampleContract } from './helpers.js';

let counter: CompiledContract;
let escrow: CompiledContract;
const h = new Harness();
let c: string; // a deployed Counter

beforeAll(() => {
  counter = exampleContract('counter/Counter.sol');
  escrow = exampleContract('escrow/Escrow.sol');
  c = h.mine([h.contractTx(0, null, encodeDeploy(counter))]).receipts[0]!.contractAddress!;
});
afterAll(() => h.close());

const count = () => BigInt(h.machine.storage(c, 0n));
const balance = (a: string) => h.machine.account(a).balance;

/** A block like `template` but with its coinbase replaced (re-assembled and solved). */
function withCoinbase(block: Block, change: (cb: Tx & { kind: 'coinbase' }) => Tx): Block {
  if (!isTxBlock(block)) throw new Error('tx block expected');
  const [cb, ...rest] = block.txs;
  const txs = [change(cb as Tx & { kind: 'coinbase' }), ...rest];
  return solveBlock(assembleBlock({ ...block.header, height: block.height }, { txs }));
}

describe('failed executions are normal outcomes: fee charged, state reverted', () => {
  it.each([
    ['revert', 'fail()', 'revert', false],
    ['out of gas', 'spin()', 'out of gas', true],
    ['invalid opcode', 'invalid()', 'invalid opcode', true],
  ] as const)('%s', (_name, fn, error, usesAllGas) => {
    const sender = h.addresses[3]!;
    const gasPrice = 3n * GWEI;
    const gasLimit = 200_000n;
    const before = {
      balance: balance(sender),
      nonce: h.machine.account(sender).nonce,
      count: count(),
      miner: balance(MINER),
    };
    const { receipts, block } = h.mine([
      h.contractTx(3, c, encodeCall(fn), { gasPrice, gasLimit }),
    ]);
    const r = receipts[0]!;
    expect(r).toMatchObject({ status: 0, error, logs: [] });
    if (usesAllGas) expect(r.gasUsed).toBe(gasLimit);
    else expect(r.gasUsed).toBeLessThan(gasLimit);
    expect(r.fee).toBe(r.gasUsed * gasPrice);
    expect(balance(sender)).toBe(before.balance - r.fee); // the unused gas came back
    expect(h.machine.account(sender).nonce).toBe(before.nonce + 1);
    expect(count()).toBe(before.count); // spin()'s storage writes were undone
    expect(balance(MINER)).toBe(before.miner + blockSubsidy(block.height, h.spec) + r.fee);
  });

  it('value sent with a failing call goes back to the sender', () => {
    const sender = h.addresses[3]!;
    const before = balance(sender);
    const r = h.mine([h.contractTx(3, c, encodeCall('fail()'), { amount: 10n ** 18n })])
      .receipts[0]!;
    expect(r.status).toBe(0);
    expect(balance(sender)).toBe(before - r.fee);
    expect(balance(c)).toBe(0n);
  });

  it('a constructor that reverts leaves no contract; the nonce and the fee are spent', () => {
    const nonce = h.machine.account(h.addresses[4]!).nonce;
    const zero = '0x0000000000000000000000000000000000000000';
    const r = h.mine([h.contractTx(4, null, encodeDeploy(escrow, [zero, zero]))]).receipts[0]!;
    expect(r).toMatchObject({ status: 0, revertReason: 'Escrow: zero address' });
    expect(r.contractAddress).not.toBeNull();
    expect(h.machine.code(r.contractAddress!)).toBe('0x');
    expect(h.machine.account(r.contractAddress!).nonce).toBe(0);
    expect(h.machine.account(h.addresses[4]!).nonce).toBe(nonce + 1);
  });
});

describe('gas accounting matches the EVM (Cancun schedule)', () => {
  it('a value transfer costs exactly 21000, data 4 per zero and 16 per non-zero byte', () => {
    const to = h.addresses[6]!;
    const r = h.mine([
      h.contractTx(0, to, '0x', { amount: 1n, gasLimit: 21_000n }),
      h.contractTx(1, to, '0x00ff0000ff', { amount: 1n, gasLimit: 50_000n }),
    ]).receipts;
    expect(r.map((x) => x.gasUsed)).toEqual([21_000n, 21_000n + 3n * 4n + 2n * 16n]);
    expect(intrinsicGas({ to, data: '0x00ff0000ff' })).toBe(21_044n);
  });

  it('Counter: pinned costs; the first write costs 17100 more (EIP-2200 set 20000 vs reset 2900)', () => {
    const fresh = h.mine([h.contractTx(0, null, encodeDeploy(counter))]).receipts[0]!;
    expect(fresh.gasUsed).toBe(231_458n);
    // Deploy = intrinsic (21000 + 32000 + data + init-code words) + execution + 200 per byte of code.
    const codeBytes = BigInt((counter.deployedBytecode.length - 2) / 2);
    expect(fresh.gasUsed).toBeGreaterThan(
      intrinsicGas({ to: null, data: counter.bytecode }) + 200n * codeBytes,
    );
    const address = fresh.contractAddress!;
    const inc = () =>
      h.mine([h.contractTx(1, address, encodeCall('increment()'))]).receipts[0]!.gasUsed;
    const first = inc();
    const second = inc();
    expect([first, second]).toEqual([44_966n, 27_866n]);
    expect(first - second).toBe(20_000n - 2_900n);
  });

  it('the refund for clearing a slot (4800, EIP-3529) comes after execution: gasLimit must cover the gas before it', () => {
    const address = h.mine([h.contractTx(0, null, encodeDeploy(counter))]).receipts[0]!
      .contractAddress!;
    h.mine([h.contractTx(1, address, encodeCall('increment()'))]);
    const used = 22_935n; // pinned: reset() of a non-zero count, after its refund
    const tooTight = h.mine([h.contractTx(0, address, encodeCall('reset()'), { gasLimit: used })])
      .receipts[0]!;
    expect(tooTight).toMatchObject({ status: 0, error: 'out of gas', gasUsed: used });
    const ok = h.mine([
      h.contractTx(0, address, encodeCall('reset()'), { gasLimit: used + 4_800n }),
    ]).receipts[0]!;
    expect(ok).toMatchObject({ status: 1, gasUsed: used });
  });

  it('ERC-20 transfer: 51461 to a new holder, 34361 to an existing one', () => {
    const token = exampleContract('token/Token.sol');
    const t = h.mine([
      h.contractTx(0, null, encodeDeploy(token, ['T', 'T', '1000000']), { gasLimit: 2_000_000n }),
    ]).receipts[0]!.contractAddress!;
    const send = () =>
      h.mine([h.contractTx(0, t, encodeCall('transfer(address,uint256)', [h.addresses[7], '10']))])
        .receipts[0]!.gasUsed;
    expect([send(), send()]).toEqual([51_461n, 34_361n]);
  });

  it('estimateGas finds the smallest gasLimit that succeeds', () => {
    const req = { to: c, data: encodeCall('increment()'), from: h.addresses[2]! };
    const gas = h.machine.estimateGas(req);
    expect(h.machine.call(c, req.data, req.from, { gasLimit: gas }).status).toBe(1);
    expect(h.machine.call(c, req.data, req.from, { gasLimit: gas - 1n }).status).toBe(0);
  });
});

describe('block validity', () => {
  it('a sender that cannot afford amount + gasLimit × gasPrice: the template leaves it out, a block with it is invalid', () => {
    const key = '0x' + 'ab'.repeat(32);
    const poor = privateKeyToAddress(key);
    h.mine([h.contractTx(0, poor, '0x', { amount: 21_000n * GWEI + 5n, gasLimit: 21_000n })]);
    const tx = signTx(
      {
        kind: 'contract',
        to: c,
        data: encodeCall('increment()'),
        amount: 0n,
        nonce: 0,
        chainId: h.spec.chainId,
        gasLimit: 100_000n,
        gasPrice: GWEI,
      },
      key,
    );
    const t = h.template([tx]);
    expect(t.skipped.map((s) => s.code)).toEqual(['INSUFFICIENT_FUNDS']);
    // Force it in: the state rules refuse the block and nothing changes.
    const root = h.machine.stateRoot();
    const bad = withCoinbase(
      assembleBlock(
        { ...t.block.header, height: t.block.height },
        { txs: [...(t.block as { txs: Tx[] }).txs, tx] },
      ),
      (cb) => cb,
    );
    const r = h.process(bad);
    expect(r.status).toBe('invalid');
    expect(r.error?.code).toBe('INSUFFICIENT_FUNDS');
    expect(h.machine.stateRoot()).toBe(root);
    expect(balance(poor)).toBe(21_000n * GWEI + 5n);
    // Affordable: it goes through and the balance stays ≥ 0 (5 base units left).
    const ok = h.mine([
      signTx(
        {
          kind: 'contract',
          to: MINER,
          data: '0x',
          amount: 5n,
          nonce: 0,
          chainId: h.spec.chainId,
          gasLimit: 21_000n,
          gasPrice: GWEI,
        },
        key,
      ),
    ]);
    expect(ok.receipts[0]!.status).toBe(1);
    expect(balance(poor)).toBe(0n);
  });

  it('a coinbase claiming another state root is invalid (BAD_STATE_ROOT), and changes nothing', () => {
    const t = h.template([h.contractTx(2, c, encodeCall('increment()'))]);
    const root = h.machine.stateRoot();
    const tip = h.chain.tip.hash;
    const bad = withCoinbase(t.block, (cb) => ({ ...cb, data: '0x' + '11'.repeat(32) }));
    const r = h.process(bad);
    expect(r.status).toBe('invalid');
    expect(r.error?.code).toBe('BAD_STATE_ROOT');
    expect(h.chain.tip.hash).toBe(tip);
    expect(h.machine.stateRoot()).toBe(root);
    // The template itself is fine.
    expect(h.process(solveBlock(t.block)).status).toBe('accepted');
    h.resetNonces();
  });

  it('a coinbase without a state root is malformed at level 3 (BAD_COINBASE)', () => {
    const t = h.template([]);
    const bad = withCoinbase(t.block, (cb) =>
      createCoinbase(cb.to, cb.amount, cb.nonce, cb.chainId),
    );
    expect(h.process(bad).error?.code).toBe('BAD_COINBASE');
  });

  it('a coinbase may claim subsidy + gas fees, not more (BAD_COINBASE_AMOUNT)', () => {
    const t = h.template([h.contractTx(2, c, encodeCall('increment()'))]);
    expect(t.fees).toBeGreaterThan(0n);
    const bad = withCoinbase(t.block, (cb) => ({ ...cb, amount: cb.amount + 1n }));
    expect(h.process(bad).error?.code).toBe('BAD_COINBASE_AMOUNT');
    h.resetNonces();
  });

  it('the block gas limit: a tx whose gasLimit exceeds the gas left is left out, and invalid in a block', () => {
    const small = new Harness(easySpec({ blockGasLimit: '100000' }));
    try {
      const counterAddr = small.mine(
        [small.contractTx(0, null, encodeDeploy(counter), { gasLimit: 100_000n })],
        { allowSkips: true },
      );
      expect(counterAddr.receipts[0]!.status).toBe(0); // 100k gas is not enough to deploy Counter: out of gas
      const a = small.contractTx(1, MINER, '0x', { gasLimit: 60_000n });
      const b = small.contractTx(2, MINER, '0x', { gasLimit: 60_000n });
      const t = small.template([a, b]);
      // a uses 21000, so b's 60000 fits in the 79000 left; three of them would not.
      expect(t.skipped).toEqual([]);
      const c3 = small.contractTx(3, MINER, '0x', { gasLimit: 60_000n });
      const t3 = small.template([a, b, c3]);
      expect(t3.skipped.map((s) => s.code)).toEqual(['GAS_LIMIT']);
      const forced = withCoinbase(
        assembleBlock(
          { ...t3.block.header, height: t3.block.height },
          { txs: [...(t3.block as { txs: Tx[] }).txs, c3] },
        ),
        (cb) => cb,
      );
      expect(small.process(forced).error?.code).toBe('GAS_LIMIT');
      // Above the block gas limit, or below the intrinsic gas: refused before execution.
      const huge = small.contractTx(4, MINER, '0x', { gasLimit: 100_001n });
      expect(small.template([huge]).skipped.map((s) => s.code)).toEqual(['GAS_LIMIT']);
      const tiny = small.contractTx(4, MINER, '0x01', { gasLimit: 21_000n, nonce: 0 });
      expect(small.template([tiny]).skipped.map((s) => s.code)).toEqual(['GAS_LIMIT']);
    } finally {
      small.close();
    }
  });
});

describe('level-2 transfers on a level-3 chain', () => {
  it('move value with a flat fee and no gas', () => {
    const from = h.addresses[5]!;
    const to = h.addresses[8]!;
    const before = { from: balance(from), to: balance(to) };
    const tx = signTx(
      { to, amount: 1000n, fee: 7n, nonce: h.nextNonce(5), chainId: h.spec.chainId },
      h.keys[5]!,
    );
    const r = h.mine([tx]).receipts[0]!;
    expect(r).toMatchObject({ status: 1, gasUsed: 0n, fee: 7n });
    expect(balance(from)).toBe(before.from - 1007n);
    expect(balance(to)).toBe(before.to + 1000n);
  });

  it('cannot pay a contract (its code would not run): TX_NOT_ALLOWED', () => {
    const tx = signTx(
      {
        to: c,
        amount: 1n,
        fee: 7n,
        nonce: h.machine.account(h.addresses[5]!).nonce,
        chainId: h.spec.chainId,
      },
      h.keys[5]!,
    );
    expect(h.template([tx]).skipped.map((s) => s.code)).toEqual(['TX_NOT_ALLOWED']);
    h.resetNonces();
  });
});

describe('undo records', () => {
  it('list the touched accounts as level 2 does (EIP-55, sorted, previous balance)', () => {
    const from = h.addresses[2]!;
    const before = balance(from);
    const { block } = h.mine([h.contractTx(2, c, encodeCall('increment()'))]);
    const undo = h.chain.undoOf(block.hash) as {
      accounts: { address: string; prev: { balance: bigint } | null }[];
    };
    const addresses = undo.accounts.map((a) => a.address);
    expect(addresses).toEqual(
      [...addresses].sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : 1)),
    );
    expect(undo.accounts.find((a) => a.address === from)?.prev?.balance).toBe(before);
    expect(addresses).toContain(c);
    h.resetNonces();
  });
});

describe('receipts', () => {
  it('are found by txid and survive JSON', () => {
    const tx = h.contractTx(2, c, encodeCall('increment()'));
    const { block, receipts } = h.mine([tx]);
    const found = h.machine.receipt(receipts[0]!.txid)!;
    expect(found).toMatchObject({ blockHash: block.hash, height: block.height, index: 1 });
    expect(receiptFromJson(JSON.parse(JSON.stringify(receiptToJson(found.receipt))))).toEqual(
      found.receipt,
    );
  });
});
