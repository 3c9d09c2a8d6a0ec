// chainlab's mempool against Anvil (Foundry's local Ethereum node) on the same machine, in
// the same run: signed-transfer admission over HTTP, 8 clients with pre-signed txs.
// chainlab: POST /pushtx; Anvil: eth_sendRawTransaction, as it runs by default (automine:
// every tx is mined into its own block before the answer) and with --no-mining (it only
// admits to its pool, as /pushtx does). Every figure is a ratio of rates measured a few
// seconds apart, rounds alternating.
//   node apps/mempool/bench/vs-anvil.bench.mjs [--txs 2000] [--json out.json] [--quick]
//
// Anvil comes from the npm package @foundry-rs/anvil-linux-amd64 (a root devDependency);
// on other platforms the comparison is skipped with a message.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as core from '@chainlab/core';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, def) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : def);
const quick = argv.includes('--quick');
const TXS = Number(opt('--txs', quick ? 800 : 2000));
const SENDERS = 200;
// Extra mempool flags to try a setting (e.g. --mempool-args '--verify-threads 1').
const MEMPOOL_ARGS = opt('--mempool-args', '').split(' ').filter(Boolean);
const CLIENTS = 8;
const ROUNDS = quick ? 1 : 2;
const jsonOut = opt('--json', null);
const log = (s) => process.stdout.write(s + '\n');
// CHAINLAB_BENCH_PROFILE=dir: the services write V8 CPU profiles there (--cpu-prof).
const PROFILE = process.env.CHAINLAB_BENCH_PROFILE
  ? ['--cpu-prof', '--cpu-prof-dir', process.env.CHAINLAB_BENCH_PROFILE]
  : [];

