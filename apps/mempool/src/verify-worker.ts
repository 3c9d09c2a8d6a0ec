// Runs in a worker thread (Piscina): verifies a batch of tx signatures (transfers and
// contract txs) with core's verifyTx, so secp256k1 math never runs on the mempool's event
// loop. Each worker keeps its own small signature cache, with libsecp256k1 (WebAssembly,
// sync's LibsecpVerifier) plugged in for key recovery.
import { SignatureCache, verifyTx, type SignedTx } from '@chainlab/core';
// The subpath keeps fastify, pino and ws out of every worker thread.
import { LibsecpVerifier } from '@chainlab/sync/libsecp-verifier';

const cache = new SignatureCache(10_000, new LibsecpVerifier());

export default function verifyBatch(txs: SignedTx[]): boolean[] {
  return txs.map((tx) => verifyTx(tx, cache));
}
