// Level 3 (contracts) in the pool: what a pending tx costs, what it pays, and the
// stateless rules a contract tx must meet to enter. Pure: no EVM runs here — the mempool
// checks what a block could never hold, the miner's template executes the rest.
//
// One scale for every fee: a tx's *fee level* is what it pays per 21,000 gas (a plain
// transfer's gas). A level-2 transfer pays its flat `fee`; a contract tx pays gasUsed ×
// gasPrice, so its level is gasPrice × 21,000. The fee floor (minFee), replacements (a
// higher level), eviction (the lowest level leaves) and the inclusion order (highest
// level first) all compare fee levels, so transfers and contract txs compete fairly.
import {
  contractAddress,
  intrinsicGas,
  MAX_INITCODE_BYTES,
  TX_BASE_GAS,
  upfrontCost,
  type ContractTx,
  type TransferTx,
} from '@chainlab/core';
import { MempoolError } from './errors.js';

/** The txs the pool holds: level-2 transfers, and at level 3 contract txs. */
export type PoolTx = TransferTx | ContractTx;

/** What a tx pays per 21,000 gas (see above). */
export function feeLevel(tx: PoolTx): bigint {
  return tx.kind === 'contract' ? tx.gasPrice * TX_BASE_GAS : tx.fee;
}

/**
 * What the sender must hold for the tx, the most it can lose: amount + fee for a transfer,
 * amount + gasLimit × gasPrice for a contract tx (the unused gas comes back once mined,
 * so the pending balance is a lower bound of what the chain will show).
 */
export function costOf(tx: PoolTx): bigint {
  return tx.kind === 'contract' ? upfrontCost(tx) : tx.amount + tx.fee;
}

/**
 * Who the value goes to: the recipient, or for a deploy the contract's CREATE address
 * (known before it is mined). Lowercase. The pending state credits `amount` there as if
 * the call succeeds; a failed call leaves it with the sender, which only the chain knows.
 */
export function recipientOf(tx: PoolTx): string {
  return (tx.to ?? contractAddress(tx.from, tx.nonce)).toLowerCase();
}

export interface ContractPolicy {
  /** The spec's blockGasLimit. */
  blockGasLimit: bigint;
  /** The spec's minFee: a contract tx's fee level (gasPrice × 21,000) must reach it. */
  minFee: bigint;
}

/**
 * The rules of a contract tx that need no state, as /pushtx codes (docs/api.md has no
 * GAS_LIMIT): a gasLimit above the block gas limit, or init code over 49,152 bytes
 * (EIP-3860), is TOO_LARGE — no block could hold the tx; a gasLimit below the intrinsic
 * gas, or a gasPrice under the floor, is FEE_TOO_LOW — the tx does not pay enough.
 */
export function checkContractAdmission(tx: ContractTx, policy: ContractPolicy): void {
  if (tx.to === null && (tx.data.length - 2) / 2 > MAX_INITCODE_BYTES)
    throw new MempoolError(
      'TOO_LARGE',
      `init code is ${(tx.data.length - 2) / 2} bytes, over the ${MAX_INITCODE_BYTES}-byte limit (EIP-3860)`,
    );
  if (tx.gasLimit > policy.blockGasLimit)
    throw new MempoolError(
      'TOO_LARGE',
      `gasLimit ${tx.gasLimit} is above the block gas limit ${policy.blockGasLimit}: no block can hold this tx`,
    );
  const intrinsic = intrinsicGas(tx);
  if (tx.gasLimit < intrinsic)
    throw new MempoolError(
      'FEE_TOO_LOW',
      `gasLimit ${tx.gasLimit} is below the intrinsic gas ${intrinsic} of this tx (21,000 + its data${tx.to === null ? ' + 32,000 for a deploy' : ''})`,
    );
  if (feeLevel(tx) < policy.minFee) {
    const floor = (policy.minFee + TX_BASE_GAS - 1n) / TX_BASE_GAS;
    throw new MempoolError(
      'FEE_TOO_LOW',
      `gasPrice ${tx.gasPrice} is below the minimum ${floor} (gasPrice × 21,000 must reach minFee ${policy.minFee})`,
    );
  }
}
