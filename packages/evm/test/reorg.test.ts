// A reorg that removes a deployment removes the contract, its code and its storage, and
// the state is then exactly the other branch's; switching back brings it all back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCall, encodeDeploy, type CompiledContract } from '@chainlab/evm';
import { Harness, exampleContract } from './helpers.js';

let counter: CompiledContract;
let token: CompiledContract;
beforeAll(() => {
  counter = exampleContract('counter/Counter.sol');
  token = exampleContract('token/Token.sol');
});

describe('reorg', () => {
  // Two nodes that agree on block 1, then mine different branches.
  const a = new Harness();
  const b = new Harness();
  afterAll(() => {
    a.close();
    b.close();
  });

  it('the heavier branch without the deployment wins: the contract and its storage are gone', () => {
    const common = a.mine([
      a.contractTx(0, a.addresses[1]!, '0x', { amount: 10n ** 18n, gasLimit: 21_000n }),
    ]).block;
    expect(b.process(common).status).toBe('accepted');
    const rootAfterCommon = a.machine.stateRoot();

    // Branch A (1 block): deploy Counter and a Token, bump the counter.
    const deploy = a.mine([
      a.contractTx(0, null, encodeDeploy(counter)),
      a.contractTx(1, null, encodeDeploy(token, ['T', 'T', '5000']), { gasLimit: 2_000_000n }),
    ]);
    const [counterAddr, tokenAddr] = deploy.receipts.map((r) => r.contractAddress!) as [
      string,
      string,
    ];
    const bump = a.mine([a.contractTx(2, counterAddr, encodeCall('add(uint256)', ['7']))]);
    expect(BigInt(a.machine.storage(counterAddr, 0n))).toBe(7n);
    expect(a.machine.code(tokenAddr)).not.toBe('0x');
    const deployTxid = deploy.receipts[0]!.txid;
    expect(a.machine.receipt(deployTxid)).toBeDefined();
    const rootBranchA = a.machine.stateRoot();

    // Branch B (3 blocks, more work): plain transfers only.
    const branchB = [1, 2, 3].map(
      (i) =>
        b.mine([b.contractTx(i, b.addresses[0]!, '0x', { amount: BigInt(i), gasLimit: 21_000n })])
          .block,
    );
    for (const block of branchB.slice(0, 2)) expect(a.process(block).reorg).toBeNull(); // 2 blocks: equal work, first seen stays
    const r = a.process(branchB[2]!);
    expect(r.reorg?.disconnected.map((n) => n.hash)).toEqual([bump.block.hash, deploy.block.hash]);
    expect(a.chain.tip.hash).toBe(branchB[2]!.hash);

    for (const address of [counterAddr, tokenAddr]) {
      expect(a.machine.code(address)).toBe('0x');
      expect(a.machine.account(address)).toMatchObject({ nonce: 0, balance: 0n, codeSize: 0 });
      expect(a.machine.storage(address, 0n)).toBe('0x' + '0'.repeat(64));
    }
    expect(a.machine.dump().some((acc) => acc.code !== '0x' || acc.storage.length > 0)).toBe(false);
    expect(a.machine.receipt(deployTxid)).toBeUndefined();
    expect(a.machine.stateRoot()).toBe(b.machine.stateRoot());
    expect(a.machine.stateRoot()).not.toBe(rootAfterCommon);

    // Branch A grows heavier again: everything comes back, byte for byte.
    expect(a.chain.invalidateBlock(branchB[0]!.hash).reorg?.connected.map((n) => n.hash)).toEqual([
      deploy.block.hash,
      bump.block.hash,
    ]);
    expect(a.machine.stateRoot()).toBe(rootBranchA);
    expect(BigInt(a.machine.storage(counterAddr, 0n))).toBe(7n);
    expect(a.machine.receipt(deployTxid)?.blockHash).toBe(deploy.block.hash);
  });
});
