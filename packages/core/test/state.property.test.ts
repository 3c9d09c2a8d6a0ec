// Property tests of the ledger state machine. Transfers carry a dummy signature: the state
// does not verify signatures (block sanity checks do, before state), and skipping secp256k1
// keeps a run to milliseconds.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LedgerState, type BlockUndo } from '../src/state.js';
import { privateKeyToAddress } from '../src/address.js';
import type { CoinbaseTx, TransferTx, Tx } from '../src/types.js';

const CHAIN = 7;
const SUBSIDY = 50n;
const MAX_AMOUNT = 1_000_000n;
const USERS = [1, 2, 3, 4].map((n) => privateKeyToAddress('0x' + n.toString(16).padStart(64, '0')));
const MINER = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
const EVERYONE = [...USERS, MINER];
const DUMMY_SIG = '0x' + '00'.repeat(65);

interface TxIntent {
  from: number;
  to: number;
  amount: bigint;
  fee: bigint;
  nonceSkew: number;
  otherChain: boolean;
  /** When set, spend the sender's whole balance (as of the block's start) minus the fee, plus this: probes the exact edge. */
  drain?: bigint | null;
}

interface BlockIntent {
  txs: TxIntent[];
  coinbaseExtra: bigint;
  badHeight: boolean;
}

const validTxIntent = fc.record({
  from: fc.nat(USERS.length - 1),
  to: fc.nat(EVERYONE.length - 1),
  amount: fc.bigInt(1n, 400n),
  fee: fc.bigInt(0n, 5n),
  nonceSkew: fc.constant(0),
  otherChain: fc.constant(false),
});

// Mostly plausible txs, with every kind of invalid one mixed in.
const anyTxIntent = fc.record({
  from: fc.nat(USERS.length - 1),
  to: fc.nat(EVERYONE.length - 1),
  amount: fc.oneof(
    { arbitrary: fc.bigInt(1n, 400n), weight: 8 },
    { arbitrary: fc.bigInt(-3n, 0n), weight: 1 },
    { arbitrary: fc.constantFrom(MAX_AMOUNT, MAX_AMOUNT + 1n, 1n << 200n), weight: 1 },
  ),
  fee: fc.oneof(
    { arbitrary: fc.bigInt(0n, 5n), weight: 8 },
    { arbitrary: fc.constantFrom(-1n, MAX_AMOUNT + 1n), weight: 1 },
  ),
  nonceSkew: fc.oneof(
    { arbitrary: fc.constant(0), weight: 8 },
    { arbitrary: fc.constantFrom(-1, 1), weight: 1 },
  ),
  otherChain: fc.oneof(
    { arbitrary: fc.constant(false), weight: 15 },
    { arbitrary: fc.constant(true), weight: 1 },
  ),
  drain: fc.option(fc.bigInt(-2n, 2n), { freq: 3 }),
});

const anyBlockIntent = fc.record({
  txs: fc.array(anyTxIntent, { maxLength: 8 }),
  coinbaseExtra: fc.oneof(
    { arbitrary: fc.constant(0n), weight: 6 },
    { arbitrary: fc.bigInt(-60n, 3n), weight: 2 },
  ),
  badHeight: fc.oneof(
    { arbitrary: fc.constant(false), weight: 15 },
    { arbitrary: fc.constant(true), weight: 1 },
  ),
});

function genesis(): LedgerState {
  const s = new LedgerState();
  s.applyGenesis(Object.fromEntries(USERS.map((a, i) => [a, BigInt(500 * (i + 1))])));
  return s;
}

function transfer(state: LedgerState, pending: Map<string, number>, t: TxIntent): TransferTx {
  const from = USERS[t.from]!;
  const nonce = state.get(from).nonce + (pending.get(from) ?? 0) + t.nonceSkew;
  pending.set(from, (pending.get(from) ?? 0) + 1);
  return {
    kind: 'transfer',
    from,
    to: EVERYONE[t.to]!,
    amount: t.drain != null ? state.get(from).balance - t.fee + t.drain : t.amount,
    fee: t.fee,
    nonce: Math.max(0, nonce),
    chainId: t.otherChain ? CHAIN + 1 : CHAIN,
    sig: DUMMY_SIG,
  };
}

