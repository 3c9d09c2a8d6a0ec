// Money: amounts in base units, their decimal coin notation, and the issuance schedule.
// All integer arithmetic: a float cannot hold 10^18-scale amounts exactly.
import { RuleError } from './errors.js';
import type { ChainSpec } from './types.js';

/** The largest value the u128 amount and fee fields can encode. */
export const MAX_U128 = (1n << 128n) - 1n;

const COINS_RE = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

function checkDecimals(decimals: number): void {
  // 10^77 < 2^256: more decimals than that would be meaningless anyway.
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 77) {
    throw new RangeError(`decimals must be an integer in [0, 77], got ${decimals}`);
  }
}

/**
 * "1.5" coins → base units (1.5 × 10^decimals). Strict: digits with an optional fraction,
 * no sign, exponent, spaces or leading zeros ("0.5" yes, ".5"/"01" no); more fraction
 * digits than `decimals` is refused rather than silently rounded. Throws AMOUNT_OUT_OF_RANGE.
 */
export function parseCoins(text: string, decimals: number): bigint {
  checkDecimals(decimals);
  const m = typeof text === 'string' ? COINS_RE.exec(text) : null;
  if (!m) {
    throw new RuleError(
      'AMOUNT_OUT_OF_RANGE',
      `not a decimal coin amount: ${JSON.stringify(String(text).slice(0, 80))}`,
    );
  }
  const whole = m[1]!;
  const fraction = m[2] ?? '';
  if (fraction.length > decimals) {
    throw new RuleError('AMOUNT_OUT_OF_RANGE', `${text} has more than ${decimals} decimal places`);
  }
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}

/** Base units → coins: "1.5", "0.000001", "12" (no trailing zeros, no exponent). */
export function formatCoins(units: bigint, decimals: number): string {
  checkDecimals(decimals);
  const sign = units < 0n ? '-' : '';
  const abs = units < 0n ? -units : units;
  const scale = 10n ** BigInt(decimals);
  const whole = (abs / scale).toString();
  const fraction =
    decimals === 0 ? '' : (abs % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return sign + whole + (fraction ? '.' + fraction : '');
}

/**
 * New coins a block at `height` may mint: blockReward halved every halvingIntervalBlocks
 * (0 = never), as Bitcoin's GetBlockSubsidy. The shift is capped: after 64 halvings the
 * subsidy is 0 (a bigint shift would go on dividing, but the cap keeps Bitcoin's rule).
 */
export function blockSubsidy(
  height: number,
  spec: Pick<ChainSpec, 'blockReward' | 'halvingIntervalBlocks'>,
): bigint {
  if (!Number.isSafeInteger(height) || height < 0) throw new RangeError(`bad height ${height}`);
  const interval = spec.halvingIntervalBlocks;
  if (interval === 0) return spec.blockReward;
  const halvings = Math.floor(height / interval);
  return halvings >= 64 ? 0n : spec.blockReward >> BigInt(halvings);
}
