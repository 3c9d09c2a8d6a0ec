// The fast signature backend: libsecp256k1 (Bitcoin Core's secp256k1 library), in one of
// two builds, both from npm and neither needing a compiler on the user's machine:
// - `native`: the N-API addon of the `secp256k1` package, which ships prebuilt binaries
//   (linux x64 glibc/musl, macOS arm64, Windows x64); ~25× faster than pure JS;
// - `wasm`: `tiny-secp256k1`, the same C library compiled to WebAssembly; ~8× faster than
//   pure JS, and it runs wherever Node runs.
// The native build is used when its binary loads here, the wasm one otherwise (or when
// CHAINLAB_SECP=wasm asks for it). Both are the same C code, so they agree bit for bit.
//
// Core checks a signature's form first (r, s in range, low S, recovery id 0/1), so this
// only does the curve math; a property test (test/libsecp-verifier.test.ts) checks that
// each engine agrees with @noble/secp256k1 on valid, forged and malformed signatures.
import { createRequire } from 'node:module';
import * as wasm from 'tiny-secp256k1';
import { SignatureCache, type SignatureBackend } from '@chainlab/core';

export type SecpEngine = 'native' | 'wasm';

/** The part of the `secp256k1` package's API used here. */
interface NativeSecp {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
}

/** The native addon, or null where its prebuilt binary does not load (other platforms). */
function loadNative(): NativeSecp | null {
  try {
    // `secp256k1/bindings` is the addon alone; the package's main entry would silently fall
    // back to `elliptic` (pure JS, slower than the wasm build) where the binary is missing.
    return createRequire(import.meta.url)('secp256k1/bindings') as NativeSecp;
  } catch {
    return null;
  }
}

let native: NativeSecp | null | undefined;

/** The engine a LibsecpVerifier picks by default here (see the top of this file). */
export function defaultSecpEngine(): SecpEngine {
  if (process.env.CHAINLAB_SECP === 'wasm') return 'wasm';
  native ??= loadNative();
  return native ? 'native' : 'wasm';
}

export class LibsecpVerifier implements SignatureBackend {
  private readonly native: NativeSecp | null;

  constructor(readonly engine: SecpEngine = defaultSecpEngine()) {
    if (engine === 'native') {
      native ??= loadNative();
      if (!native) throw new Error('the native secp256k1 addon does not load on this platform');
    }
    this.native = engine === 'native' ? native! : null;
  }

  recover(digest: Uint8Array, sig64: Uint8Array, recoveryId: number): Uint8Array | null {
    if (recoveryId !== 0 && recoveryId !== 1) return null;
    try {
      return this.native
        ? this.native.ecdsaRecover(sig64, recoveryId, digest, false)
        : wasm.recover(digest, sig64, recoveryId, false);
    } catch {
      return null; // both throw where r or s is out of range, or r is no point's x
    }
  }
}

/** The signature cache a node or a mempool checks with: 100,000 entries, on libsecp256k1. */
export function createSignatureCache(): SignatureCache {
  return new SignatureCache(100_000, new LibsecpVerifier());
}
