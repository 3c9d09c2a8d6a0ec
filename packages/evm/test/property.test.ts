// Determinism: two independent EvmMachines fed the same 100 random contract txs agree on
// the state root after every block (the second one validates the first one's blocks, whose
// coinbases commit to its roots), and re-executing them in a different split into blocks
// gives the same final state; undoing blocks restores the state root exactly.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractAddress, type Tx } from '@chainlab/core';
import { encodeCall, encodeDeploy, type CompiledContract } from '@chainlab/evm';
import { GWEI, Harness, exampleContract } from './helpers.js';

let counter: CompiledContract;
let token: CompiledContract;
beforeAll(() => {
  counter = exampleContract('counter/Counter.sol');
  token = exampleContract('token/Token.sol');
});

const SENDERS = 4;
const TXS = 100;

type Op =
  | { op: 'deployCounter' }
  | { op: 'deployToken'; supply: bigint }
  | {
      op: 'counter';
      fn: 'increment()' | 'fail()' | 'spin()' | 'invalid()' | 'reset()';
      target: number;
    }
  | { op: 'add'; n: bigint; target: number }
  | { op: 'tokenTransfer'; to: number; value: bigint; target: number }
  | { op: 'pay'; to: number; value: bigint };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.constant({ op: 'deployCounter' as const }), weight: 1 },
  {
    arbitrary: fc
      .bigInt({ min: 0n, max: 10n ** 30n })
      .map((supply) => ({ op: 'deployToken' as const, supply })),
    weight: 1,
  },
  {
    arbitrary: fc
      .record({
        fn: fc.constantFrom(
          'increment()',
          'fail()',
          'spin()',
          'invalid()',
          'reset()',
        ) as fc.Arbitrary<'increment()'>,
        target: fc.nat(),
      })
      .map((r) => ({ op: 'counter' as const, ...r })),
    weight: 4,
  },
  {
    arbitrary: fc
      .record({ n: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), target: fc.nat() })
      .map((r) => ({ op: 'add' as const, ...r })),
    weight: 2,
  },
  {
    arbitrary: fc
      .record({
        to: fc.nat({ max: SENDERS + 2 }),
        value: fc.bigInt({ min: 0n, max: 10n ** 25n }),
        target: fc.nat(),
      })
      .map((r) => ({ op: 'tokenTransfer' as const, ...r })),
    weight: 4,
  },
  {
    arbitrary: fc
      .record({ to: fc.nat({ max: SENDERS + 2 }), value: fc.bigInt({ min: 0n, max: 10n ** 18n }) })
      .map((r) => ({ op: 'pay' as const, ...r })),
    weight: 2,
  },
);

interface Step {
  sender: number;
  gasPrice: bigint;
  gasLimit: bigint;
  op: Op;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  sender: fc.nat({ max: SENDERS - 1 }),
  // At least the base fee of block 1 (the fee floor per gas): a lower price cannot be in a block.
  gasPrice: fc.constantFrom(GWEI / 10n, GWEI, 7n * GWEI),
  gasLimit: fc.constantFrom(30_000n, 80_000n, 300_000n, 1_000_000n),
  op: opArb,
});

