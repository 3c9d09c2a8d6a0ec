import { describe, expect, it } from 'vitest';
import {
  loadSpec,
  privateKeyToAddress,
  signTx,
  SignatureCache,
  verifyTx,
  type TransferTx,
} from '@chainlab/core';
import { OpenSslKeyVerifier } from '../src/openssl-verifier.js';

const spec = loadSpec('devnet');
const [alice, bob] = spec.devKeys as [string, string];
const tx = (nonce: number, key = alice): TransferTx =>
  signTx(
    {
      to: privateKeyToAddress(bob),
      amount: 1n + BigInt(nonce),
      fee: 1n,
      nonce,
      chainId: spec.chainId,
    },
    key,
  );

describe('OpenSSL fast path for known senders', () => {
  it('agrees with the pure verifier on valid, forged and high-S signatures', () => {
    const fast = new OpenSslKeyVerifier();
    const cache = new SignatureCache(1000, fast);
    expect(verifyTx(tx(0), cache)).toBe(true); // first sight: recovered in JS, key learned
    expect(fast.verify(privateKeyToAddress(alice), new Uint8Array(1), new Uint8Array(64))).toBe(
      false,
    );
    for (let n = 1; n < 5; n++) expect(verifyTx(tx(n), cache)).toBe(true); // now through OpenSSL

    const good = tx(9);
    const forgedAmount = { ...good, amount: good.amount + 1n };
    expect(verifyTx(forgedAmount, cache)).toBe(false);
    expect(verifyTx(forgedAmount)).toBe(false);
    // bob signs but claims to be alice: the known key rejects it
    const impostor = { ...tx(10, bob), from: privateKeyToAddress(alice) };
    expect(verifyTx(impostor, cache)).toBe(false);
    // (r, n − s): valid for OpenSSL, but our rule is low-S only
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const sig = good.sig.slice(2);
    const s = BigInt('0x' + sig.slice(64, 128));
    const highS = {
      ...good,
      sig:
        '0x' +
        sig.slice(0, 64) +
        (n - s).toString(16).padStart(64, '0') +
        (sig.slice(128) === '00' ? '01' : '00'),
    };
    expect(verifyTx(highS, new SignatureCache(10, fast))).toBe(false);
  });
});
