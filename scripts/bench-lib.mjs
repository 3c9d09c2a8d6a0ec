// What the benchmarks share: command-line options, temp dirs, starting the built services
// (and Anvil) as child processes, and HTTP clients that are the same for every server
// measured. One copy, so that every figure comes from the same harness.
//   import { benchArgs, startService, startAnvil, blast, ... } from '../../../scripts/bench-lib.mjs';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
 * Starts a built chainlab service (`apps/<app>/dist/main.js --port 0 ...args`), JSON logs at
 * warn level, and resolves with `{url, child}` once it prints its listening line.
 */
export function startService(app, args, env = {}) {
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

export function post(url, body) {
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

export function getJson(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, timeout: 30_000 }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString()));
          } catch (e) {
            reject(e);
          }
        });
      })
      .on('error', reject);
  });
}

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
