// chainlab's mempool against Anvil (Foundry's local Ethereum node) on the same machine, in
// the same run: signed-transfer admission over HTTP, 8 clients with pre-signed txs.
// chainlab: POST /pushtx; Anvil: eth_sendRawTransaction, as it runs by default (automine:
// every tx is mined into its own block before the answer) and with --no-mining (it only
// admits to its pool, as /pushtx does). Every figure is a ratio of rates measured a few
// seconds apart, rounds alternating.
//   node apps/mempool/bench/vs-anvil.bench.mjs [--txs 4000] [--warm-txs 2000] [--json out.json] [--quick]
//
// Anvil comes from the npm package @foundry-rs/anvil-linux-amd64 (a root devDependency);
// on other platforms the comparison is skipped with a message.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as core from '@chainlab/core';
import {
  CLIENTS,
  anvilUnavailable,
  benchArgs,
  blast,
  fmt as f,
  getJson,
  log,
  rpc,
  startAnvil,
  startService,
  stop,
  tmp,
  viemAccounts,
} from '../../../scripts/bench-lib.mjs';

const { opt, quick, jsonOut } = benchArgs();
const TXS = Number(opt('--txs', quick ? 800 : 4000));
// Each server first takes this many txs unmeasured, as JIT compilers (V8's here) and
// allocators warm up: the figures are steady-state admission rates.
const WARM_TXS = Number(opt('--warm-txs', quick ? 400 : 2000));
const SENDERS = 200;
// Extra mempool flags to try a setting (e.g. --mempool-args '--verify-threads 1').
const MEMPOOL_ARGS = opt('--mempool-args', '').split(' ').filter(Boolean);
const ROUNDS = quick ? 1 : 2;

// ---- the txs: SENDERS senders, TXS in all, consecutive nonces; the warm-up's txs come
// from SENDERS senders of their own (the first ones) ----
const perSender = Math.ceil(TXS / SENDERS);
const warmPerSender = Math.ceil(WARM_TXS / SENDERS);
/** How many txs sender i sends. */
const nonces = (i) => (i < SENDERS ? warmPerSender : perSender);
const warmUp = (bodies) => bodies.slice(0, SENDERS);
const measured = (bodies) => bodies.slice(SENDERS);
const senderKeys = Array.from({ length: 2 * SENDERS }, (_, i) =>
  core.devPrivateKey(70_000 + Math.floor(Math.random() * 1e9) + i),
);
const sink = core.privateKeyToAddress(core.devPrivateKey(69_999));

// chainlab: a devnet whose genesis funds the senders.
function chainlabTxs(spec) {
  return senderKeys.map((key, i) =>
    Array.from({ length: nonces(i) }, (_, nonce) =>
      JSON.stringify(
        core.txToJson(
          core.signTx(
            { to: sink, amount: 1000n, fee: spec.minFee, nonce, chainId: spec.chainId },
            key,
          ),
        ),
      ),
    ),
  );
}

// Anvil: EIP-1559 transfers signed with viem (the wallet's dependency).
async function anvilTxs() {
  const { privateKeyToAccount } = await viemAccounts();
  let id = 0;
  return Promise.all(
    senderKeys.map(async (key, i) => {
      const account = privateKeyToAccount(key);
      const bodies = [];
      for (let nonce = 0; nonce < nonces(i); nonce++) {
        const raw = await account.signTransaction({
          type: 'eip1559',
          chainId: 31337,
          nonce,
          to: sink,
          value: 1000n,
          gas: 21_000n,
          maxFeePerGas: 10_000_000_000n,
          maxPriorityFeePerGas: 1_000_000_000n,
        });
        bodies.push(
          JSON.stringify({
            jsonrpc: '2.0',
            id: ++id,
            method: 'eth_sendRawTransaction',
            params: [raw],
          }),
        );
      }
      return { address: account.address, bodies };
    }),
  );
}

