// The wallet's level-3 helpers that need no network: gas prices and limits, values and
// events as printed, and the book of deployed contracts' ABIs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinSpec } from '@chainlab/core';
import { ContractBook, humanEvent, humanValue, jsonValue } from '../src/contracts.js';
import { UsageError } from '../src/errors.js';
import {
  defaultGasPrice,
  formatGasPrice,
  GWEI,
  parseGasLimit,
  parseGasPrice,
  withMargin,
} from '../src/gas.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('gas', () => {
  it('defaults to 1 gwei, or the floor minFee / 21,000 when that is higher', () => {
    expect(defaultGasPrice(builtinSpec('devnet-contracts')!)).toBe(GWEI);
    expect(defaultGasPrice({ minFee: 21_000n * GWEI * 3n })).toBe(3n * GWEI);
    expect(defaultGasPrice({ minFee: 21_000n * GWEI * 3n + 1n })).toBe(3n * GWEI + 1n);
  });

  it('parses --gas-price in base units or gwei, and --gas-limit', () => {
    expect(parseGasPrice('1000')).toBe(1000n);
    expect(parseGasPrice('2gwei')).toBe(2n * GWEI);
    expect(parseGasPrice('1.5 GWEI')).toBe(1_500_000_000n);
    expect(parseGasPrice('0.000000001gwei')).toBe(1n);
    for (const bad of ['', '-1', '1.5', 'gwei', '1e9', '1 eth'])
      expect(() => parseGasPrice(bad)).toThrow(UsageError);
    expect(parseGasLimit('21000')).toBe(21_000n);
    for (const bad of ['0', '-5', '1.5', 'lots'])
      expect(() => parseGasLimit(bad)).toThrow(UsageError);
    expect(formatGasPrice(GWEI)).toBe('1 gwei');
    expect(formatGasPrice(1_500_000_000n)).toBe('1.5 gwei');
    expect(formatGasPrice(47_619_048n)).toBe('47619048 base units');
  });

  it('adds a 20 % margin when code ran, none for a plain transfer, within the block limit', () => {
    expect(withMargin(21_000n, 21_000n, 30_000_000n)).toBe(21_000n);
    expect(withMargin(50_000n, 21_064n, 30_000_000n)).toBe(60_000n);
    expect(withMargin(50_001n, 21_064n, 30_000_000n)).toBe(60_002n); // rounded up
    expect(withMargin(29_000_000n, 21_000n, 30_000_000n)).toBe(30_000_000n);
  });
});

describe('values and events as printed', () => {
  const names = new Map([['0x617e51a0fa09c6e2e30149c8698073d81fdaa0d9', 'alice']]);
  const ALICE = '0x617e51A0Fa09C6E2E30149c8698073D81fdaa0D9';

  it('JSON: bigints as decimal strings, structure kept', () => {
    expect(jsonValue([1n, 'x', true, [2n], { a: 3n }])).toEqual([
      '1',
      'x',
      true,
      ['2'],
      { a: '3' },
    ]);
  });

  it('humans: addresses labelled with key names', () => {
    expect(humanValue(ALICE, names)).toBe(`${ALICE} (alice)`);
    expect(humanValue(10n ** 24n)).toBe('1000000000000000000000000');
    expect(humanValue([1n, ALICE], names)).toBe(`[1, ${ALICE} (alice)]`);
    const e = {
      json: { address: ALICE, event: 'Incremented', topics: [], data: '0x' },
      args: { by: ALICE, count: 1n },
    };
    expect(humanEvent(e, names)).toBe(`Incremented(by: ${ALICE} (alice), count: 1)`);
    expect(humanEvent({ json: { address: ALICE, topics: ['0x01'], data: '0x02' } }, names)).toBe(
      `log from ${ALICE}: topics [0x01] data 0x02`,
    );
  });
});

describe('ContractBook', () => {
  it('remembers ABIs per chain and address, in any case', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wallet-book-'));
    dirs.push(dir);
    const book = new ContractBook(join(dir, 'keystore'));
    const entry = { name: 'Counter', source: 'C.sol', abi: [], deployer: '0x1', txid: '0x2' };
    expect(await book.get(1339, '0xAbC0000000000000000000000000000000000000')).toBeUndefined();
    await book.remember(1339, '0xAbC0000000000000000000000000000000000000', entry);
    expect(await book.get(1339, '0xabc0000000000000000000000000000000000000')).toEqual(entry);
    expect(await book.get(1337, '0xabc0000000000000000000000000000000000000')).toBeUndefined();
  });
});
