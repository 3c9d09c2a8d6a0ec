// Core benchmarks (issue 3): signature verification and block validation throughput, each
// as a ratio to a baseline measured in the same run (this machine is noisy: compare
// ratios, not absolute numbers).
//   node packages/core/bench/core.bench.mjs [--json out.json] [--quick]
import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { writeFileSync } from 'node:fs';
import * as core from '../dist/index.js';

const quick = process.argv.includes('--quick');
const jsonOut = process.argv.includes('--json')
  ? process.argv[process.argv.indexOf('--json') + 1]
  : null;

/** Runs fn repeatedly for ~ms milliseconds (after a warm-up) and returns ops/second. */
function rate(fn, ms = quick ? 500 : 1500) {
  fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    fn();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

const spec = core.loadSpec({
  extends: 'devnet',
  genesis: { bits: '0x207fffff' },
  retarget: { rule: 'fixed' },
  maxBlockBytes: 4_000_000,
});
const keys = spec.devKeys;
const results = {};

// ---- 1. signature verification: ours vs OpenSSL (node:crypto) ----
const tx = core.signTx(
  {
    to: core.privateKeyToAddress(keys[1]),
    amount: 1n,
    fee: spec.minFee,
    nonce: 0,
    chainId: spec.chainId,
  },
  keys[0],
);
const oursPerSec = rate(() => core.verifyTx(tx));
const pub = core.privateKeyToPublicKey(keys[0], false);
const jwk = (d) => ({
  kty: 'EC',
  crv: 'secp256k1',
  x: Buffer.from(pub.slice(1, 33)).toString('base64url'),
  y: Buffer.from(pub.slice(33)).toString('base64url'),
  ...(d ? { d } : {}),
});
const pk = crypto.createPublicKey({ key: jwk(), format: 'jwk' });
const sk = crypto.createPrivateKey({
  key: jwk(Buffer.from(core.fromHex(keys[0])).toString('base64url')),
  format: 'jwk',
});
const digest = Buffer.from(core.txHash(tx));
const osig = crypto.sign('sha256', digest, { key: sk, dsaEncoding: 'ieee-p1363' });
const opensslPerSec = rate(() =>
  crypto.verify('sha256', digest, { key: pk, dsaEncoding: 'ieee-p1363' }, osig),
);
// The node and mempool plug libsecp256k1 (WebAssembly) in for the recovery.
const { LibsecpVerifier } = await import('../../sync/dist/libsecp-verifier.js');
const txsToRecover = Array.from({ length: 64 }, (_, i) =>
  core.signTx(
    {
      to: core.privateKeyToAddress(keys[1]),
      amount: 1n,
      fee: spec.minFee,
      nonce: i,
      chainId: spec.chainId,
    },
    keys[2 + (i % 6)],
  ),
);
let r = 0;
const libsecp = new LibsecpVerifier();
// No signature cache carried over: every call is a full recovery.
const libsecpPerSec = rate(() =>
  core.verifyTx(txsToRecover[r++ % txsToRecover.length], new core.SignatureCache(10, libsecp)),
);
results.verify = {
  oursPerSec,
  libsecpPerSec,
  opensslPerSec,
  ratio: oursPerSec / opensslPerSec,
  libsecpRatio: libsecpPerSec / opensslPerSec,
  libsecpVsNoble: libsecpPerSec / oursPerSec,
};

// ---- 2. parallel verification in worker threads ----
const N = quick ? 200 : 600;
const txs = [];
for (let i = 0; i < N; i++) {
  txs.push(
    core.txToJson(
      core.signTx(
        {
          to: core.privateKeyToAddress(keys[(i % 9) + 1]),
          amount: BigInt(i + 1),
          fee: spec.minFee,
          nonce: i,
          chainId: spec.chainId,
        },
        keys[0],
      ),
    ),
  );
}
const workerCode = `
  const { parentPort, workerData } = require('node:worker_threads');
  import(workerData.core).then((core) => {
    parentPort.on('message', (batch) => {
      let ok = 0;
      for (const json of batch) if (core.verifyTx(core.parseTx(json))) ok++;
      parentPort.postMessage(ok);
    });
    parentPort.postMessage('ready');
  });`;
async function verifyParallel(threads) {
  const coreUrl = new URL('../dist/index.js', import.meta.url).href;
  const workers = Array.from(
    { length: threads },
    () => new Worker(workerCode, { eval: true, workerData: { core: coreUrl } }),
  );
  await Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))));
  const start = performance.now();
  const per = Math.ceil(txs.length / threads);
  const oks = await Promise.all(
    workers.map(
      (w, i) =>
        new Promise((r) => {
          w.once('message', r);
          w.postMessage(txs.slice(i * per, (i + 1) * per));
        }),
    ),
  );
  const secs = (performance.now() - start) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  if (oks.reduce((a, b) => a + b, 0) !== txs.length)
    throw new Error('a valid signature failed to verify');
  return txs.length / secs;
}
const one = await verifyParallel(1);
const two = await verifyParallel(2);
results.parallelVerify = { oneWorkerPerSec: one, twoWorkersPerSec: two, speedup: two / one };

