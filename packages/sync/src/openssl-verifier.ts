// The fast path for signature checks: once a sender's public key is known (recovered once
// by core, in pure JS), its later txs are verified by OpenSSL through node:crypto, several
// times faster than another recovery (see `pnpm bench`, core section).
//
// Our signatures are ECDSA over SHA-256d(signing bytes). OpenSSL's verify('sha256', m)
// hashes m once more, so passing m = SHA-256(signing bytes) checks exactly that digest.
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { KnownKeyVerifier } from '@chainlab/core';

export class OpenSslKeyVerifier implements KnownKeyVerifier {
  private readonly keys = new Map<string, KeyObject>();

  constructor(private readonly maxKeys = 100_000) {}

  verify(address: string, signingBytes: Uint8Array, sig64: Uint8Array): boolean | undefined {
    const key = this.keys.get(address.toLowerCase());
    if (!key) return undefined;
    const once = createHash('sha256').update(signingBytes).digest();
    try {
      return verify('sha256', once, { key, dsaEncoding: 'ieee-p1363' }, sig64);
    } catch {
      return false;
    }
  }

  learn(address: string, publicKey: Uint8Array): void {
    const id = address.toLowerCase();
    if (this.keys.has(id)) return;
    if (this.keys.size >= this.maxKeys) this.keys.delete(this.keys.keys().next().value as string);
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
    this.keys.set(
      id,
      createPublicKey({
        key: {
          kty: 'EC',
          crv: 'secp256k1',
          x: b64(publicKey.subarray(1, 33)),
          y: b64(publicKey.subarray(33, 65)),
        },
        format: 'jwk',
      }),
    );
  }
}
