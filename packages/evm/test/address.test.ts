// core's CREATE-address rule against @ethereumjs/util's own implementation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bigIntToBytes, bytesToHex, generateAddress, hexToBytes } from '@ethereumjs/util';
import { contractAddress } from '@chainlab/core';

describe('contractAddress', () => {
  it('matches @ethereumjs/util generateAddress for any sender and nonce', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (from, nonce) => {
          const sender = bytesToHex(from);
          const expected = bytesToHex(
            generateAddress(
              hexToBytes(sender),
              nonce === 0n ? new Uint8Array(0) : bigIntToBytes(nonce),
            ),
          );
          expect(contractAddress(sender, nonce).toLowerCase()).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