// ---- one round of each ----
async function runAnvil(signed, mining) {
  const anvil = await startAnvil(mining ? [] : ['--no-mining']);
  for (const { address } of signed)
    await rpc(anvil.url, 'anvil_setBalance', [address, '0x' + (10n ** 24n).toString(16)]);
  const bodies = signed.map((s) => s.bodies);
  const check = (res) => {
    const j = JSON.parse(res.body.toString());
    if (res.status !== 200 || j.error) throw new Error(`anvil refused a tx: ${res.body}`);
  };
  await blast(anvil.url, warmUp(bodies), check);
  const rate = await blast(anvil.url, measured(bodies), check);
  if (mining) {
    // Automine answers first and mines what arrived together into one block; txs that
    // came in while a block was being mined can wait for the next tx. Mine those, then
    // count the mined txs by the senders' nonces.
    for (let i = 0; Number((await rpc(anvil.url, 'txpool_status')).pending) > 0; i++) {
      if (i > 100) throw new Error('anvil does not mine its pool');
      await rpc(anvil.url, 'evm_mine');
    }
    for (const [i, { address }] of signed.entries()) {
      const nonce = Number(await rpc(anvil.url, 'eth_getTransactionCount', [address, 'latest']));
      if (nonce !== nonces(i)) throw new Error(`anvil mined ${nonce} txs of ${address}`);
    }
  } else {
    const pending = await rpc(anvil.url, 'txpool_status');
    if (Number(pending.pending) !== TXS_SENT) throw new Error(`anvil holds ${pending.pending} txs`);
  }
  await stop(anvil);
  return rate;
}

async function runChainlab(specPath, bodies) {
  const tracker = await startService('tracker', []);
  const mempool = await startService('mempool', [
    '--spec',
    specPath,
    '--tracker',
    tracker.url,
    '--data-dir',
    tmp('chainlab-bench-mp-'),
    ...MEMPOOL_ARGS,
  ]);
  const check = (res) => {
    if (res.status !== 200) throw new Error(`/pushtx refused a tx: ${res.body}`);
  };
  await blast(`${mempool.url}/pushtx`, warmUp(bodies), check);
  const rate = await blast(`${mempool.url}/pushtx`, measured(bodies), check);
  const status = await getJson(`${mempool.url}/status`);
  if (status.pending !== TXS_SENT) throw new Error(`the mempool holds ${status.pending} txs`);
  await stop(mempool);
  await stop(tracker);
  return rate;
}

const TXS_MEASURED = perSender * SENDERS;
const TXS_SENT = TXS_MEASURED + warmPerSender * SENDERS;
const why = anvilUnavailable();
if (why) {
  log(`Anvil comparison skipped: ${why}`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ skipped: true }));
  process.exit(0);
}

const allocations = {};
for (const k of senderKeys) allocations[core.privateKeyToAddress(k)] = (10n ** 24n).toString();
const specJson = {
  extends: 'devnet',
  name: 'bench-vs-anvil',
  genesis: { allocations },
  retarget: { rule: 'fixed' },
};
const spec = core.loadSpec(specJson);
const specPath = path.join(tmp('chainlab-bench-spec-'), 'spec.json');
writeFileSync(specPath, JSON.stringify(specJson));
const chainlabBodies = chainlabTxs(spec);
const anvilSigned = await anvilTxs();

const rounds = [];
for (let i = 0; i < ROUNDS; i++) {
  // Alternate, so a machine that gets busier or quieter during the run hits both alike.
  const anvil = await runAnvil(anvilSigned, true);
  const anvilPool = await runAnvil(anvilSigned, false);
  const chainlab = await runChainlab(specPath, chainlabBodies);
  rounds.push({ anvil, anvilPool, chainlab });
}
const best = (k) => Math.max(...rounds.map((r) => r[k]));
const results = {
  txs: TXS_MEASURED,
  warmUpTxs: TXS_SENT - TXS_MEASURED,
  senders: SENDERS,
  clients: CLIENTS,
  rounds,
  anvilTxPerSec: best('anvil'),
  anvilNoMiningTxPerSec: best('anvilPool'),
  chainlabTxPerSec: best('chainlab'),
  ratio: best('chainlab') / best('anvil'),
  ratioNoMining: best('chainlab') / best('anvilPool'),
};
log(
  `signed-transfer admission over HTTP, ${CLIENTS} clients, ${f(TXS_MEASURED)} pre-signed txs from ${SENDERS} senders, after ${f(TXS_SENT - TXS_MEASURED)} unmeasured from others (best of ${ROUNDS})`,
);
log(
  `  Anvil eth_sendRawTransaction (default, automine) ${f(results.anvilTxPerSec).padStart(7)} tx/s`,
);
log(
  `  Anvil eth_sendRawTransaction (--no-mining)        ${f(results.anvilNoMiningTxPerSec).padStart(7)} tx/s`,
);
log(
  `  chainlab POST /pushtx                             ${f(results.chainlabTxPerSec).padStart(7)} tx/s   ×${f(results.ratio, 2)} Anvil default, ×${f(results.ratioNoMining, 2)} Anvil --no-mining`,
);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ quick, ...results }, null, 2));
process.exit(0);
