// The mempool's refusal codes (docs/api.md, POST /pushtx) and how core's rule codes map onto
// them. Every refusal is a MempoolError with exactly one of these codes; the routes
// answer it as `400 {"error": {"code", "message"}}`.
import { isRuleError, type RuleCode } from '@chainlab/core';

export const PUSHTX_CODES = [
  'INVALID_JSON',
  'INVALID_SIGNATURE',
  'WRONG_CHAIN',
  'BAD_NONCE',
  'INSUFFICIENT_FUNDS',
  'AMOUNT_OUT_OF_RANGE',
  'DUPLICATE',
  'FEE_TOO_LOW',
  'POOL_FULL',
  'TOO_LARGE',
] as const;

export type PushTxCode = (typeof PUSHTX_CODES)[number];

export class MempoolError extends Error {
  override readonly name = 'MempoolError';
  constructor(
    readonly code: PushTxCode,
    message: string,
  ) {
    super(message);
  }
}

export function isMempoolError(e: unknown): e is MempoolError {
  return e instanceof MempoolError;
}

/**
 * Core rule codes → /pushtx codes. The codes core shares with docs/api.md pass through; the
 * others say "this is not a well-formed transfer" and become INVALID_JSON:
 *   MALFORMED_TX     (missing/unknown field, bad hex, bad integer)  → INVALID_JSON
 *   INVALID_ADDRESS  (not 0x + 40 hex, bad EIP-55 checksum)         → INVALID_JSON
 *   TX_NOT_ALLOWED   (a contract tx on a ledger chain)              → INVALID_JSON
 *   GAS_LIMIT        (level 3: over the block gas limit)            → TOO_LARGE
 * (contract-rules.ts refines GAS_LIMIT: a gasLimit below the intrinsic gas is FEE_TOO_LOW.)
 * A coinbase pushed as a tx is refused as INVALID_SIGNATURE (it carries none).
 */
export function pushTxCode(code: RuleCode | string): PushTxCode {
  switch (code) {
    case 'INVALID_SIGNATURE':
    case 'WRONG_CHAIN':
    case 'BAD_NONCE':
    case 'INSUFFICIENT_FUNDS':
    case 'AMOUNT_OUT_OF_RANGE':
    case 'FEE_TOO_LOW':
      return code;
    case 'GAS_LIMIT':
      return 'TOO_LARGE';
    default:
      return 'INVALID_JSON';
  }
}

/** A core RuleError as a MempoolError; anything else is rethrown (a bug, not bad input). */
export function fromRuleError(e: unknown): MempoolError {
  if (e instanceof MempoolError) return e;
  if (isRuleError(e)) return new MempoolError(pushTxCode(e.code), e.message);
  throw e;
}
