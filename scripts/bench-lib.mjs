// What the benchmarks share: command-line options, temp dirs, starting the built services
// (and Anvil) as child processes, and HTTP clients that are the same for every server
// measured. One copy, so that every figure comes from the same harness.
//   import { benchArgs, startService, startAnvil, blast, ... } from '../../../scripts/bench-lib.mjs';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as core from '../packages/core/dist/index.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** `--name value` options, `--quick` and `--json <file>` (the latter two set by pnpm bench). */
export function benchArgs(argv = process.argv.slice(2)) {
  const opt = (name, def) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : def);
  return { opt, quick: argv.includes('--quick'), jsonOut: opt('--json', null) };
}

export const log = (s) => process.stdout.write(s + '\n');

/** Thousands separators, `d` decimals. */
export const fmt = (x, d = 0) =>
  x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

// ---- cleanup: every child is killed and every temp dir removed when the bench exits ----

const dirs = [];
const procs = [];
export function tmp(prefix) {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
process.on('exit', () => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// CHAINLAB_BENCH_PROFILE=dir: the services write V8 CPU profiles there (--cpu-prof).
const PROFILE = process.env.CHAINLAB_BENCH_PROFILE
  ? ['--cpu-prof', '--cpu-prof-dir', process.env.CHAINLAB_BENCH_PROFILE]
  : [];

/**
 * Starts a built chainlab service (`apps/<app>/dist/main.js --port 0 ...args`), JSON logs
 * (at `logLevel`; null: the service's own default), and resolves with `{url, child}` once
 * it prints its listening line. `onLine` gets every stdout line (its log records).
 */
export function startService(app, args, env = {}, { onLine, logLevel = 'warn' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...PROFILE, path.join(ROOT, `apps/${app}/dist/main.js`), '--port', '0', ...args],
      {
        env: {
          ...process.env,
          CHAINLAB_LOG_FORMAT: 'json',
          ...(logLevel ? { CHAINLAB_LOG_LEVEL: logLevel } : {}),
          ...env,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    procs.push(child);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = / listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve({ url: m[1], child });
      onLine?.(line);
    });
    child.on('exit', (code) => reject(new Error(`${app} exited with ${code}`)));
  });
}

/** SIGTERM to every process started so far that still runs; does not wait for them. */
export function stopAllNow() {
  for (const p of procs) if (p.exitCode === null && !p.killed) p.kill('SIGTERM');
}

/** SIGTERM (a graceful shutdown, as Ctrl-C), resolves on exit. */
export const stop = (p) =>
  new Promise((resolve) => {
    if (p.child.exitCode !== null) return resolve();
    p.child.once('exit', resolve);
    p.child.kill('SIGTERM');
  });

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---- HTTP clients: plain node:http with keep-alive, the same for every server ----

export const CLIENTS = 8;
const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });

/**
 * One HTTP request; resolves with `{status, body}` (a Buffer). `agent`: a keep-alive pool
 * (default: node's global agent, a connection per request).
 */
