// The packed batch a worker receives must give, tx by tx, exactly verifyTx's answer.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadSpec, privateKeyToAddress, signTx, verifyTx, type TransferTx } from '@chainlab/core';
import { packBatch } from '../src/verifier.js';
import verifyBatch from '../src/verify-worker.js';

const spec = loadSpec('devnet');
const keys = spec.devKeys;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function variant(tx: TransferTx, how: number): TransferTx {
  const sig = tx.sig.slice(2);
  switch (how) {
    case 1: // someone else's name on it
      return { ...tx, from: privateKeyToAddress(keys[3]!) };
    case 2: // a changed amount
      return { ...tx, amount: tx.amount + 1n };
    case 3: {
      // high S with the matching recovery id: valid ECDSA, refused by the low-S rule
      const s = (N - BigInt('0x' + sig.slice(64, 128))).toString(16).padStart(64, '0');
      return { ...tx, sig: '0x' + sig.slice(0, 64) + s + (sig.endsWith('00') ? '01' : '00') };
    }
    case 4: // a flipped recovery id
      return { ...tx, sig: '0x' + sig.slice(0, 128) + (sig.endsWith('00') ? '01' : '00') };
    case 5: // recovery id out of range
      return { ...tx, sig: '0x' + sig.slice(0, 128) + '02' };
    case 6: // r = 0
      return { ...tx, sig: '0x' + '0'.repeat(64) + sig.slice(64) };
    default:
      return tx;
  }
}

describe('verify-worker on packed batches', () => {
  it('answers exactly as verifyTx, tx by tx', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            key: fc.integer({ min: 0, max: 9 }),
            nonce: fc.integer({ min: 0, max: 1_000 }),
            how: fc.integer({ min: 0, max: 7 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        (plan) => {
          const txs = plan.map(({ key, nonce, how }) =>
            variant(
              signTx(
                {
                  to: privateKeyToAddress(keys[(key + 1) % 10]!),
                  amount: 5n,
                  fee: spec.minFee,
                  nonce,
                  chainId: spec.chainId,
                },
                keys[key]!,
              ),
              how,
            ),
          );
          const answers = [...verifyBatch(packBatch(txs))].map((b) => b === 1);
          expect(answers).toEqual(txs.map((tx) => verifyTx(tx)));
        },
      ),
      { numRuns: 40 },
    );
  });
});
