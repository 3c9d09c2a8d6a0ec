// A level-3 node's Ethereum JSON-RPC against Anvil (Foundry's local Ethereum node) on the
// same machine, in the same run, over the same HTTP clients (8, keep-alive):
//   - eth_sendRawTransaction: admissions/s of pre-signed EIP-1559 transfers from 200
//     senders, each sender's nonces in order. chainlab: POST /rpc on a node (--no-mine),
//     which hands each tx to its mempool. Anvil: as it starts by default (automine: each
//     tx mined into a block before or right after the answer) and with --no-mining (it
//     only admits to its pool, as chainlab's node does).
//   - eth_call: ERC-20 balanceOf (examples/token) at `latest`, answered per second.
// Every figure is printed as a ratio to Anvil's; rounds alternate, best of each.
//   node apps/node/bench/eth-rpc-vs-anvil.bench.mjs [--txs 4000] [--warm-txs 2000] [--calls 4000] [--json out.json] [--quick]
//
// Anvil comes from the npm package @foundry-rs/anvil-linux-amd64 (a root devDependency);
// on other platforms the comparison is skipped with a message.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as core from '@chainlab/core';
import { compile, encodeCall, encodeDeploy } from '@chainlab/evm';
import {
  CLIENTS,
  FUNDS,
  ROOT,
  anvilCheckTransfers,
  anvilFund,
  exitUnlessAnvil,
  benchArgs,
  blast,
  ethTransferBodies,
  fmt,
  fundedSpec,
  getJson,
  log,
  post,
  rpc,
  startAnvil,
  startChainlab,
  stop,
  viemAccounts,
  waitFor,
  warmedUpLoad,
} from '../../../scripts/bench-lib.mjs';

const { opt, quick, jsonOut } = benchArgs();
const TXS = Number(opt('--txs', quick ? 800 : 4000));
// Each server first takes this many txs unmeasured (from senders of their own), as JIT
// compilers (V8's here) and allocators warm up: the figures are steady-state rates.
const WARM_TXS = Number(opt('--warm-txs', quick ? 400 : 2000));
const CALLS = Number(opt('--calls', quick ? 1600 : 4000));
const SENDERS = 200;
const ROUNDS = quick ? 1 : 2;
const ANVIL_CHAIN_ID = 31337;

exitUnlessAnvil(jsonOut);

const { privateKeyToAccount } = await viemAccounts();
// SENDERS senders send TXS in all, after WARM_TXS from SENDERS others (unmeasured).
const load = warmedUpLoad({ txs: TXS, warmTxs: WARM_TXS, senders: SENDERS });
const { nonces, warmUp, measured } = load;
const TXS_MEASURED = load.measuredTxs;
const TXS_SENT = load.totalTxs;
const senders = Array.from({ length: load.senders }, (_, i) =>
  privateKeyToAccount(core.devPrivateKey(90_000 + Math.floor(Math.random() * 1e9) + i)),
);
const deployer = privateKeyToAccount(core.devPrivateKey(89_998));
const sink = privateKeyToAccount(core.devPrivateKey(89_999)).address;
const GWEI = 10n ** 9n;

// The same ERC-20 on both: the deployer holds the supply, eth_call asks for its balance.
const token = compile(path.join(ROOT, 'examples/token/Token.sol'), 'Token');
const SUPPLY = FUNDS;
const balanceOfData = encodeCall('balanceOf(address)', [deployer.address]);

async function deployToken(url, chainId, mine) {
  const deployData = encodeDeploy(token, ['Bench', 'BNC', SUPPLY]);
  const raw = await deployer.signTransaction({
    type: 'eip1559',
    chainId,
    nonce: 0,
    data: deployData,
    gas: 3_000_000n,
    maxFeePerGas: 10n * GWEI,
    maxPriorityFeePerGas: GWEI,
  });
  const hash = await rpc(url, 'eth_sendRawTransaction', [raw]);
  for (let i = 0; ; i++) {
    const receipt = await rpc(url, 'eth_getTransactionReceipt', [hash]);
    if (receipt) {
      if (receipt.status !== '0x1') throw new Error(`the token deploy failed on ${url}`);
      return receipt.contractAddress;
    }
    if (i > 50) throw new Error(`the token deploy was not mined on ${url}`);
    await mine();
  }
}

function callBodies(to) {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'eth_call',
    params: [{ to, data: balanceOfData }, 'latest'],
  });
  // CLIENTS "senders" with CALLS / CLIENTS calls each: every client busy all along.
  return Array.from({ length: CLIENTS }, () =>
    Array.from({ length: Math.ceil(CALLS / CLIENTS) }, () => body),
  );
}

const expectedBalance = '0x' + SUPPLY.toString(16).padStart(64, '0');
function checkCall(res) {
  const j = JSON.parse(res.body.toString());
  if (res.status !== 200 || j.result !== expectedBalance)
    throw new Error(`eth_call answered ${res.status} ${res.body}`);
}
function checkAdmitted(res) {
  const j = JSON.parse(res.body.toString());
  if (res.status !== 200 || j.error) throw new Error(`a tx was refused: ${res.body}`);
}

