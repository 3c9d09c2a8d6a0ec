// Level-2 blocks through the block tree: each rule's rejection code at the block level,
// and reorgs that undo and redo transfers.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Chain } from '../src/chain.js';
import { LedgerMachine } from '../src/ledger-machine.js';
import { privateKeyToAddress } from '../src/address.js';
import { signTx } from '../src/tx.js';
import { assembleBlock } from '../src/block.js';
import { solveBlock } from '../src/builder.js';
import type { TransferTx, TxBlock } from '../src/types.js';
import { BlockGenerator, easySpec, NOW } from './chain-gen.js';

const spec = easySpec('devnet');
const [k0, k1, k2] = spec.devKeys as [string, string, string];
const [a0, a1, a2] = [k0, k1, k2].map(privateKeyToAddress) as [string, string, string];
const fresh = privateKeyToAddress('0x' + '42'.repeat(32)); // an account with nothing
const COIN = 10n ** 18n;

function transfer(
  key: string,
  to: string,
  amount: bigint,
  nonce: number,
  extra: Partial<TransferTx> = {},
): TransferTx {
  return {
    ...signTx({ to, amount, fee: spec.minFee, nonce, chainId: spec.chainId }, key),
    ...extra,
  };
}

const newChain = () => new Chain(spec, new LedgerMachine(spec));
const ledger = (chain: Chain) => (chain.state as LedgerMachine).state;

