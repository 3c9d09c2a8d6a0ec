// Building blocks on top of a chain: the template a miner works on, and a plain nonce
// loop for easy targets (tests, the simulator, docs). Real mining happens in
// @chainlab/miner-worker, which is much faster.
import { assembleBlock, withNonce } from './block.js';
import { checkProofOfWork } from './pow.js';
import { createCoinbase } from './tx.js';
import { blockSubsidy } from './coins.js';
import type { Chain, ChainNode } from './chain.js';
import type { Block, Tx } from './types.js';

export interface TemplateOptions {
  parent?: ChainNode;
  /** Block time; raised to median-time-past + 1 if it would be too old. */
  time: number;
  /** Level 1 payload. */
  data?: string[];
  /** Level ≥ 2: txs after the coinbase, in inclusion order (the caller checked them). */
  txs?: Tx[];
  /** Level ≥ 2: who gets the coinbase. */
  coinbase?: string;
  /**
   * Level 3: the fees the txs pay (Σ gasUsed × gasPrice + Σ transfer fees), known only by
   * executing them; default Σ tx.fee (level 2). Use @chainlab/evm's evmBlockTemplate.
   */
  fees?: bigint;
  /** Level 3: the state root after the block, carried by the coinbase. */
  stateRoot?: string;
}

/** A block on top of `parent` (default: the tip) with bits and time the rules accept; nonce 0. */
export function blockTemplate(chain: Chain, options: TemplateOptions): Block {
  const parent = options.parent ?? chain.tip;
  const height = parent.height + 1;
  const time = Math.max(options.time, chain.medianTimePastAt(parent) + 1);
  const fields = { height, prevHash: parent.hash, time, bits: chain.nextBitsAfter(parent) };
  if (chain.spec.level === 1) return assembleBlock(fields, { data: options.data ?? [] });
  if (!options.coinbase) throw new Error('a level-2 template needs a coinbase address');
  if (chain.spec.level >= 3 && options.stateRoot === undefined)
    throw new Error(
      'a level-3 template needs the state root after its txs (see @chainlab/evm evmBlockTemplate)',
    );
  const txs = options.txs ?? [];
  const fees = options.fees ?? txs.reduce((sum, tx) => sum + tx.fee, 0n);
  const coinbase = createCoinbase(
    options.coinbase,
    blockSubsidy(height, chain.spec) + fees,
    height,
    chain.spec.chainId,
    options.stateRoot,
  );
  return assembleBlock(fields, { txs: [coinbase, ...txs] });
}

/** Tries nonces from `start` until the hash meets the target; for easy targets only. */
export function solveBlock<B extends Block>(block: B, maxTries = 1_000_000, start = 0): B {
  for (let i = 0; i < maxTries; i++) {
    const candidate = withNonce(block, (start + i) >>> 0);
    if (checkProofOfWork(candidate.hash, candidate.header.bits)) return candidate;
  }
  throw new Error(`no nonce found in ${maxTries} tries`);
}
