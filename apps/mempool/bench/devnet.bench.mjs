// End-to-end devnet benchmark (issue 6): how many txs/s reach one confirmation on a devnet
// of tracker + mempool + 3 mining nodes (real processes on loopback), and how full the
// blocks are. Baseline measured in the same run: the rate at which the mempool admits the
// same txs (POST /pushtx), so the ratio says what mining, gossip and confirmation cost.
//   node apps/mempool/bench/devnet.bench.mjs [--txs 2000] [--json out.json] [--quick]
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as core from '@chainlab/core';
import { benchArgs, startService, tmp } from '../../../scripts/bench-lib.mjs';

const { opt, quick, jsonOut } = benchArgs();
const TXS = Number(opt('--txs', quick ? 400 : 2000));

// The devnet as `pnpm dev` runs it (LWMA, 2 s blocks), with an easier start so the bench
// does not wait for the difficulty to settle.
const specJson = { extends: 'devnet', name: 'bench-devnet', genesis: { bits: '0x1e06b5fc' } };
const spec = core.loadSpec(specJson);
const specPath = path.join(tmp('chainlab-bench-spec-'), 'spec.json');
writeFileSync(specPath, JSON.stringify(specJson));

const start = async (app, args) => (await startService(app, ['--spec', specPath, ...args])).url;
const getJson = async (url) => (await fetch(url, { signal: AbortSignal.timeout(20_000) })).json();
async function waitFor(fn, ms = 600_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => false);
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

// Pre-signed txs from the ten dev accounts, consecutive nonces each.
const keys = spec.devKeys;
const txs = [];
for (let i = 0; i < TXS; i++) {
  const k = i % keys.length;
  txs.push(
    core.signTx(
      {
        to: core.privateKeyToAddress(keys[(k + 1) % keys.length]),
        amount: 1000n,
        fee: spec.minFee,
        nonce: Math.floor(i / keys.length),
        chainId: spec.chainId,
      },
      keys[k],
    ),
  );
}

const tracker = await start('tracker', []);
const mempool = await start('mempool', [
  '--tracker',
  tracker,
  '--data-dir',
  tmp('chainlab-bench-mp-'),
]);
const nodes = [];
for (let i = 0; i < 3; i++) {
  nodes.push(
    await start('node', [
      '--tracker',
      tracker,
      '--mempool',
      mempool,
      '--threads',
      '1',
      '--data-dir',
      tmp('chainlab-bench-n-'),
      '--coinbase',
      core.privateKeyToAddress(keys[9 - i]),
    ]),
  );
}
await waitFor(async () => (await getJson(`${nodes[0]}/tip`)).height >= 3, 120_000);
const startHeight = (await getJson(`${nodes[0]}/tip`)).height;

// Admission (the baseline): push every tx, 8 requests in flight.
let next = 0;
const pushStart = performance.now();
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < txs.length) {
      const tx = txs[next++];
      const r = await fetch(`${mempool}/pushtx`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(core.txToJson(tx)),
      });
      if (r.status !== 200) throw new Error(`pushtx ${r.status} ${await r.text()}`);
    }
  }),
);
const pushSecs = (performance.now() - pushStart) / 1000;

// Confirmation: every tx in a block of the active chain.
const ids = txs.map((t) => core.txid(t));
await waitFor(async () => {
  for (const id of [ids[ids.length - 1], ...ids.filter((_, i) => i % 97 === 0)]) {
    if ((await getJson(`${mempool}/confirmations/${id}`)).confirmations < 1) return false;
  }
  return true;
});
const confirmSecs = (performance.now() - pushStart) / 1000;

// Block fill: the blocks that carried the txs, against the size limit.
const endHeight = (await getJson(`${nodes[0]}/tip`)).height;
const page = await getJson(
  `${nodes[0]}/blockchain?from=${startHeight + 1}&limit=${endHeight - startHeight}`,
);
const carrying = page.blocks.filter((b) => b.txs.length > 1);
const fills = carrying.map((b) => core.blockSize(core.parseBlock(b, spec)) / spec.maxBlockBytes);
const txsPerBlock = carrying.map((b) => b.txs.length - 1);

const results = {
  txs: TXS,
  admissionTxPerSec: TXS / pushSecs,
  confirmedTxPerSec: TXS / confirmSecs,
  confirmedVsAdmission: pushSecs / confirmSecs,
  blocksCarryingTxs: carrying.length,
  meanTxsPerBlock: txsPerBlock.reduce((a, b) => a + b, 0) / Math.max(1, carrying.length),
  meanBlockFill: fills.reduce((a, b) => a + b, 0) / Math.max(1, fills.length),
  maxBlockFill: fills.reduce((m, f) => Math.max(m, f), 0),
};
console.log(
  `devnet end to end (tracker + mempool + 3 mining nodes, ${TXS} transfers from 10 senders)`,
);
console.log(`  admitted by the mempool (baseline)   ${results.admissionTxPerSec.toFixed(0)} tx/s`);
console.log(
  `  reached 1 confirmation               ${results.confirmedTxPerSec.toFixed(0)} tx/s = ×${results.confirmedVsAdmission.toFixed(2)} of admission`,
);
console.log(
  `  blocks carrying them                 ${carrying.length}, ${results.meanTxsPerBlock.toFixed(0)} txs each on average`,
);
console.log(
  `  block fill (size / maxBlockBytes)    mean ${(results.meanBlockFill * 100).toFixed(1)}%, max ${(results.maxBlockFill * 100).toFixed(1)}%`,
);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
process.exit(0);
