import { describe, expect, it } from 'vitest';
import { txStatus } from '../src/tx-status.js';

describe('txStatus', () => {
  it('is confirmed in a best-chain block, whatever the mempool says', () => {
    expect(txStatus(true, null)).toBe('confirmed');
    expect(txStatus(true, 'ready')).toBe('confirmed');
  });
  it('otherwise follows the mempool: held or ready is pending, its chain may confirm it', () => {
    expect(txStatus(false, 'ready')).toBe('pending');
    expect(txStatus(false, 'held')).toBe('pending');
    expect(txStatus(false, 'confirmed')).toBe('confirmed');
  });
  it('is stale when only side branches hold it', () => {
    expect(txStatus(false, null)).toBe('stale');
    expect(txStatus(false, undefined)).toBe('stale');
  });
});