/** Turns random steps into 100 valid signed txs (nonces in order, targets among deployed contracts). */
function buildTxs(h: Harness, steps: Step[]): Tx[] {
  const counters: string[] = [];
  const tokens: string[] = [];
  const nonces = new Array<number>(SENDERS).fill(0);
  const pick = (list: string[], i: number, fallback: string) =>
    list.length === 0 ? fallback : list[i % list.length]!;
  return steps.map(({ sender, gasPrice, gasLimit, op }) => {
    const nonce = nonces[sender]!++;
    const from = h.addresses[sender]!;
    const other = (i: number) =>
      i < SENDERS + 1
        ? h.addresses[i]!
        : '0x00000000000000000000000000000000000000' + i.toString(16).padStart(2, '0');
    const tx = (to: string | null, data: string, gas = gasLimit, amount = 0n) =>
      h.contractTx(sender, to, data, { nonce, gasPrice, gasLimit: gas, amount });
    switch (op.op) {
      case 'deployCounter':
        counters.push(contractAddress(from, nonce));
        return tx(null, encodeDeploy(counter), gasLimit < 300_000n ? 300_000n : gasLimit);
      case 'deployToken':
        tokens.push(contractAddress(from, nonce));
        return tx(null, encodeDeploy(token, ['T', 'T', op.supply.toString()]), 1_000_000n);
      case 'counter':
        // spin() burns its whole gasLimit: keep it small so the run stays fast.
        return tx(
          pick(counters, op.target, other(SENDERS + 2)),
          encodeCall(op.fn),
          op.fn === 'spin()' ? 60_000n : gasLimit,
        );
      case 'add':
        return tx(
          pick(counters, op.target, other(SENDERS + 2)),
          encodeCall('add(uint256)', [op.n.toString()]),
          gasLimit,
        );
      case 'tokenTransfer':
        return tx(
          pick(tokens, op.target, other(SENDERS + 2)),
          encodeCall('transfer(address,uint256)', [other(op.to), op.value.toString()]),
          gasLimit,
        );
      case 'pay':
        return tx(other(op.to), '0x', gasLimit, op.value);
      default:
        throw new Error('unknown op');
    }
  });
}

/** Splits txs into consecutive (possibly empty) chunks at the given cut points. */
function split(txs: Tx[], cuts: number[]): Tx[][] {
  const points = [...new Set(cuts.map((c) => c % (txs.length + 1)))].sort((x, y) => x - y);
  const out: Tx[][] = [];
  let start = 0;
  for (const p of points) {
    out.push(txs.slice(start, p));
    start = p;
  }
  out.push(txs.slice(start));
  return out;
}

describe('two independent EvmMachines agree', () => {
  const machines: Harness[] = [];
  afterAll(() => machines.forEach((m) => m.close()));

  it('on the state root after every block of 100 random contract txs; undo restores each root', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: TXS, maxLength: TXS }),
        fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
        fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
        (steps, cutsA, cutsB) => {
          const a = new Harness();
          const b = new Harness();
          const c = new Harness();
          machines.push(a, b, c);
          const txs = buildTxs(a, steps);
          // a builds blocks; b validates them (every coinbase commits to a's state root).
          const rootsBefore: string[] = [];
          const rootsAfter: string[] = [];
          const blocks = split(txs, cutsA).map((chunk) => {
            rootsBefore.push(a.machine.stateRoot());
            const { block, receipts } = a.mine(chunk);
            expect(receipts).toHaveLength(chunk.length);
            rootsAfter.push(a.machine.stateRoot());
            return block;
          });
          blocks.forEach((block, i) => {
            expect(b.process(block).status).toBe('accepted');
            expect(b.machine.stateRoot()).toBe(rootsAfter[i]);
          });
          expect(b.machine.stateRoot()).toBe(a.machine.stateRoot());
          expect(b.machine.dump()).toEqual(a.machine.dump());
          // c executes the same txs split differently into the same number of blocks: same state.
          const chunks = split(txs, cutsB);
          while (chunks.length < blocks.length) chunks.push([]);
          while (chunks.length > blocks.length) {
            const last = chunks.pop()!;
            chunks[chunks.length - 1] = [...chunks[chunks.length - 1]!, ...last];
          }
          for (const chunk of chunks) c.mine(chunk);
          expect(c.machine.stateRoot()).toBe(a.machine.stateRoot());
          // Undo block by block (invalidate the tip each time): each root comes back exactly.
          for (let i = blocks.length - 1; i >= 0; i--) {
            b.chain.invalidateBlock(blocks[i]!.hash);
            expect(b.machine.stateRoot()).toBe(rootsBefore[i]);
          }
          for (const m of [a, b, c]) m.close();
        },
      ),
      { numRuns: 2, seed: 20260701 },
    );
  });
});