describe('chain: level 2 blocks', () => {
  it('pays the coinbase and moves funds', () => {
    const gen = new BlockGenerator(spec);
    const chain = newChain();
    const b1 = gen.next('b1', 'genesis', {
      txs: [transfer(k0, fresh, 5n * COIN, 0)],
      coinbase: a2,
    });
    expect(chain.processBlock(b1, { now: NOW }).status).toBe('accepted');
    expect(ledger(chain).get(fresh).balance).toBe(5n * COIN);
    expect(ledger(chain).get(a0).nonce).toBe(1);
    expect(ledger(chain).get(a2).balance).toBe(10_000n * COIN + spec.blockReward + spec.minFee);
  });

  // A→B then B→C where B has funds only after the first tx.
  it('an overspend chain inside one block is valid in order and invalid the other way round', () => {
    const first = transfer(k0, fresh, 3n * COIN, 0);
    const freshKey = '0x' + '42'.repeat(32);
    const second = signTx(
      { to: a1, amount: 2n * COIN, fee: spec.minFee, nonce: 0, chainId: spec.chainId },
      freshKey,
    );
    const inOrder = new BlockGenerator(spec).next('b1', 'genesis', { txs: [first, second] });
    const reversed = new BlockGenerator(spec).next('b1', 'genesis', { txs: [second, first] });
    const c1 = newChain();
    expect(c1.processBlock(inOrder, { now: NOW }).status).toBe('accepted');
    const c2 = newChain();
    const r = c2.processBlock(reversed, { now: NOW });
    expect(r.status).toBe('invalid');
    expect(r.error?.code).toBe('INSUFFICIENT_FUNDS');
    expect(c2.height).toBe(0);
    expect(ledger(c2).get(a0).balance).toBe(10_000n * COIN); // nothing of the block stuck
  });

  describe('rejections, one code per rule', () => {
    const gen = new BlockGenerator(spec);
    const good = transfer(k0, a1, COIN, 0);
    const cases: [string, () => TxBlock, string][] = [
      [
        'tampered amount (bad signature)',
        () => gen.next('x1', 'genesis', { txs: [{ ...good, amount: 2n * COIN }] }) as TxBlock,
        'INVALID_SIGNATURE',
      ],
      [
        'tx for another chain',
        () =>
          gen.next('x2', 'genesis', {
            txs: [signTx({ to: a1, amount: COIN, fee: 1n, nonce: 0, chainId: 7 }, k0)],
          }) as TxBlock,
        'WRONG_CHAIN',
      ],
      // a second tx with the nonce the first one used
      [
        'replayed nonce',
        () => gen.next('x3', 'genesis', { txs: [good, transfer(k0, a2, COIN, 0)] }) as TxBlock,
        'BAD_NONCE',
      ],
      [
        'spending more than the balance',
        () => gen.next('x4', 'genesis', { txs: [transfer(k0, a1, 20_000n * COIN, 0)] }) as TxBlock,
        'INSUFFICIENT_FUNDS',
      ],
      [
        'duplicate tx',
        () => gen.next('x5', 'genesis', { txs: [good, good] }) as TxBlock,
        'DUPLICATE_TX',
      ],
      [
        'coinbase claims more than reward + fees',
        () => {
          const b = gen.next('x6', 'genesis', { txs: [good] }) as TxBlock;
          const coinbase = { ...b.txs[0]!, amount: b.txs[0]!.amount + 1n };
          return solveBlock(
            assembleBlock({ ...b.header, height: 1 }, { txs: [coinbase, ...b.txs.slice(1)] }),
          ) as TxBlock;
        },
        'BAD_COINBASE_AMOUNT',
      ],
      [
        'no coinbase',
        () => {
          const b = gen.next('x7', 'genesis', { txs: [good] }) as TxBlock;
          return solveBlock(
            assembleBlock({ ...b.header, height: 1 }, { txs: b.txs.slice(1) }),
          ) as TxBlock;
        },
        'NO_COINBASE',
      ],
    ];
    it.each(cases)('%s → %s', (_name, make, code) => {
      const chain = newChain();
      const before = ledger(chain).serialize();
      const r = chain.processBlock(make(), { now: NOW });
      expect(r.status).toBe('invalid');
      expect(r.error?.code).toBe(code);
      expect(chain.height).toBe(0);
      expect(ledger(chain).serialize()).toBe(before);
    });
  });

  it('a reorg undoes the losing branch and applies the winner: state = replaying the winner alone (property)', () => {
    // Two branches from genesis with random transfers; deliver all blocks in a random
    // order: the final state must equal a fresh chain fed only the winning branch.
    const keys = spec.devKeys.slice(0, 4);
    const branchTxs = (seed: number, length: number): TransferTx[][] => {
      const nonces = new Map<string, number>();
      return Array.from({ length }, (_, h) =>
        Array.from({ length: 1 + ((seed + h) % 3) }, (_, i) => {
          const from = keys[(seed + h + i) % keys.length]!;
          const addr = privateKeyToAddress(from);
          const nonce = nonces.get(addr) ?? 0;
          nonces.set(addr, nonce + 1);
          return transfer(
            from,
            privateKeyToAddress(keys[(seed + h + i + 1) % keys.length]!),
            BigInt(1 + ((seed * 7 + h + i) % 50)) * COIN,
            nonce,
          );
        }),
      );
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(1000),
        (lenA, lenB, seed) => {
          const gen = new BlockGenerator(spec);
          const a = branchTxs(seed, lenA).map((txs, i) =>
            gen.next(`a${i}`, i === 0 ? 'genesis' : `a${i - 1}`, { txs, coinbase: a0 }),
          );
          const b = branchTxs(seed + 1, lenB).map((txs, i) =>
            gen.next(`b${i}`, i === 0 ? 'genesis' : `b${i - 1}`, { txs, coinbase: a1 }),
          );
          const chain = newChain();
          // deliver A fully, then B: if B is longer, its arrival forces a reorg
          for (const blk of [...a, ...b]) chain.processBlock(blk, { now: NOW });
          const winner = lenB > lenA ? b : a;
          const replay = newChain();
          for (const blk of winner) replay.processBlock(blk, { now: NOW });
          expect(chain.tip.hash).toBe(winner.at(-1)!.hash);
          expect(ledger(chain).serialize()).toBe(ledger(replay).serialize());
        },
      ),
      { numRuns: 25 },
    );
  });
});
