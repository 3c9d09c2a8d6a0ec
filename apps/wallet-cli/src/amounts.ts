// Amounts: decimal coins on the command line and on screen, base units (bigint, decimal
// strings) on the wire. Core's parseCoins/formatCoins do the arithmetic.
import { formatCoins, isRuleError, parseCoins, type ChainSpec } from '@chainlab/core';
import { UsageError } from './errors.js';

type Coin = Pick<ChainSpec, 'coin'>;

/**
 * A decimal coin amount typed by the user ("1.5", "0.000001", "100") → base units.
 * Malformed text (sign, exponent, comma, too many decimals) or, unless `allowZero`, zero →
 * UsageError (exit 2). The range against maxAmount is the chain's rule, checked when signing.
 */
export function parseAmount(
  text: string,
  spec: Coin,
  flag = '--amount',
  allowZero = false,
): bigint {
  const { decimals, symbol } = spec.coin;
  const clean = text.trim().replace(new RegExp(`\\s*${escapeRe(symbol)}$`, 'i'), '');
  let units: bigint;
  try {
    units = parseCoins(clean, decimals);
  } catch (e) {
    if (!isRuleError(e)) throw e;
    const why = /decimal places/.test(e.message)
      ? `at most ${decimals} decimal places`
      : `a decimal number of coins like 1.5 or 0.001`;
    throw new UsageError(
      `${flag} ${JSON.stringify(text)}: expected ${why} (${symbol})`,
      'BAD_AMOUNT',
    );
  }
  if (units === 0n && !allowZero)
    throw new UsageError(`${flag} must be more than 0 ${symbol}`, 'BAD_AMOUNT');
  return units;
}

/** Base units → "1.5 CLC". */
export function formatAmount(units: bigint, spec: Coin): string {
  return `${formatCoins(units, spec.coin.decimals)} ${spec.coin.symbol}`;
}

/** A base-unit decimal string from a server → bigint (a BAD_RESPONSE when it is not one). */
export function parseUnits(value: unknown): bigint | undefined {
  if (typeof value === 'string' && /^-?(0|[1-9][0-9]*)$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  return undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
