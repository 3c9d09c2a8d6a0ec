// Runs in a worker thread (Piscina): verifies a packed batch of tx signatures (see
// packBatch in verifier.ts: per tx its txHash, signature and sender, 117 bytes), so
// secp256k1 math never runs on the mempool's event loop. Keys are recovered with
// libsecp256k1 (WebAssembly, sync's LibsecpVerifier); the answer is one byte per tx, 1 = valid.
import { verifyTxDigest } from '@chainlab/core';
// The subpath keeps fastify, pino and ws out of every worker thread.
import { LibsecpVerifier } from '@chainlab/sync/libsecp-verifier';

const backend = new LibsecpVerifier();
const DIGEST = 32;
const SIG = 65;
const SENDER = 20;
const RECORD = DIGEST + SIG + SENDER;

export default function verifyBatch(packed: Uint8Array): Uint8Array {
  const count = Math.floor(packed.length / RECORD);
  const valid = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * RECORD;
    const digest = packed.subarray(at, at + DIGEST);
    const sig = packed.subarray(at + DIGEST, at + DIGEST + SIG);
    const sender = packed.subarray(at + DIGEST + SIG, at + RECORD);
    valid[i] = verifyTxDigest(digest, sig, sender, backend) ? 1 : 0;
  }
  return valid;
}
