// One error type for every consensus and policy rule, with one code per rule (as btcd's
// RuleError). Apps map codes to HTTP errors; tests assert on codes, never on messages.

export const RULE_CODES = [
  // encoding / shape
  'MALFORMED_BLOCK',
  'MALFORMED_TX',
  'INVALID_ADDRESS',
  'INVALID_PRIVATE_KEY', // not 32 bytes in [1, n-1] (wallet import, signing)
  // header rules
  'BAD_BITS', // compact target negative, overflowing, zero, or above the spec's pow limit
  'HIGH_HASH', // header hash above its target
  'BAD_DIFFICULTY', // bits differ from what the retarget rule requires
  'TIME_TOO_OLD', // time not above the median of the previous 11 blocks
  'TIME_TOO_NEW', // time beyond now + max future drift
  'BAD_VERSION',
  // block body rules
  'BAD_MERKLE_ROOT',
  'BLOCK_TOO_LARGE',
  'BAD_DATA_ITEM',
  'NO_COINBASE',
  'MULTIPLE_COINBASE',
  'BAD_COINBASE',
  'BAD_COINBASE_AMOUNT',
  'DUPLICATE_TX',
  'BAD_STATE_ROOT',
  // tree rules
  'DUPLICATE_BLOCK',
  'INVALID_PARENT', // descends from a block known to be invalid
  'BAD_GENESIS',
  'UNKNOWN_BLOCK',
  // transaction rules (also the mempool's error codes)
  'INVALID_SIGNATURE',
  'WRONG_CHAIN',
  'BAD_NONCE',
  'INSUFFICIENT_FUNDS',
  'AMOUNT_OUT_OF_RANGE',
  'FEE_TOO_LOW',
  'TX_NOT_ALLOWED', // tx kind not allowed at this chain level
  'GAS_LIMIT',
] as const;

export type RuleCode = (typeof RULE_CODES)[number];

export class RuleError extends Error {
  override readonly name = 'RuleError';
  constructor(
    readonly code: RuleCode,
    message: string,
  ) {
    super(message);
  }
}

export function isRuleError(e: unknown): e is RuleError {
  return e instanceof RuleError;
}

/** Throws a RuleError when `condition` is false. Keeps validation code flat and readable. */
export function ensure(condition: unknown, code: RuleCode, message: string): asserts condition {
  if (!condition) throw new RuleError(code, message);
}
