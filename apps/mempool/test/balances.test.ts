import { describe, expect, it } from 'vitest';
import type { LedgerState } from '@chainlab/core';
import { confirmedBalance } from '../src/balances.js';
import { ADDR, MINER, START, TestChain, signed, testSpec } from './fixtures.js';

const spec = testSpec();
const EVERYONE = [...ADDR, MINER];

/** Expected: the state snapshot after the block at height tip − k + 1 (0 before genesis). */
function expectAllConfirmations(tc: TestChain, after: Map<string, LedgerState>) {
  const chain = tc.chain;
  for (let k = 1; k <= chain.height + 2; k++) {
    const h = chain.height - k + 1;
    for (const a of EVERYONE) {
      const expected = h < 0 ? 0n : after.get(chain.atHeight(h)!.hash)!.get(a).balance;
      expect(confirmedBalance(chain, tc.state, a, k), `${a} at ${k} confirmations`).toBe(expected);
    }
  }
}

describe('confirmedBalance', () => {
  it('walks undo records back from the tip: k confirmations = the state after block tip − k + 1', () => {
    const tc = new TestChain(spec);
    const after = new Map<string, LedgerState>([[tc.chain.genesis.hash, tc.state.clone()]]);
    const plan = [
      [signed({ from: 0, to: 3, amount: 100n, nonce: 0 }, spec)],
      [],
      [
        signed({ from: 0, to: 3, amount: 50n, nonce: 1 }, spec),
        signed({ from: 3, to: 4, amount: 30n, nonce: 0 }, spec),
      ],
      [signed({ from: 1, to: 0, amount: 500n, nonce: 0 }, spec)],
      [signed({ from: 4, to: 5, amount: 20n, nonce: 0 }, spec)],
    ];
    for (const txs of plan) {
      tc.mine(txs);
      after.set(tc.chain.tip.hash, tc.state.clone());
    }
    expectAllConfirmations(tc, after);
    expect(confirmedBalance(tc.chain, tc.state, ADDR[3]!, 1)).toBe(100n + 50n - 30n - 10n);
    expect(confirmedBalance(tc.chain, tc.state, ADDR[0]!, tc.chain.height + 1)).toBe(START); // genesis only
    expect(confirmedBalance(tc.chain, tc.state, ADDR[0]!, tc.chain.height + 2)).toBe(0n); // nothing has that many
  });

  it('follows a reorg: balances are those of the new active chain', () => {
    const tc = new TestChain(spec);
    const after = new Map<string, LedgerState>([[tc.chain.genesis.hash, tc.state.clone()]]);
    const fork = tc.chain.tip;
    tc.mine([signed({ from: 0, to: 3, amount: 100n, nonce: 0 }, spec)]);
    after.set(tc.chain.tip.hash, tc.state.clone());
    tc.mine([]);
    after.set(tc.chain.tip.hash, tc.state.clone());
    // A longer branch from genesis with a different tx.
    let parent = fork;
    const branch = [[signed({ from: 0, to: 4, amount: 200n, nonce: 0 }, spec)], [], []];
    for (const txs of branch) {
      const block = tc.build(txs, parent);
      tc.chain.processBlock(block, { now: 2_000_000_000 });
      parent = tc.chain.get(block.hash)!;
    }
    expect(tc.chain.tip.hash).toBe(parent.hash);
    // Snapshots of the new branch, by replaying it on a fresh chain.
    const replay = new TestChain(spec);
    for (let h = 1; h <= tc.chain.height; h++) {
      replay.submit(tc.chain.atHeight(h)!.block);
      after.set(replay.chain.tip.hash, replay.state.clone());
    }
    expectAllConfirmations(tc, after);
    expect(confirmedBalance(tc.chain, tc.state, ADDR[3]!, 1)).toBe(0n);
    expect(confirmedBalance(tc.chain, tc.state, ADDR[4]!, 3)).toBe(200n);
  });
});
