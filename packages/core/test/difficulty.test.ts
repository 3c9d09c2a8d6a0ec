import { describe, expect, it } from 'vitest';
import { bitcoinRetarget, medianTimePast, nextBits, type AncestorView } from '../src/difficulty.js';
import { bitsToTarget } from '../src/pow.js';
import { loadSpec } from '../src/spec.js';
import type { ChainSpec } from '../src/types.js';

const MAINNET_POW_LIMIT = bitsToTarget(0x1d00ffff);
const TWO_WEEKS = 14 * 24 * 60 * 60;

// Bitcoin Core's pow_tests: real mainnet retargets.
describe('Bitcoin retarget', () => {
  it.each([
    ['block 32256', 0x1d00ffff, 1261130161, 1262152739, 0x1d00d86a],
    ['pow limit (block 2016)', 0x1d00ffff, 1231006505, 1233061996, 0x1d00ffff],
    ['lower clamp (block 68544)', 0x1c05a3f4, 1279008237, 1279297671, 0x1c0168fd],
    ['upper clamp (block 48384)', 0x1c387f6f, 1263163443, 1269211443, 0x1d00e1fd],
  ])('%s', (_name, lastBits, firstTime, lastTime, expected) => {
    expect(bitcoinRetarget(lastBits, firstTime, lastTime, TWO_WEEKS, MAINNET_POW_LIMIT)).toBe(
      expected,
    );
  });
});

function viewOf(blocks: { time: number; bits: number }[]): AncestorView {
  return { height: blocks.length - 1, at: (h) => blocks[h]! };
}

function specWith(overrides: Partial<Record<string, unknown>>): ChainSpec {
  return loadSpec({ extends: 'devnet', ...overrides });
}

describe('nextBits', () => {
  it('bitcoin rule keeps bits between retargets and retargets on window boundaries', () => {
    const spec = specWith({
      retarget: { rule: 'bitcoin', windowBlocks: 10 },
      targetBlockTimeSeconds: 10,
    });
    const g = spec.genesis;
    // 10 blocks (heights 0..9) twice as fast as targeted: 5 s apart
    const blocks = Array.from({ length: 10 }, (_, i) => ({ time: g.time + 5 * i, bits: g.bits }));
    expect(nextBits(viewOf(blocks.slice(0, 5)), spec)).toBe(g.bits);
    const next = nextBits(viewOf(blocks), spec);
    // Window spans 9 intervals = 45 s of the 100 s expected: target × 0.45 (harder).
    expect(bitsToTarget(next)).toBeLessThan(bitsToTarget(g.bits));
    expect(next).toBe(
      bitcoinRetarget(g.bits, g.time, g.time + 45, 100, bitsToTarget(spec.powLimitBits)),
    );
  });

  it('lwma makes blocks harder when they come fast and easier when slow', () => {
    const spec = specWith({
      retarget: { rule: 'lwma', windowBlocks: 10 },
      targetBlockTimeSeconds: 10,
    });
    const g = spec.genesis;
    const fast = Array.from({ length: 12 }, (_, i) => ({ time: g.time + 2 * i, bits: g.bits }));
    const slow = Array.from({ length: 12 }, (_, i) => ({ time: g.time + 30 * i, bits: g.bits }));
    const onTime = Array.from({ length: 12 }, (_, i) => ({ time: g.time + 10 * i, bits: g.bits }));
    expect(bitsToTarget(nextBits(viewOf(fast), spec))).toBeLessThan(bitsToTarget(g.bits));
    expect(bitsToTarget(nextBits(viewOf(slow), spec))).toBeGreaterThan(bitsToTarget(g.bits));
    const steady = bitsToTarget(nextBits(viewOf(onTime), spec));
    const base = bitsToTarget(g.bits);
    expect(steady > (base * 99n) / 100n && steady < (base * 101n) / 100n).toBe(true);
  });

  it('lwma never goes easier than the pow limit and survives out-of-order timestamps', () => {
    const spec = specWith({
      retarget: { rule: 'lwma', windowBlocks: 5 },
      genesis: { bits: 0x207fffff },
    });
    const g = spec.genesis;
    const wild = [0, 1000, 10, 5000, 3, 100000].map((dt) => ({
      time: g.time + dt,
      bits: 0x207fffff,
    }));
    expect(bitsToTarget(nextBits(viewOf(wild), spec)) <= bitsToTarget(spec.powLimitBits)).toBe(
      true,
    );
  });

  it('fixed rule always answers the genesis bits', () => {
    const spec = specWith({ retarget: { rule: 'fixed' } });
    expect(
      nextBits(
        viewOf([
          { time: 0, bits: spec.genesis.bits },
          { time: 1, bits: spec.genesis.bits },
        ]),
        spec,
      ),
    ).toBe(spec.genesis.bits);
  });
});

describe('median time past', () => {
  it('is the median of the last 11 times', () => {
    const times = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5, 11, 100];
    expect(medianTimePast(viewOf(times.map((time) => ({ time, bits: 0 }))))).toBe(6);
    expect(medianTimePast(viewOf([{ time: 5, bits: 0 }]))).toBe(5);
  });
});