const dirs = [];
const procs = [];
const tmp = (p) => {
  const d = mkdtempSync(path.join(tmpdir(), p));
  dirs.push(d);
  return d;
};
function cleanup() {
  for (const p of procs) p.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
process.on('exit', cleanup);

// ---- the clients: plain node:http with keep-alive, the same for both servers ----
const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
function post(url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: 30_000,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`POST ${url}: no answer in 30 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends every body with CLIENTS requests in flight. `bodies[s]` is sender s's txs in nonce
 * order; client c takes senders c, c + CLIENTS, ... so each sender's nonces arrive in order.
 */
async function blast(url, bodies, check) {
  const start = performance.now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let s = c; s < bodies.length; s += CLIENTS) {
        for (const body of bodies[s]) {
          const res = await post(url, body);
          check(res);
          sent++;
        }
      }
    }),
  );
  return sent / ((performance.now() - start) / 1000);
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function startService(app, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...PROFILE, path.join(ROOT, `apps/${app}/dist/main.js`), '--port', '0', ...args],
      {
        env: { ...process.env, CHAINLAB_LOG_FORMAT: 'json', CHAINLAB_LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    procs.push(child);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = / listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve({ url: m[1], child });
    });
    child.on('exit', (code) => reject(new Error(`${app} exited with ${code}`)));
  });
}
const stop = (p) =>
  new Promise((resolve) => {
    if (p.child.exitCode !== null) return resolve();
    p.child.once('exit', resolve);
    p.child.kill('SIGTERM');
  });

// ---- the txs: SENDERS senders, TXS in all, consecutive nonces ----
const perSender = Math.ceil(TXS / SENDERS);
const senderKeys = Array.from({ length: SENDERS }, (_, i) =>
  core.devPrivateKey(70_000 + Math.floor(Math.random() * 1e9) + i),
);
const sink = core.privateKeyToAddress(core.devPrivateKey(69_999));

// chainlab: a devnet whose genesis funds the senders.
function chainlabTxs(spec) {
  return senderKeys.map((key) =>
    Array.from({ length: perSender }, (_, nonce) =>
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
  const walletRequire = createRequire(path.join(ROOT, 'apps/wallet-cli/package.json'));
  const { privateKeyToAccount } = await import(
    pathToFileURL(walletRequire.resolve('viem/accounts')).href
  );
  let id = 0;
  return Promise.all(
    senderKeys.map(async (key) => {
      const account = privateKeyToAccount(key);
      const bodies = [];
      for (let nonce = 0; nonce < perSender; nonce++) {
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

async function startAnvil(mining) {
  const bin = path.join(ROOT, 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil');
  const port = await freePort();
  const flags = ['--port', String(port), '--silent', ...(mining ? [] : ['--no-mining'])];
  const child = spawn(bin, flags, {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  procs.push(child);
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await post(url, '{"jsonrpc":"2.0","id":0,"method":"eth_chainId","params":[]}');
      if (r.status === 200) return { url, child };
    } catch {
      /* not up yet */
    }
    if (Date.now() > end || child.exitCode !== null) throw new Error('anvil did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function rpc(url, method, params) {
  const r = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
  const j = JSON.parse(r.body.toString());
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}

// ---- one round of each ----
async function runAnvil(signed, mining) {
  const anvil = await startAnvil(mining);
  for (const { address } of signed)
    await rpc(anvil.url, 'anvil_setBalance', [address, '0x' + (10n ** 24n).toString(16)]);
  const bodies = signed.map((s) => s.bodies);
  const rate = await blast(anvil.url, bodies, (res) => {
    const j = JSON.parse(res.body.toString());
    if (res.status !== 200 || j.error) throw new Error(`anvil refused a tx: ${res.body}`);
  });
  if (mining) {
    // Automine answers first and mines what arrived together into one block; txs that
    // came in while a block was being mined can wait for the next tx. Mine those, then
    // count the mined txs by the senders' nonces.
    for (let i = 0; Number((await rpc(anvil.url, 'txpool_status', [])).pending) > 0; i++) {
      if (i > 100) throw new Error('anvil does not mine its pool');
      await rpc(anvil.url, 'evm_mine', []);
    }
    for (const { address } of signed) {
      const nonce = Number(await rpc(anvil.url, 'eth_getTransactionCount', [address, 'latest']));
      if (nonce !== perSender) throw new Error(`anvil mined ${nonce} txs of ${address}`);
    }
  } else {
    const pending = await rpc(anvil.url, 'txpool_status', []);
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
  const rate = await blast(`${mempool.url}/pushtx`, bodies, (res) => {
    if (res.status !== 200) throw new Error(`/pushtx refused a tx: ${res.body}`);
  });
  const status = JSON.parse(
    await new Promise((resolve, reject) => {
      http
        .get(`${mempool.url}/status`, (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks).toString()));
        })
        .on('error', reject);
    }),
  );
  if (status.pending !== TXS_SENT) throw new Error(`the mempool holds ${status.pending} txs`);
  await stop(mempool);
  await stop(tracker);
  return rate;
}

const TXS_SENT = perSender * SENDERS;
const anvilBin = path.join(ROOT, 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil');
if (process.platform !== 'linux' || process.arch !== 'x64' || !existsSync(anvilBin)) {
  log(
    `Anvil comparison skipped: it needs @foundry-rs/anvil-linux-amd64 (linux x64; this is ${process.platform} ${process.arch}${existsSync(anvilBin) ? '' : ', package not installed'})`,
  );
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
  txs: TXS_SENT,
  senders: SENDERS,
  clients: CLIENTS,
  rounds,
  anvilTxPerSec: best('anvil'),
  anvilNoMiningTxPerSec: best('anvilPool'),
  chainlabTxPerSec: best('chainlab'),
  ratio: best('chainlab') / best('anvil'),
  ratioNoMining: best('chainlab') / best('anvilPool'),
};
const f = (x, d = 0) =>
  x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
log(
  `signed-transfer admission over HTTP, ${CLIENTS} clients, ${f(TXS_SENT)} pre-signed txs from ${SENDERS} senders (best of ${ROUNDS})`,
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
