// EIP-1559's base fee on level 3: a function of the chain, not a header field. Block 1
// starts at the fee floor per gas (minFee / 21,000, rounded up); each later block's base
// fee follows its parent's gas use exactly as EIP-1559 computes it (target = half the
// block gas limit, at most ±12.5% per block). The base fee is a price floor: a tx offering
// less per gas cannot be in the block. It is paid to the miner with the rest of the fee,
// not burned (docs/protocol.md §12), so the coinbase rule of levels 2 and 3 is unchanged.
import type { ChainSpec } from './types.js';

export const BASE_FEE_MAX_CHANGE_DENOMINATOR = 8n;
export const ELASTICITY_MULTIPLIER = 2n;

/** The base fee of block 1: the spec's fee floor per gas (minFee / 21,000, rounded up). */
export function initialBaseFee(spec: Pick<ChainSpec, 'minFee'>): bigint {
  return (spec.minFee + 21_000n - 1n) / 21_000n;
}

/** The base fee of a block whose parent had `parentBaseFee` and used `parentGasUsed` gas (EIP-1559). */
export function nextBaseFee(
  parentBaseFee: bigint,
  parentGasUsed: bigint,
  blockGasLimit: bigint,
): bigint {
  const target = blockGasLimit / ELASTICITY_MULTIPLIER;
  if (target === 0n || parentGasUsed === target) return parentBaseFee;
  if (parentGasUsed > target) {
    const delta =
      (parentBaseFee * (parentGasUsed - target)) / target / BASE_FEE_MAX_CHANGE_DENOMINATOR;
    return parentBaseFee + (delta > 1n ? delta : 1n);
  }
  const delta =
    (parentBaseFee * (target - parentGasUsed)) / target / BASE_FEE_MAX_CHANGE_DENOMINATOR;
  return parentBaseFee - delta;
}
