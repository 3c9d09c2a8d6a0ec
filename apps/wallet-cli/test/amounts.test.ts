import { describe, expect, it } from 'vitest';
import { builtinSpec } from '@chainlab/core';
import { formatAmount, parseAmount } from '../src/amounts.js';
import { UsageError } from '../src/errors.js';

const devnet = builtinSpec('devnet')!;
const eight = { coin: { symbol: 'SAT', decimals: 8 } };

describe('amounts', () => {
  it('parses decimal coins into base units', () => {
    expect(parseAmount('1', devnet)).toBe(10n ** 18n);
    expect(parseAmount('1.5', devnet)).toBe(15n * 10n ** 17n);
    expect(parseAmount('0.000000000000000001', devnet)).toBe(1n);
    expect(parseAmount('21000000', devnet)).toBe(21_000_000n * 10n ** 18n);
    expect(parseAmount('0.00000001', eight)).toBe(1n);
    expect(parseAmount('2.5 CLC', devnet)).toBe(25n * 10n ** 17n);
    expect(parseAmount(' 3 clc ', devnet)).toBe(3n * 10n ** 18n);
  });

  it.each(['', 'abc', '-1', '+1', '1e18', '1.2.3', '.5', '01', '1,5', '0x10', '1.'])(
    'refuses %j as a usage error',
    (text) => {
      expect(() => parseAmount(text, devnet)).toThrow(UsageError);
    },
  );

  it('refuses more decimals than the coin has', () => {
    expect(() => parseAmount('0.000000001', eight)).toThrow(/at most 8 decimal places/);
    expect(() => parseAmount('0.0000000000000000001', devnet)).toThrow(/at most 18 decimal places/);
  });

  it('refuses zero unless allowed (fees may be zero)', () => {
    expect(() => parseAmount('0', devnet)).toThrow(/more than 0/);
    expect(parseAmount('0', devnet, '--fee', true)).toBe(0n);
  });

  it('formats base units with the symbol', () => {
    expect(formatAmount(15n * 10n ** 17n, devnet)).toBe('1.5 CLC');
    expect(formatAmount(0n, devnet)).toBe('0 CLC');
    expect(formatAmount(10n ** 12n, devnet)).toBe('0.000001 CLC');
    expect(formatAmount(123_456_789n, eight)).toBe('1.23456789 SAT');
  });

  it('round-trips', () => {
    for (const s of ['0.1', '1', '123.456', '0.000000000000000001', '99999999.99']) {
      expect(formatAmount(parseAmount(s, devnet), devnet)).toBe(`${s} CLC`);
    }
  });
});
