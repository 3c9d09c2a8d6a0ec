// The one place that wires @noble/secp256k1 v3 to its hash functions. v3 ships without
// sync SHA-256/HMAC so that it has no dependencies; sign() (RFC6979 nonces) needs them.
// Every module that signs or recovers imports secp256k1 from here, so the wiring always
// happens first. This is configuration, not state: it is idempotent and never changes.
// Exported as `@chainlab/core/secp`: the reference that faster backends are tested against.
import * as secp from '@noble/secp256k1';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

secp.hashes.sha256 = (message) => sha256(message);
secp.hashes.hmacSha256 = (key, message) => hmac(sha256, key, message);

export { secp };
