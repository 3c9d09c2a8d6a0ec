// Level-3 block templates: a miner cannot know a block's fees or its post-state root
// without running its txs, so the template executes the candidates on the tip state
// (changing nothing), keeps those a valid block may contain, and puts the resulting state
// root in the coinbase. Mirrors core's blockTemplate for level 2.
import {
  blockSubsidy,
  blockTemplate,
  checkContractTx,
  checkTxAmounts,
  isRuleError,
  txSize,
  txid as txidOf,
  type Block,
  type Chain,
  type Tx,
} from '@chainlab/core';
import { toExecTx, type EvmMachine } from './machine.js';
import type { Receipt } from './types.js';

export interface EvmTemplateOptions {
  /** Block time; raised to median-time-past + 1 if too old. Contracts see it (TIMESTAMP), so the template is only valid for this time. */
  time: number;
  /** Candidate txs (transfers and contract txs) in inclusion order, e.g. the mempool's /unprocessed. */
  txs?: Tx[];
  /** Who gets the coinbase. */
  coinbase: string;
  /** Room kept for the header and the coinbase when filling the block (bytes). Default 300. */
  reserveBytes?: number;
}

export interface EvmTemplate {
  /** The block to mine (nonce 0): its coinbase claims subsidy + fees and carries the state root. */
  block: Block;
  /** Receipts of the included txs, in block order. */
  receipts: Receipt[];
  /** Candidates left out and why (RuleError code): e.g. BAD_NONCE, INSUFFICIENT_FUNDS, GAS_LIMIT, BLOCK_TOO_LARGE. */
  skipped: { tx: Tx; code: string; message: string }[];
  gasUsed: bigint;
  fees: bigint;
  stateRoot: string;
}

export interface BlockPayload {
  txs: Tx[];
  receipts: Receipt[];
  skipped: { tx: Tx; code: string; message: string }[];
  fees: bigint;
  gasUsed: bigint;
  stateRoot: string;
}

/**
 * Executes `candidates` as the txs of block `height` on top of the machine's state (which
 * must be the parent's) and returns what a valid block carries: the included txs, their
 * fees and the state root after the coinbase credit of subsidy + fees. Changes nothing.
 */
export function buildBlockPayload(
  machine: EvmMachine,
  block: {
    height: number;
    prevHash: string;
    time: number;
    coinbase: string;
    txs: Tx[];
    maxBytes?: number;
  },
): BlockPayload {
  const spec = machine.spec;
  if (machine.height !== block.height - 1)
    throw new Error(
      `the EVM state is at height ${machine.height}, a template for ${block.height} needs its parent's`,
    );
  const skipped: BlockPayload['skipped'] = [];
  const candidates: Tx[] = [];
  let bytes = 0;
  for (const tx of block.txs) {
    try {
      if (tx.kind === 'coinbase')
        throw Object.assign(new Error('a coinbase is not a candidate'), {
          code: 'MULTIPLE_COINBASE',
        });
      checkTxAmounts(tx, spec.maxAmount);
      if (tx.kind === 'contract') checkContractTx(tx, spec);
      if (tx.chainId !== spec.chainId)
        throw Object.assign(new Error(`tx is for chain ${tx.chainId}`), { code: 'WRONG_CHAIN' });
      const size = txSize(tx) + 3;
      if (block.maxBytes !== undefined && bytes + size > block.maxBytes)
        throw Object.assign(new Error('the block is full'), { code: 'BLOCK_TOO_LARGE' });
      bytes += size;
      candidates.push(tx);
    } catch (e) {
      const code = isRuleError(e) ? e.code : ((e as { code?: string }).code ?? 'MALFORMED_TX');
      skipped.push({ tx, code, message: (e as Error).message });
    }
  }
  const result = machine.runTemplate({
    height: block.height,
    hash: '',
    prevHash: block.prevHash,
    time: block.time,
    coinbase: block.coinbase,
    subsidy: blockSubsidy(block.height, spec),
    txs: candidates.map((tx) => toExecTx(tx, txidOf(tx))),
  });
  for (const s of result.skipped)
    skipped.push({ tx: candidates[s.index]!, code: s.code, message: s.message });
  return {
    txs: result.included.map((i) => candidates[i]!),
    receipts: result.receipts,
    skipped,
    fees: result.fees,
    gasUsed: result.gasUsed,
    stateRoot: result.stateRoot,
  };
}

/**
 * A level-3 block on the chain's tip with bits, time and a payload the rules accept:
 * the coinbase claims subsidy + fees and carries the post-state root. `machine` must be
 * the chain's state machine (its state is the tip's). Nonce 0: solve it like any template.
 */
export function evmBlockTemplate(
  chain: Chain,
  machine: EvmMachine,
  options: EvmTemplateOptions,
): EvmTemplate {
  const parent = chain.tip;
  const height = parent.height + 1;
  const time = Math.max(options.time, chain.medianTimePastAt(parent) + 1);
  const maxBytes = chain.spec.maxBlockBytes - (options.reserveBytes ?? 300);
  const payload = buildBlockPayload(machine, {
    height,
    prevHash: parent.hash,
    time,
    coinbase: options.coinbase,
    txs: options.txs ?? [],
    maxBytes,
  });
  const block = blockTemplate(chain, {
    parent,
    time,
    txs: payload.txs,
    coinbase: options.coinbase,
    fees: payload.fees,
    stateRoot: payload.stateRoot,
  });
  return {
    block,
    receipts: payload.receipts,
    skipped: payload.skipped,
    gasUsed: payload.gasUsed,
    fees: payload.fees,
    stateRoot: payload.stateRoot,
  };
}
