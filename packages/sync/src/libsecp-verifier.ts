// The fast signature backend: libsecp256k1 (Bitcoin Core's secp256k1 library) compiled to
// WebAssembly, from the `tiny-secp256k1` package. It recovers a public key ~8× faster than
// the pure-JS @noble/secp256k1 that core falls back to. No compiler, no native addon: the
// .wasm ships inside the npm package.
//
// Core checks a signature's form first (r, s in range, low S, recovery id 0/1), so this
// only does the curve math; a property test (test/libsecp-verifier.test.ts) checks that it
// agrees with @noble/secp256k1 on valid, forged and malformed signatures.
import * as libsecp from 'tiny-secp256k1';
import { SignatureCache, type SignatureBackend } from '@chainlab/core';

export class LibsecpVerifier implements SignatureBackend {
  recover(digest: Uint8Array, sig64: Uint8Array, recoveryId: number): Uint8Array | null {
    if (recoveryId !== 0 && recoveryId !== 1) return null;
    try {
      return libsecp.recover(digest, sig64, recoveryId, false);
    } catch {
      return null; // tiny-secp256k1 throws where r or s is out of range, or r is no point's x
    }
  }
}

/** The signature cache a node or a mempool checks with: 100,000 entries, on libsecp256k1. */
export function createSignatureCache(): SignatureCache {
  return new SignatureCache(100_000, new LibsecpVerifier());
}
