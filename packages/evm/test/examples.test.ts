// The three examples end to end through core's Chain driving an EvmMachine: deploy, call
// (read-only and as txs), events, revert reasons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractAddress } from '@chainlab/core';
import {
  decodeCallResult,
  decodeLogs,
  decodeRevert,
  encodeCall,
  encodeDeploy,
  type CompiledContract,
} from '@chainlab/evm';
import { Harness, exampleContract } from './helpers.js';

let counter: CompiledContract;
let token: CompiledContract;
let escrow: CompiledContract;
const h = new Harness();

beforeAll(() => {
  counter = exampleContract('counter/Counter.sol');
  token = exampleContract('token/Token.sol', 'Token');
  escrow = exampleContract('escrow/Escrow.sol');
});
afterAll(() => h.close());

function view(address: string, signature: string, args: unknown[] = [], from?: string): unknown[] {
  const r = h.machine.call(address, encodeCall(signature, args), from);
  expect(r.status, r.revertReason ?? r.error).toBe(1);
  return decodeCallResult(signature, r.returnData);
}

describe('Counter', () => {
  let address: string;

  it('deploys at the CREATE address of (sender, nonce)', () => {
    const nonce = h.machine.account(h.addresses[0]!).nonce;
    const { receipts } = h.mine([h.contractTx(0, null, encodeDeploy(counter))]);
    address = receipts[0]!.contractAddress!;
    expect(receipts[0]!.status).toBe(1);
    expect(address).toBe(contractAddress(h.addresses[0]!, nonce));
    // The runtime code, with the immutable `owner` filled in by the constructor.
    const owner = h.addresses[0]!.slice(2).toLowerCase();
    expect(h.machine.code(address)).toBe(
      counter.deployedBytecode.replaceAll('0'.repeat(64), '0'.repeat(24) + owner),
    );
    expect(h.machine.account(address)).toMatchObject({
      nonce: 1,
      balance: 0n,
      codeSize: (counter.deployedBytecode.length - 2) / 2,
    });
    expect(view(address, 'count()(uint256)')).toEqual([0n]);
    expect(view(address, 'owner()(address)')).toEqual([h.addresses[0]]);
  });

  it('increments with an event, in a tx and in a read-only call', () => {
    const { receipts } = h.mine([
      h.contractTx(1, address, encodeCall('increment()')),
      h.contractTx(2, address, encodeCall('add(uint256)', ['41'])),
    ]);
    expect(receipts.map((r) => r.status)).toEqual([1, 1]);
    const logs = decodeLogs(
      counter.abi,
      receipts.flatMap((r) => r.logs),
    );
    expect(logs.map((l) => [l.eventName, l.args])).toEqual([
      ['Incremented', { by: h.addresses[1], count: 1n }],
      ['Incremented', { by: h.addresses[2], count: 42n }],
    ]);
    expect(view(address, 'count()(uint256)')).toEqual([42n]);
    expect(h.machine.storage(address, 0n)).toBe('0x' + (42).toString(16).padStart(64, '0'));
    // A read-only call runs the code but changes nothing.
    const dry = h.machine.call(address, encodeCall('increment()'), h.addresses[3]);
    expect(dry.status).toBe(1);
    expect(dry.logs).toHaveLength(1);
    expect(view(address, 'count()(uint256)')).toEqual([42n]);
  });

  it('reports revert reasons: Error(string), custom errors, panics', () => {
    const fail = h.machine.call(address, encodeCall('fail()'));
    expect(fail.status).toBe(0);
    expect(fail.revertReason).toBe('Counter: this call always fails');
    const notOwner = h.machine.call(address, encodeCall('reset()'), h.addresses[4]);
    expect(notOwner.status).toBe(0);
    expect(decodeRevert(notOwner.returnData, counter.abi)).toBe(`NotOwner(${h.addresses[4]})`);
    const overflow = h.machine.call(
      address,
      encodeCall('add(uint256)', [(2n ** 256n - 1n).toString()]),
    );
    expect(overflow.revertReason).toBe('panic 0x11: arithmetic overflow or underflow');
    const { receipts } = h.mine([h.contractTx(0, address, encodeCall('reset()'))]);
    expect(decodeLogs(counter.abi, receipts[0]!.logs)[0]).toMatchObject({
      eventName: 'Reset',
      args: { by: h.addresses[0], previous: 42n },
    });
    expect(view(address, 'count()(uint256)')).toEqual([0n]);
  });
});