// ---- 3. block validation: 1,000-tx blocks through Chain.processBlock ----
const TXS_PER_BLOCK = 1000;
const BLOCKS = quick ? 2 : 4;
function buildChainOfBlocks() {
  const builder = new core.Chain(spec, new core.LedgerMachine(spec));
  const blocks = [];
  const nonces = new Map();
  for (let b = 0; b < BLOCKS; b++) {
    const batch = [];
    for (let i = 0; i < TXS_PER_BLOCK; i++) {
      const from = keys[i % keys.length];
      const addr = core.privateKeyToAddress(from);
      const nonce = nonces.get(addr) ?? 0;
      nonces.set(addr, nonce + 1);
      batch.push(
        core.signTx(
          {
            to: core.privateKeyToAddress(keys[(i + 1) % keys.length]),
            amount: 1n,
            fee: spec.minFee,
            nonce,
            chainId: spec.chainId,
          },
          from,
        ),
      );
    }
    const block = core.solveBlock(
      core.blockTemplate(builder, {
        time: spec.genesis.time + 10 * (b + 1),
        txs: batch,
        coinbase: core.privateKeyToAddress(keys[0]),
      }),
    );
    const r = builder.processBlock(block, { now: 2e9 });
    if (r.status !== 'accepted') throw new Error(`bench block refused: ${r.error?.message}`);
    blocks.push(block);
  }
  return blocks;
}
const blocks = buildChainOfBlocks();
function validateAll(cache) {
  const chain = new core.Chain(spec, new core.LedgerMachine(spec), { sanity: { sigCache: cache } });
  const start = performance.now();
  for (const b of blocks)
    if (chain.processBlock(b, { now: 2e9 }).status !== 'accepted') throw new Error('refused');
  return (performance.now() - start) / 1000;
}
const cold = validateAll(new core.SignatureCache());
const coldLibsecp = validateAll(new core.SignatureCache(100_000, new LibsecpVerifier()));
const warmCache = new core.SignatureCache();
validateAll(warmCache);
const warm = validateAll(warmCache);
results.blockValidation = {
  txsPerBlock: TXS_PER_BLOCK,
  coldBlocksPerSec: BLOCKS / cold,
  coldTxPerSec: (BLOCKS * TXS_PER_BLOCK) / cold,
  cachedBlocksPerSec: BLOCKS / warm,
  cachedTxPerSec: (BLOCKS * TXS_PER_BLOCK) / warm,
  coldVsOpensslVerify: (BLOCKS * TXS_PER_BLOCK) / cold / opensslPerSec,
  coldLibsecpTxPerSec: (BLOCKS * TXS_PER_BLOCK) / coldLibsecp,
};

const f = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
console.log('core benchmarks (ratios against baselines measured in this run)');
console.log(
  `  signature verify (recover + address)   ${f(oursPerSec)}/s   = ${(results.verify.ratio * 100).toFixed(1)}% of OpenSSL ECDSA verify (${f(opensslPerSec)}/s)`,
);
console.log(
  `  same, libsecp256k1 (WASM) recovery     ${f(libsecpPerSec)}/s   = ${(results.verify.libsecpRatio * 100).toFixed(1)}% of OpenSSL ECDSA verify, ×${results.verify.libsecpVsNoble.toFixed(1)} pure JS`,
);
console.log(
  `  parallel verify, worker threads        1: ${f(one)}/s   2: ${f(two)}/s   speedup ×${results.parallelVerify.speedup.toFixed(2)}`,
);
console.log(
  `  block validation, ${TXS_PER_BLOCK}-tx blocks, cold  ${f(results.blockValidation.coldBlocksPerSec)} blocks/s  ${f(results.blockValidation.coldTxPerSec)} tx/s  (= ×${results.blockValidation.coldVsOpensslVerify.toFixed(3)} OpenSSL verify/s)`,
);
console.log(
  `  block validation, cold, libsecp (WASM)  ${f(results.blockValidation.coldLibsecpTxPerSec)} tx/s  (×${(cold / coldLibsecp).toFixed(1)} the pure-JS cold rate)`,
);
console.log(
  `  block validation, signatures cached    ${f(results.blockValidation.cachedBlocksPerSec)} blocks/s  ${f(results.blockValidation.cachedTxPerSec)} tx/s  (×${(warm > 0 ? cold / warm : 0).toFixed(1)} the cold rate)`,
);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