// ---- one round of each ----

async function runAnvil(bodies, mining) {
  const anvil = await startAnvil(mining ? [] : ['--no-mining']);
  await anvilFund(
    anvil.url,
    [...senders, deployer].map((a) => a.address),
  );
  let callRate = null;
  if (mining) {
    const address = await deployToken(anvil.url, ANVIL_CHAIN_ID, () => rpc(anvil.url, 'evm_mine'));
    callRate = await blast(anvil.url, callBodies(address), checkCall);
  }
  await blast(anvil.url, warmUp(bodies), checkAdmitted);
  const rate = await blast(anvil.url, measured(bodies), checkAdmitted);
  await anvilCheckTransfers(anvil.url, {
    mining,
    addresses: senders.map((a) => a.address),
    count: nonces,
    total: TXS_SENT,
  });
  await stop(anvil);
  return { rate, callRate };
}

async function runChainlab(specPath, chainId, bodies) {
  const chain = await startChainlab(specPath, { node: true });
  const url = `${chain.node.url}/rpc`;
  const address = await deployToken(url, chainId, () =>
    post(`${chain.node.url}/dev/mine`, JSON.stringify({ blocks: 1 })),
  );
  // The mempool settles on the tip with the token before the timed part.
  await waitFor(
    async () => (await getJson(`${chain.mempool.url}/status`)).height >= 1,
    'the mempool does not follow the node',
  );
  const callRate = await blast(url, callBodies(address), checkCall);
  await blast(url, warmUp(bodies), checkAdmitted);
  const rate = await blast(url, measured(bodies), checkAdmitted);
  const status = await getJson(`${chain.mempool.url}/status`);
  if (status.pending !== TXS_SENT) throw new Error(`the mempool holds ${status.pending} txs`);
  await chain.stop();
  return { rate, callRate };
}

const { spec, specPath } = fundedSpec(
  {
    extends: 'devnet-contracts',
    name: 'bench-eth-rpc',
    genesis: { bits: '0x207fffff' },
    retarget: { rule: 'fixed' },
  },
  [...senders, deployer].map((a) => a.address),
);
const chainlabBodies = await ethTransferBodies(senders, spec.chainId, nonces, sink);
const anvilBodies = await ethTransferBodies(senders, ANVIL_CHAIN_ID, nonces, sink);

const rounds = [];
for (let i = 0; i < ROUNDS; i++) {
  // Alternate, so a machine that gets busier or quieter during the run hits both alike.
  const anvil = await runAnvil(anvilBodies, true);
  const anvilPool = await runAnvil(anvilBodies, false);
  const chainlab = await runChainlab(specPath, spec.chainId, chainlabBodies);
  rounds.push({
    anvilSend: anvil.rate,
    anvilNoMiningSend: anvilPool.rate,
    chainlabSend: chainlab.rate,
    anvilCall: anvil.callRate,
    chainlabCall: chainlab.callRate,
  });
}
const best = (k) => Math.max(...rounds.map((r) => r[k]));
const results = {
  txs: TXS_MEASURED,
  warmUpTxs: TXS_SENT - TXS_MEASURED,
  calls: callBodies('0x').flat().length,
  senders: SENDERS,
  clients: CLIENTS,
  rounds,
  anvilSendPerSec: best('anvilSend'),
  anvilNoMiningSendPerSec: best('anvilNoMiningSend'),
  chainlabSendPerSec: best('chainlabSend'),
  sendRatio: best('chainlabSend') / best('anvilSend'),
  sendRatioNoMining: best('chainlabSend') / best('anvilNoMiningSend'),
  anvilCallPerSec: best('anvilCall'),
  chainlabCallPerSec: best('chainlabCall'),
  callRatio: best('chainlabCall') / best('anvilCall'),
};
log(
  `eth_sendRawTransaction over HTTP, ${CLIENTS} clients, ${fmt(TXS_MEASURED)} pre-signed EIP-1559 transfers from ${SENDERS} senders, after ${fmt(TXS_SENT - TXS_MEASURED)} unmeasured from others (best of ${ROUNDS})`,
);
log(`  Anvil (default, automine)   ${fmt(results.anvilSendPerSec).padStart(7)} tx/s`);
log(`  Anvil (--no-mining)         ${fmt(results.anvilNoMiningSendPerSec).padStart(7)} tx/s`);
log(
  `  chainlab node POST /rpc     ${fmt(results.chainlabSendPerSec).padStart(7)} tx/s   ×${fmt(results.sendRatio, 2)} Anvil default (goal ≥ 1), ×${fmt(results.sendRatioNoMining, 2)} Anvil --no-mining`,
);
log(`eth_call ERC-20 balanceOf at latest, ${CLIENTS} clients, ${fmt(results.calls)} calls`);
log(`  Anvil                       ${fmt(results.anvilCallPerSec).padStart(7)} calls/s`);
log(
  `  chainlab node POST /rpc     ${fmt(results.chainlabCallPerSec).padStart(7)} calls/s   ×${fmt(results.callRatio, 2)} Anvil (goal ≥ 0.5)`,
);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ quick, ...results }, null, 2));
process.exit(0);
