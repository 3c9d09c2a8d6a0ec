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
import * as core from '@chainlab/core';
import {
  CLIENTS,
  anvilCheckTransfers,
  anvilFund,
  exitUnlessAnvil,
  benchArgs,
  blast,
  ethTransferBodies,
  fmt as f,
  fundedSpec,
  getJson,
  log,
  startAnvil,
  startChainlab,
  stop,
  transferBodies,
  viemAccounts,
  warmedUpLoad,
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

// SENDERS senders send TXS in all, after WARM_TXS from SENDERS others (unmeasured).
const load = warmedUpLoad({ txs: TXS, warmTxs: WARM_TXS, senders: SENDERS });
const { nonces, warmUp, measured } = load;
const TXS_MEASURED = load.measuredTxs;
const TXS_SENT = load.totalTxs;
const senderKeys = Array.from({ length: load.senders }, (_, i) =>
  core.devPrivateKey(70_000 + Math.floor(Math.random() * 1e9) + i),
);
const sink = core.privateKeyToAddress(core.devPrivateKey(69_999));

// ---- one round of each ----
async function runAnvil(senders, bodies, mining) {
  const anvil = await startAnvil(mining ? [] : ['--no-mining']);
  const addresses = senders.map((a) => a.address);
  await anvilFund(anvil.url, addresses);
  const check = (res) => {
    const j = JSON.parse(res.body.toString());
    if (res.status !== 200 || j.error) throw new Error(`anvil refused a tx: ${res.body}`);
  };
  await blast(anvil.url, warmUp(bodies), check);
  const rate = await blast(anvil.url, measured(bodies), check);
  await anvilCheckTransfers(anvil.url, { mining, addresses, count: nonces, total: TXS_SENT });
  await stop(anvil);
  return rate;
}

async function runChainlab(specPath, bodies) {
  const chain = await startChainlab(specPath, { mempoolArgs: MEMPOOL_ARGS });
  const check = (res) => {
    if (res.status !== 200) throw new Error(`/pushtx refused a tx: ${res.body}`);
  };
  await blast(`${chain.mempool.url}/pushtx`, warmUp(bodies), check);
  const rate = await blast(`${chain.mempool.url}/pushtx`, measured(bodies), check);
  const status = await getJson(`${chain.mempool.url}/status`);
  if (status.pending !== TXS_SENT) throw new Error(`the mempool holds ${status.pending} txs`);
  await chain.stop();
  return rate;
}

exitUnlessAnvil(jsonOut);

// chainlab: a devnet whose genesis funds the senders; Anvil: the same keys as viem
// accounts, EIP-1559 transfers.
const { spec, specPath } = fundedSpec(
  { extends: 'devnet', name: 'bench-vs-anvil', retarget: { rule: 'fixed' } },
  senderKeys.map((k) => core.privateKeyToAddress(k)),
);
const chainlabBodies = transferBodies(spec, senderKeys, nonces, sink);
const { privateKeyToAccount } = await viemAccounts();
const anvilSenders = senderKeys.map((k) => privateKeyToAccount(k));
const anvilBodies = await ethTransferBodies(anvilSenders, 31337, nonces, sink);

const rounds = [];
for (let i = 0; i < ROUNDS; i++) {
  // Alternate, so a machine that gets busier or quieter during the run hits both alike.
  const anvil = await runAnvil(anvilSenders, anvilBodies, true);
  const anvilPool = await runAnvil(anvilSenders, anvilBodies, false);
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