export function request(url, { method = 'GET', body, agent: via, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent: via,
        headers: body
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
          : {},
        timeout: timeoutMs,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`${method} ${url}: no answer in ${timeoutMs / 1000} s`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** POST a JSON body over the shared keep-alive clients. */
export const post = (url, body) => request(url, { method: 'POST', body, agent });

export const getJson = async (url) => JSON.parse((await request(url, { agent })).body.toString());

/** One JSON-RPC call; throws with the server's message on an error answer. */
export async function rpc(url, method, params = []) {
  const r = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
  const j = JSON.parse(r.body.toString());
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}

/**
 * Sends every body with CLIENTS requests in flight and returns requests per second.
 * `bodies[s]` is sender s's requests in order; client c takes senders c, c + CLIENTS, ...
 * so each sender's requests (e.g. nonces) arrive in order.
 */
export async function blast(url, bodies, check) {
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

// ---- Anvil (Foundry's local Ethereum node, npm @foundry-rs/anvil-linux-amd64) ----

export const ANVIL_BIN = path.join(ROOT, 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil');

/** Why Anvil cannot run here, or null when it can. */
export function anvilUnavailable() {
  if (process.platform === 'linux' && process.arch === 'x64' && existsSync(ANVIL_BIN)) return null;
  return `it needs @foundry-rs/anvil-linux-amd64 (linux x64; this is ${process.platform} ${process.arch}${existsSync(ANVIL_BIN) ? '' : ', package not installed'})`;
}

/** Without Anvil: says why, writes `{skipped: true}` to `jsonOut` and exits 0 (pnpm bench goes on). */
export function exitUnlessAnvil(jsonOut) {
  const why = anvilUnavailable();
  if (!why) return;
  log(`Anvil comparison skipped: ${why}`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ skipped: true }));
  process.exit(0);
}

/** Starts Anvil on a free port with `flags` (e.g. --no-mining); resolves once it answers. */
export async function startAnvil(flags = []) {
  const port = await freePort();
  const child = spawn(ANVIL_BIN, ['--port', String(port), '--silent', ...flags], {
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

/** viem's accounts module (the wallet's dependency), for Ethereum-signed txs. */
export async function viemAccounts() {
  const walletRequire = createRequire(path.join(ROOT, 'apps/wallet-cli/package.json'));
  return import(pathToFileURL(walletRequire.resolve('viem/accounts')).href);
}

// ---- the chains measured: a funded devnet, and the services that run it ----

/** What each funded address gets at genesis (and on Anvil): plenty for any run. */
export const FUNDS = 10n ** 24n;

/**
 * A chain spec (`base`: extends, name, genesis bits, retarget…) whose genesis funds
 * `addresses` with FUNDS each, written to a temp file: `{spec, specPath}`.
 */
export function fundedSpec(base, addresses) {
  const allocations = {};
  for (const a of addresses) allocations[a] = FUNDS.toString();
  const specJson = { ...base, genesis: { ...base.genesis, allocations } };
  const specPath = path.join(tmp('chainlab-bench-spec-'), 'spec.json');
  writeFileSync(specPath, JSON.stringify(specJson));
  return { spec: core.loadSpec(specJson), specPath };
}

/**
 * A tracker and a mempool on `specPath` (`mempoolArgs`: extra flags), and with `node` a
 * node that takes its txs from that mempool and mines only on POST /dev/mine.
 * `stop()` shuts them down, node first.
 */
export async function startChainlab(specPath, { node = false, mempoolArgs = [] } = {}) {
  const tracker = await startService('tracker', []);
  const mempool = await startService('mempool', [
    '--spec',
    specPath,
    '--tracker',
    tracker.url,
    '--data-dir',
    tmp('chainlab-bench-mp-'),
    ...mempoolArgs,
  ]);
  const n = node
    ? await startService('node', [
        '--spec',
        specPath,
        '--tracker',
        tracker.url,
        '--mempool',
        mempool.url,
        '--data-dir',
        tmp('chainlab-bench-node-'),
        '--no-mine',
        '--threads',
        '1',
      ])
    : null;
  return {
    tracker,
    mempool,
    node: n,
    async stop() {
      if (n) await stop(n);
      await stop(mempool);
      await stop(tracker);
    },
  };
}

/**
 * An admission bench's load: `senders` senders send `txs` in all, measured, after
 * `warmTxs` from as many other senders (the first ones) unmeasured, while V8's JIT and the
 * allocators warm up — the figures are steady-state rates. `nonces(i)`: how many txs
 * sender i sends (for transferBodies); `warmUp` / `measured` split per-sender bodies.
 */
export function warmedUpLoad({ txs, warmTxs, senders }) {
  const perSender = Math.ceil(txs / senders);
  const warmPerSender = Math.ceil(warmTxs / senders);
  const measuredTxs = perSender * senders;
  return {
    senders: 2 * senders,
    measuredTxs,
    totalTxs: measuredTxs + warmPerSender * senders,
    nonces: (i) => (i < senders ? warmPerSender : perSender),
    warmUp: (bodies) => bodies.slice(0, senders),
    measured: (bodies) => bodies.slice(senders),
  };
}

/** `count`: the same number for every sender, or sender i's number as `count(i)`. */
const countOf = (count) => (typeof count === 'function' ? count : () => count);

/** Pre-signed chainlab transfers as POST /pushtx bodies: per key i, nonces 0..count(i)-1. */
export function transferBodies(spec, keys, count, to) {
  const n = countOf(count);
  return keys.map((key, i) =>
    Array.from({ length: n(i) }, (_, nonce) =>
      JSON.stringify(
        core.txToJson(
          core.signTx({ to, amount: 1000n, fee: spec.minFee, nonce, chainId: spec.chainId }, key),
        ),
      ),
    ),
  );
}

/**
 * Pre-signed EIP-1559 transfers (viem accounts) as eth_sendRawTransaction bodies: per
 * account i, nonces 0..count(i)-1, the same fees on every chain.
 */
export async function ethTransferBodies(accounts, chainId, count, to) {
  const n = countOf(count);
  const GWEI = 10n ** 9n;
  let id = 0;
  return Promise.all(
    accounts.map(async (account, i) => {
      const bodies = [];
      for (let nonce = 0; nonce < n(i); nonce++) {
        const raw = await account.signTransaction({
          type: 'eip1559',
          chainId,
          nonce,
          to,
          value: 1000n,
          gas: 21_000n,
          maxFeePerGas: 10n * GWEI,
          maxPriorityFeePerGas: GWEI,
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
      return bodies;
    }),
  );
}

/** Anvil: FUNDS to each address. */
export async function anvilFund(url, addresses) {
  for (const a of addresses) await rpc(url, 'anvil_setBalance', [a, '0x' + FUNDS.toString(16)]);
}

/**
 * Anvil after a blast of transfers. With automine (`mining`) it answers first and mines
 * what arrived together into one block; txs that came in while a block was being mined
 * wait for the next tx, and a block being mined holds txs that are neither in the pool nor
 * counted yet. So: mine what is pending, wait for the block in progress, until every
 * sender's nonce is its `count`. With --no-mining: check its pool holds `total` txs.
 */
export async function anvilCheckTransfers(url, { mining, addresses, count, total }) {
  const n = countOf(count);
  if (!mining) {
    const pool = await rpc(url, 'txpool_status');
    if (Number(pool.pending) !== total) throw new Error(`anvil holds ${pool.pending} txs`);
    return;
  }
  for (let i = 0; ; i++) {
    if (Number((await rpc(url, 'txpool_status')).pending) > 0) await rpc(url, 'evm_mine');
    const nonces = [];
    for (const address of addresses)
      nonces.push(Number(await rpc(url, 'eth_getTransactionCount', [address, 'latest'])));
    const short = nonces.findIndex((nonce, k) => nonce !== n(k));
    if (short < 0) return;
    if (i > 100) throw new Error(`anvil mined ${nonces[short]} txs of ${addresses[short]}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `ready()` every 100 ms, 30 s at most; throws `what` when it never holds. */
export async function waitFor(ready, what) {
  for (let i = 0; !(await ready()); i++) {
    if (i > 300) throw new Error(what);
    await new Promise((r) => setTimeout(r, 100));
  }
}
