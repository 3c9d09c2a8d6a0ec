// libsecp256k1 (both builds: the native addon and WebAssembly) must agree with the pure-JS
// reference, @noble/secp256k1, on every signature: valid ones, forged ones and malformed ones. A disagreement would split
// a network between nodes that verify with one and nodes that verify with the other.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  bigintToBytesBE,
  concatBytes,
  privateKeyToAddress,
  signTx,
  SignatureCache,
  toHex,
  verifyTx,
  type TransferTx,
} from '@chainlab/core';
import { secp } from '@chainlab/core/secp';
import { defaultSecpEngine, LibsecpVerifier, type SecpEngine } from '../src/libsecp-verifier.js';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const word = (x: bigint) => bigintToBytesBE(x, 32);
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex.slice(2), 'hex'));

/** Scalars that sit on the edges of what a signature may hold, and random ones. */
const scalar = fc.oneof(
  fc.constantFrom(0n, 1n, N - 1n, N, N + 1n, P - 1n, P, 2n ** 256n - 1n, N / 2n, N / 2n + 1n),
  fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
  fc.bigInt({ min: 1n, max: N - 1n }),
);
const privateKey = fc.bigInt({ min: 1n, max: N - 1n }).map((d) => toHex(word(d)));
const digest = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** The reference: @noble/secp256k1's recovery, null where it refuses. */
function nobleRecover(d: Uint8Array, sig64: Uint8Array, v: number): string | null {
  try {
    const key = secp.recoverPublicKey(concatBytes(Uint8Array.of(v), sig64), d, {
      prehash: false,
      isCompressed: false,
    });
    return toHex(key);
  } catch {
    return null;
  }
}

function libsecpRecover(
  engine: SecpEngine,
  d: Uint8Array,
  sig64: Uint8Array,
  v: number,
): string | null {
  const key = new LibsecpVerifier(engine).recover(d, sig64, v);
  return key ? toHex(key) : null;
}

/** A signed transfer from `key`. */
function transfer(key: string, nonce: number, amount: bigint): TransferTx {
  return signTx(
    { to: privateKeyToAddress(toHex(word(7n))), amount, fee: 1n, nonce, chainId: 1337 },
    key,
  );
}

/** Every way we know to spoil a signature (and one that leaves it alone). */
type Spoil =
  | { kind: 'none' }
  | { kind: 'highS' }
  | { kind: 'flipV' }
  | { kind: 'v'; v: number }
  | { kind: 'r'; r: bigint }
  | { kind: 's'; s: bigint }
  | { kind: 'amount' }
  | { kind: 'byte'; at: number; xor: number };
const spoil: fc.Arbitrary<Spoil> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.constant({ kind: 'highS' as const }),
  fc.constant({ kind: 'flipV' as const }),
  fc.integer({ min: 0, max: 255 }).map((v) => ({ kind: 'v' as const, v })),
  scalar.map((r) => ({ kind: 'r' as const, r })),
  scalar.map((s) => ({ kind: 's' as const, s })),
  fc.constant({ kind: 'amount' as const }),
  fc
    .record({ at: fc.integer({ min: 0, max: 64 }), xor: fc.integer({ min: 1, max: 255 }) })
    .map((b) => ({ kind: 'byte' as const, ...b })),
);

function applySpoil(tx: TransferTx, how: Spoil): TransferTx {
  const sig = bytes(tx.sig);
  const s = BigInt('0x' + tx.sig.slice(66, 130));
  switch (how.kind) {
    case 'none':
      return tx;
    case 'amount':
      return { ...tx, amount: tx.amount + 1n };
    case 'highS':
      sig.set(word(N - s), 32);
      sig[64] = sig[64]! ^ 1;
      break;
    case 'flipV':
      sig[64] = sig[64]! ^ 1;
      break;
    case 'v':
      sig[64] = how.v;
      break;
    case 'r':
      sig.set(word(how.r), 0);
      break;
    case 's':
      sig.set(word(how.s), 32);
      break;
    case 'byte':
      sig[how.at] = sig[how.at]! ^ how.xor;
      break;
  }
  return { ...tx, sig: toHex(sig) };
}

// The native addon ships prebuilt for linux x64, macOS arm64 and Windows x64 only.
const nativeLoads = process.env.CHAINLAB_SECP !== 'wasm' && defaultSecpEngine() === 'native';
const engines: SecpEngine[] = nativeLoads ? ['native', 'wasm'] : ['wasm'];
if (!nativeLoads)
  it.skip('native libsecp256k1: its prebuilt addon does not load on this platform', () => {});

describe.each(engines)('libsecp256k1 (%s) against @noble/secp256k1', (engine) => {
  it('recovers the same key, or refuses the same signatures, for any (digest, r, s, v)', () => {
    fc.assert(
      fc.property(digest, scalar, scalar, fc.constantFrom(0, 1), (d, r, s, v) => {
        // Core only hands low-S signatures to a backend; high S is refused before (below).
        fc.pre(s <= N / 2n);
        const sig64 = concatBytes(word(r), word(s));
        expect(libsecpRecover(engine, d, sig64, v)).toBe(nobleRecover(d, sig64, v));
      }),
      { numRuns: 400 },
    );
  });

  it('recovers the signer of real signatures, as noble does', () => {
    fc.assert(
      fc.property(privateKey, digest, (key, d) => {
        const rec = secp.sign(d, bytes(key), { prehash: false, lowS: true, format: 'recovered' });
        const sig64 = rec.subarray(1);
        const expected = toHex(secp.getPublicKey(bytes(key), false));
        expect(libsecpRecover(engine, d, sig64, rec[0]!)).toBe(expected);
        expect(nobleRecover(d, sig64, rec[0]!)).toBe(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('verifyTx gives the same answer with either backend', () => {
    fc.assert(
      fc.property(
        privateKey,
        fc.integer({ min: 0, max: 1000 }),
        fc.bigInt({ min: 1n, max: 10n ** 20n }),
        spoil,
        (key, nonce, amount, how) => {
          const tx = applySpoil(transfer(key, nonce, amount), how);
          const reference = verifyTx(tx); // pure JS
          expect(verifyTx(tx, new SignatureCache(10, new LibsecpVerifier(engine)))).toBe(reference);
          if (how.kind === 'none') expect(reference).toBe(true);
          // A flipped recovery id must fail even though (r, s) is a valid ECDSA signature:
          // a plain verify against a cached key would accept it (and split the network).
          if (how.kind === 'highS' || how.kind === 'flipV' || how.kind === 'amount')
            expect(reference).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses an impostor', () => {
    const [alice, bob] = [toHex(word(11n)), toHex(word(12n))];
    const cache = new SignatureCache(10, new LibsecpVerifier(engine));
    expect(verifyTx(transfer(alice, 0, 1n), cache)).toBe(true);
    const impostor = { ...transfer(bob, 1, 1n), from: privateKeyToAddress(alice) };
    expect(verifyTx(impostor, cache)).toBe(false);
  });
});
