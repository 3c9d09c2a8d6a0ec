// Shared test fixtures: a few keys with small, known balances, txs with or without real
// signatures, and a real Chain (core rules, LedgerMachine) to build blocks on.
import {
  Chain,
  LedgerMachine,
  LedgerState,
  blockTemplate,
  loadSpec,
  privateKeyToAddress,
  solveBlock,
  signTx,
  txid,
  type Block,
  type ChainNode,
  type ChainSpec,
  type ProcessResult,
  type TransferTx,
  type Tx,
} from '@chainlab/core';
import { TxPool, type PoolPolicy } from '../src/pool.js';

export const KEYS = Array.from(
  { length: 6 },
  (_, i) => '0x' + (i + 11).toString(16).padStart(64, '0'),
);
export const ADDR = KEYS.map((k) => privateKeyToAddress(k));
export const MINER = '0x000000000000000000000000000000000000dEaD';
export const DUMMY_SIG = '0x' + '00'.repeat(65);
export const MIN_FEE = 10n;
export const NOW = 2_000_000_000;

/** Accounts 0..2 start with 1,000 base units, 3..5 with nothing. */
export const START = 1_000n;

export function testSpec(overrides: Record<string, unknown> = {}): ChainSpec {
  const allocations: Record<string, string> = {};
  for (const a of ADDR.slice(0, 3)) allocations[a] = START.toString();
  return loadSpec({
    extends: 'devnet',
    name: 'mempool-test',
    genesis: { bits: '0x207fffff', allocations },
    retarget: { rule: 'fixed' },
    minFee: MIN_FEE.toString(),
    maxAmount: '1000000',
    blockReward: '100',
    ...overrides,
  });
}

export function genesisState(spec: ChainSpec): LedgerState {
  const state = new LedgerState();
  state.applyGenesis(spec.genesis.allocations);
  return state;
}

export function policy(spec: ChainSpec, over: Partial<PoolPolicy> = {}): PoolPolicy {
  return {
    chainId: spec.chainId,
    maxAmount: spec.maxAmount,
    minFee: spec.minFee,
    maxTxs: 1000,
    maxNonceGap: 4,
    ...over,
  };
}

export interface TxArgs {
  from: number;
  to: number;
  amount: bigint;
  fee?: bigint;
  nonce: number;
  chainId?: number;
}

/** A transfer with a dummy signature (the pool does not verify signatures). */
export function tx(a: TxArgs, spec: ChainSpec): TransferTx {
  return {
    kind: 'transfer',
    from: ADDR[a.from]!,
    to: a.to < 0 ? MINER : ADDR[a.to]!,
    amount: a.amount,
    fee: a.fee ?? MIN_FEE,
    nonce: a.nonce,
    chainId: a.chainId ?? spec.chainId,
    sig: DUMMY_SIG,
  };
}

/** A really signed transfer. */
export function signed(a: TxArgs, spec: ChainSpec): TransferTx {
  return signTx(
    {
      to: a.to < 0 ? MINER : ADDR[a.to]!,
      amount: a.amount,
      fee: a.fee ?? MIN_FEE,
      nonce: a.nonce,
      chainId: a.chainId ?? spec.chainId,
    },
    KEYS[a.from]!,
  );
}

export function addTo(pool: TxPool, t: Tx) {
  return pool.add(t, txid(t));
}

/** Applies `txs` in order to a copy of `state`; throws if any does not apply. */
export function applyAll(state: LedgerState, txs: readonly Tx[], chainId: number): LedgerState {
  const copy = state.clone();
  for (const t of txs) copy.applyTx(t, { chainId });
  return copy;
}

/** A real chain with core's rules, and a way to build blocks on any of its nodes. */
export class TestChain {
  readonly chain: Chain;
  readonly machine: LedgerMachine;
  private time: number;

  constructor(readonly spec: ChainSpec) {
    this.machine = new LedgerMachine(spec);
    this.chain = new Chain(spec, this.machine);
    this.time = spec.genesis.time;
  }

  get state(): LedgerState {
    return this.machine.state;
  }

  /** Builds (does not submit) a block with `txs` on `parent` (default the tip). */
  build(txs: Tx[] = [], parent: ChainNode = this.chain.tip): Block {
    this.time += 10;
    return solveBlock(blockTemplate(this.chain, { parent, time: this.time, txs, coinbase: MINER }));
  }

  submit(block: Block): ProcessResult {
    const result = this.chain.processBlock(block, { now: NOW });
    if (result.status !== 'accepted')
      throw new Error(
        `block refused: ${result.status} ${result.error?.code} ${result.error?.message}`,
      );
    return result;
  }

  /** Builds and submits a block on the tip. */
  mine(txs: Tx[] = []): ProcessResult {
    return this.submit(this.build(txs));
  }
}
