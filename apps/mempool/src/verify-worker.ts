// Runs in a worker thread (Piscina): verifies a batch of tx signatures (transfers and contract txs) with core's
// verifyTx, so secp256k1 math never runs on the mempool's event loop. Each worker keeps
// its own signature cache with the OpenSSL fast path (sync's OpenSslKeyVerifier): once a
// sender's public key has been recovered in this worker, its later txs are checked by
// OpenSSL, several times faster than another recovery.
import { SignatureCache, verifyTx, type SignedTx } from '@chainlab/core';
// The subpath keeps fastify, pino and ws out of every worker thread.
import { OpenSslKeyVerifier } from '@chainlab/sync/openssl-verifier';

const cache = new SignatureCache(10_000, new OpenSslKeyVerifier(100_000));

export default function verifyBatch(txs: SignedTx[]): boolean[] {
  return txs.map((tx) => verifyTx(tx, cache));
}