function coinbase(height: number, amount: bigint): CoinbaseTx {
  return {
    kind: 'coinbase',
    from: null,
    to: MINER,
    amount,
    fee: 0n,
    nonce: height,
    chainId: CHAIN,
    sig: null,
  };
}

/** Builds a block the state must accept: intents that would fail on a scratch copy are dropped. */
function validBlock(
  state: LedgerState,
  height: number,
  intents: TxIntent[],
  claimAll: boolean,
): Tx[] {
  const scratch = state.clone();
  const txs: Tx[] = [];
  let fees = 0n;
  for (const intent of intents) {
    const tx = transfer(scratch, new Map(), intent); // the scratch copy holds the running nonces
    try {
      fees += scratch.applyTx(tx, { chainId: CHAIN, maxAmount: MAX_AMOUNT });
      txs.push(tx);
    } catch {
      // dropped: it would not apply at this point of the block
    }
  }
  return [coinbase(height, claimAll ? SUBSIDY + fees : SUBSIDY), ...txs];
}

function anyBlock(state: LedgerState, height: number, intent: BlockIntent): Tx[] {
  const pending = new Map<string, number>();
  const txs = intent.txs.map((t) => transfer(state, pending, t));
  const fees = txs.reduce((s, t) => s + t.fee, 0n);
  return [
    coinbase(intent.badHeight ? height + 1 : height, SUBSIDY + fees + intent.coinbaseExtra),
    ...txs,
  ];
}

const ctx = (height: number) => ({
  height,
  chainId: CHAIN,
  subsidy: SUBSIDY,
  maxAmount: MAX_AMOUNT,
});

function assertNoNegative(state: LedgerState): void {
  for (const a of state.snapshot()) {
    expect(a.balance >= 0n).toBe(true);
    expect(Number.isSafeInteger(a.nonce) && a.nonce >= 0).toBe(true);
  }
}

describe('ledger state properties', () => {
  it('(a) applying then undoing any sequence of valid blocks restores the state byte for byte', () => {
    let transfers = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ txs: fc.array(validTxIntent, { maxLength: 8 }), claimAll: fc.boolean() }),
          { minLength: 1, maxLength: 10 },
        ),
        (blocks) => {
          const state = genesis();
          const history: { before: string; undo: BlockUndo }[] = [];
          blocks.forEach((b, i) => {
            const before = state.serialize();
            const txs = validBlock(state, i + 1, b.txs, b.claimAll);
            transfers += txs.length - 1;
            const { undo, changed } = state.applyBlockTxs(txs, ctx(i + 1));
            // `changed` holds the new value of every touched account: what a node persists.
            for (const c of changed) expect(c.account).toEqual(state.get(c.address));
            history.push({ before, undo });
          });
          while (history.length > 0) {
            const { before, undo } = history.pop()!;
            state.undoBlock(undo);
            expect(state.serialize()).toBe(before);
          }
          expect(state.serialize()).toBe(genesis().serialize());
        },
      ),
      { numRuns: 100 },
    );
    expect(transfers).toBeGreaterThan(1000); // most intents survive: the blocks are not trivially empty
  });

  it('(b) no sequence of blocks accepted by applyBlockTxs yields a negative balance; rejected blocks change nothing', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(fc.array(anyBlockIntent, { minLength: 1, maxLength: 10 }), (blocks) => {
        const state = genesis();
        let height = 1;
        for (const intent of blocks) {
          const txs = anyBlock(state, height, intent);
          const before = state.serialize();
          const supplyBefore = state.totalSupply();
          try {
            const r = state.applyBlockTxs(txs, ctx(height));
            accepted++;
            height++;
            // Coins are conserved: fees leave the senders, the coinbase mints at most subsidy + fees.
            expect(state.totalSupply()).toBe(supplyBefore - r.fees + txs[0]!.amount);
            expect(txs[0]!.amount <= r.subsidy + r.fees).toBe(true);
          } catch (e) {
            rejected++;
            expect((e as Error).name).toBe('RuleError');
            expect(state.serialize()).toBe(before);
          }
          assertNoNegative(state);
        }
      }),
      { numRuns: 100 },
    );
    // The generator must exercise both outcomes, or the property says little.
    expect(accepted).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(50);
  });
});
