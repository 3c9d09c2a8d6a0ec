// The field rules of every tx, shared by the binary codec, the JSON codec, the coinbase
// and the state: widths (u32, u64, u128), hex data, and the value rules of each kind.
import { isHex } from './bytes.js';
import { MAX_U128 } from './coins.js';
import { RuleError } from './errors.js';
import type { Tx } from './types.js';

/** Codec bound on a contract tx's data (block size and gas bound it far earlier). */
export const MAX_TX_DATA_BYTES = 1 << 20;
const MAX_U32 = 0xffffffff;
const MAX_U64 = (1n << 64n) - 1n;

export function checkU32(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_U32) {
    throw new RuleError('MALFORMED_TX', `${field} must be an integer in [0, 2^32-1]`);
  }
}

export function checkNonce(value: unknown): asserts value is number {
  // u64 on the wire, but a JS number: the safe-integer range is the real limit (2^53-1 txs).
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RuleError('MALFORMED_TX', 'nonce must be a non-negative safe integer');
  }
}

export function checkU128(value: unknown, field: string): asserts value is bigint {
  if (typeof value !== 'bigint') throw new RuleError('MALFORMED_TX', `${field} must be a bigint`);
  if (value < 0n || value > MAX_U128)
    throw new RuleError('AMOUNT_OUT_OF_RANGE', `${field} is outside [0, 2^128-1]`);
}

export function checkGasLimit(value: unknown): asserts value is bigint {
  if (typeof value !== 'bigint') throw new RuleError('MALFORMED_TX', 'gasLimit must be a bigint');
  if (value < 0n || value > MAX_U64)
    throw new RuleError('GAS_LIMIT', 'gasLimit is outside [0, 2^64-1]');
}

export function checkData(
  value: unknown,
  field: string,
  exactBytes?: number,
): asserts value is string {
  if (!isHex(value, exactBytes))
    throw new RuleError(
      'MALFORMED_TX',
      exactBytes === undefined
        ? `${field} must be 0x-prefixed hex with an even number of digits`
        : `${field} must be 0x + ${exactBytes} bytes of hex`,
    );
  if ((value.length - 2) / 2 > MAX_TX_DATA_BYTES)
    throw new RuleError('MALFORMED_TX', `${field} is over ${MAX_TX_DATA_BYTES} bytes`);
}

/**
 * Value rules: a transfer moves 1..maxAmount and pays a fee of 0..maxAmount; a coinbase
 * mints 0..2^128-1 (0 is legal: once the subsidy is gone a block without fees still needs
 * its coinbase) with fee 0; a contract tx sends 0..maxAmount with fee 0 (it pays gas),
 * gasLimit u64, gasPrice u128. Throws AMOUNT_OUT_OF_RANGE / MALFORMED_TX / GAS_LIMIT.
 */
export function checkTxAmounts(tx: Tx, maxAmount: bigint = MAX_U128): void {
  checkU128(tx.amount, 'amount');
  checkU128(tx.fee, 'fee');
  if (tx.kind === 'coinbase') {
    if (tx.fee !== 0n) throw new RuleError('MALFORMED_TX', 'a coinbase pays no fee');
    return;
  }
  if (tx.kind === 'contract') {
    if (tx.fee !== 0n)
      throw new RuleError(
        'MALFORMED_TX',
        'a contract tx pays gasUsed × gasPrice: its fee must be 0',
      );
    if (tx.amount > maxAmount)
      throw new RuleError(
        'AMOUNT_OUT_OF_RANGE',
        `amount must be in [0, ${maxAmount}], got ${tx.amount}`,
      );
    checkGasLimit(tx.gasLimit);
    checkU128(tx.gasPrice, 'gasPrice');
    return;
  }
  if (tx.amount <= 0n || tx.amount > maxAmount) {
    throw new RuleError(
      'AMOUNT_OUT_OF_RANGE',
      `amount must be in [1, ${maxAmount}], got ${tx.amount}`,
    );
  }
  if (tx.fee > maxAmount)
    throw new RuleError('AMOUNT_OUT_OF_RANGE', `fee must be in [0, ${maxAmount}], got ${tx.fee}`);
}