describe('Token (ERC-20)', () => {
  let address: string;
  const supply = 1_000_000n * 10n ** 18n;

  it('deploys with constructor arguments and mints to the deployer', () => {
    const { receipts } = h.mine([
      h.contractTx(0, null, encodeDeploy(token, ['Chainlab Token', 'CLT', supply.toString()]), {
        gasLimit: 2_000_000n,
      }),
    ]);
    address = receipts[0]!.contractAddress!;
    expect(receipts[0]!.status).toBe(1);
    expect(view(address, 'name()(string)')).toEqual(['Chainlab Token']);
    expect(view(address, 'symbol()(string)')).toEqual(['CLT']);
    expect(view(address, 'decimals()(uint8)')).toEqual([18]);
    expect(view(address, 'totalSupply()(uint256)')).toEqual([supply]);
    expect(view(address, 'balanceOf(address)(uint256)', [h.addresses[0]])).toEqual([supply]);
    expect(decodeLogs(token.abi, receipts[0]!.logs)[0]).toMatchObject({
      eventName: 'Transfer',
      args: {
        from: '0x0000000000000000000000000000000000000000',
        to: h.addresses[0],
        value: supply,
      },
    });
  });

  it('transfers, approves and transferFroms with events', () => {
    const [a, b, c] = h.addresses as [string, string, string];
    const { receipts } = h.mine([
      h.contractTx(0, address, encodeCall('transfer(address,uint256)', [b, '1000'])),
      h.contractTx(1, address, encodeCall('approve(address,uint256)', [c, '400'])),
      h.contractTx(2, address, encodeCall('transferFrom(address,address,uint256)', [b, a, '300'])),
    ]);
    expect(receipts.map((r) => r.status)).toEqual([1, 1, 1]);
    const events = decodeLogs(
      token.abi,
      receipts.flatMap((r) => r.logs),
    ).map((l) => [l.eventName, l.args]);
    expect(events).toEqual([
      ['Transfer', { from: a, to: b, value: 1000n }],
      ['Approval', { owner: b, spender: c, value: 400n }],
      ['Transfer', { from: b, to: a, value: 300n }],
    ]);
    expect(view(address, 'balanceOf(address)(uint256)', [b])).toEqual([700n]);
    expect(view(address, 'allowance(address,address)(uint256)', [b, c])).toEqual([100n]);
  });

  it('a transfer above the balance reverts with its reason and changes no balance', () => {
    const [, b, c] = h.addresses as [string, string, string];
    const { receipts } = h.mine([
      h.contractTx(1, address, encodeCall('transfer(address,uint256)', [c, '701'])),
    ]);
    expect(receipts[0]).toMatchObject({
      status: 0,
      error: 'revert',
      revertReason: 'Token: balance too low',
      logs: [],
    });
    expect(view(address, 'balanceOf(address)(uint256)', [b])).toEqual([700n]);
    expect(view(address, 'balanceOf(address)(uint256)', [c])).toEqual([0n]);
  });
});

describe('Escrow', () => {
  const price = 5n * 10n ** 18n;

  function deployEscrow(): string {
    const [, seller, arbiter] = h.addresses as [string, string, string];
    const { receipts } = h.mine([h.contractTx(0, null, encodeDeploy(escrow, [seller, arbiter]))]);
    expect(receipts[0]!.status).toBe(1);
    return receipts[0]!.contractAddress!;
  }

  it('takes the payment, then releases it to the seller', () => {
    const address = deployEscrow();
    const seller = h.addresses[1]!;
    // Paying in: a value transfer to the contract runs its receive().
    const pay = h.mine([h.contractTx(0, address, '0x', { amount: price, gasLimit: 100_000n })])
      .receipts[0]!;
    expect(pay.status).toBe(1);
    expect(decodeLogs(escrow.abi, pay.logs)[0]).toMatchObject({
      eventName: 'Deposited',
      args: { buyer: h.addresses[0], amount: price },
    });
    expect(h.machine.account(address).balance).toBe(price);
    expect(view(address, 'state()(uint8)')).toEqual([1]);
    // Only the buyer pays in, once.
    expect(
      h.mine([h.contractTx(3, address, '0x', { amount: 1n, gasLimit: 100_000n })]).receipts[0]!
        .revertReason,
    ).toBe('Escrow: only the buyer pays in');
    // The seller cannot release to itself.
    expect(
      h.mine([h.contractTx(1, address, encodeCall('release()'))]).receipts[0]!.revertReason,
    ).toBe('Escrow: only the buyer or the arbiter releases');
    const before = h.machine.account(seller).balance;
    const release = h.mine([h.contractTx(2, address, encodeCall('release()'))]).receipts[0]!; // the arbiter
    expect(release.status).toBe(1);
    expect(decodeLogs(escrow.abi, release.logs)[0]).toMatchObject({
      eventName: 'Released',
      args: { seller, amount: price },
    });
    expect(h.machine.account(seller).balance).toBe(before + price);
    expect(h.machine.account(address).balance).toBe(0n);
    expect(view(address, 'state()(uint8)')).toEqual([2]);
  });

  it('refunds the buyer when the seller or the arbiter says so', () => {
    const address = deployEscrow();
    h.mine([h.contractTx(0, address, '0x', { amount: price, gasLimit: 100_000n })]);
    const buyer = h.addresses[0]!;
    const before = h.machine.account(buyer).balance;
    const refund = h.mine([h.contractTx(1, address, encodeCall('refund()'))]).receipts[0]!; // the seller
    expect(refund.status).toBe(1);
    expect(decodeLogs(escrow.abi, refund.logs)[0]).toMatchObject({
      eventName: 'Refunded',
      args: { buyer, amount: price },
    });
    expect(h.machine.account(buyer).balance).toBe(before + price);
    expect(view(address, 'state()(uint8)')).toEqual([3]);
  });
});
