// Mempool benchmarks (issue 6), each as a ratio to a baseline measured in the same run
// (this machine is shared and noisy: compare ratios, not absolute numbers).
//   node apps/mempool/bench/admission.bench.mjs [--json out.json] [--quick]
//
// 1. Admission throughput: valid signed txs/s through Mempool.submit (parse → checks →
//    signature in worker threads → pool), as a ratio of single-thread @noble/secp256k1
//    verify/s. "cold": every tx from a new sender (a full key recovery each); "repeat":
//    few senders, many txs. Also the
//    event loop's worst delay while admitting, with workers and with in-thread checks.
// 2. /balance latency (through the real route, fastify inject) with many accounts, at a
//    short and a long chain: it must not grow with the chain's length. Baseline: GET /running.
// 3. Pool upkeep at a full pool (dummy signatures, pure pool): ordering and a tip change.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as core from '@chainlab/core';
import { createServer } from '@chainlab/service';
import { createSignatureCache, defaultSecpEngine } from '@chainlab/sync/libsecp-verifier';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Mempool,
  SignatureVerifier,
  TxJournal,
  TxPool,
  registerMempoolRoutes,
} from '../dist/index.js';

const quick = process.argv.includes('--quick');
const jsonOut = process.argv.includes('--json')
  ? process.argv[process.argv.indexOf('--json') + 1]
  : null;
const THREADS = 2;
const workerFile = fileURLToPath(new URL('../dist/verify-worker.js', import.meta.url));
const coreRequire = createRequire(new URL('../../../packages/core/package.json', import.meta.url));
const secp = await import(pathToFileURL(coreRequire.resolve('@noble/secp256k1')).href);
const results = {};
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc'); // for the heap-per-tx figure
const log = (s) => process.stdout.write(s + '\n');
const t0 = performance.now();
const lap = (what) =>
  process.stderr.write(`  [${what} done at ${((performance.now() - t0) / 1000).toFixed(1)} s]\n`);

/** Runs fn repeatedly for ~ms milliseconds (after a warm-up) and returns ops/second. */
function rate(fn, ms = quick ? 500 : 1500) {
  for (let i = 0; i < 5; i++) fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    fn();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))];
}

const randomAddress = () => core.addressFromBytes(crypto.getRandomValues(new Uint8Array(20)));

// ---- 0. baseline: single-thread @noble/secp256k1 verify ----
const baseKeys = Array.from({ length: 16 }, (_, i) => core.devPrivateKey(500 + i));
const sigs = baseKeys.map((k, i) => {
  const msg = core.sha256(core.utf8(`baseline ${i}`));
  const sk = core.fromHex(k);
  return { msg, sig: secp.sign(msg, sk, { prehash: false }), pub: secp.getPublicKey(sk) };
});
let si = 0;
const nobleVerifyPerSec = rate(() => {
  const s = sigs[si++ % sigs.length];
  if (!secp.verify(s.sig, s.msg, s.pub, { prehash: false }))
    throw new Error('baseline verify failed');
});
// How much of the machine we actually get: two threads spin for a second; the process's
// CPU time over that second (the main thread waits) is the number of cores we had.
async function coresAvailable() {
  const { Worker } = await import('node:worker_threads');
  const code = `const { parentPort } = require('node:worker_threads');
    parentPort.on('message', (ms) => {
      const end = Date.now() + ms; let n = 0;
      while (Date.now() < end) for (let i = 0; i < 1e5; i++) n += Math.sqrt(i);
      parentPort.postMessage(n);
    });`;
  const workers = [0, 1].map(() => new Worker(code, { eval: true }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('online', resolve))));
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    workers.map((w) => new Promise((resolve) => (w.once('message', resolve), w.postMessage(1000)))),
  );
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - start;
  await Promise.all(workers.map((w) => w.terminate()));
  return (used.user + used.system) / 1000 / wall;
}
results.baseline = { nobleVerifyPerSec, coresAvailable: await coresAvailable() };
lap('baseline');

// ---- 1. admission throughput ----
function admissionSetup(senderKeys, threads) {
  const allocations = {};
  for (const k of senderKeys) allocations[core.privateKeyToAddress(k)] = (10n ** 24n).toString();
  const spec = core.loadSpec({
    extends: 'devnet',
    name: 'bench',
    genesis: { bits: '0x207fffff', allocations },
    retarget: { rule: 'fixed' },
  });
  const machine = new core.LedgerMachine(spec);
  const chain = new core.Chain(spec, machine);
  // As the mempool's: libsecp256k1 (native where its addon loads) for in-thread checks.
  const cache = createSignatureCache();
  const verifier = new SignatureVerifier({ threads, cache, workerFile });
  const pool = new TxPool(
    {
      chainId: spec.chainId,
      maxAmount: spec.maxAmount,
      minFee: spec.minFee,
      maxTxs: 1_000_000,
      maxNonceGap: 16,
    },
    machine.state,
  );
  const mempool = new Mempool({ spec, chain, tipState: machine.state, pool, verifier });
  return { spec, mempool, verifier, pool };
}

function signAll(spec, plan) {
  const sink = randomAddress();
  return plan.map(([key, nonce]) =>
    core.txToJson(
      core.signTx({ to: sink, amount: 1n, fee: spec.minFee, nonce, chainId: spec.chainId }, key),
    ),
  );
}

/**
 * The longest time the event loop was blocked: a 1 ms timer records the gaps between its
 * ticks (the last gap is closed by stop(), so a run that blocks throughout still shows).
 */
function loopProbe() {
  let last = performance.now();
  let max = 0;
  const gaps = [];
  const tick = () => {
    const now = performance.now();
    gaps.push(now - last);
    max = Math.max(max, now - last);
    last = now;
  };
  const timer = setInterval(tick, 1);
  return {
    stop() {
      tick();
      clearInterval(timer);
      return { maxLoopDelayMs: max, p99LoopDelayMs: quantile(gaps, 0.99) };
    },
  };
}

/** Submits every tx with at most `window` in flight; returns txs/s and the worst event-loop delay. */
async function admit(mempool, txs, window = 64) {
  const probe = loopProbe();
  let next = 0;
  let ok = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: window }, async () => {
      while (next < txs.length) {
        const json = txs[next++];
        await mempool.submit(json);
        ok++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const loop = probe.stop();
  if (ok !== txs.length) throw new Error(`only ${ok} of ${txs.length} admitted`);
  return { txsPerSec: txs.length / seconds, ...loop };
}

/** The baseline again, right before a case, so that both see the same machine load. */
function baselineNow() {
  let i = 0;
  return rate(() => {
    const x = sigs[i++ % sigs.length];
    if (!secp.verify(x.sig, x.msg, x.pub, { prehash: false }))
      throw new Error('baseline verify failed');
  }, 700);
}

async function admissionCase(name, senders, perSender, threads) {
  const keys = Array.from({ length: senders }, (_, i) =>
    core.devPrivateKey(10_000 + Math.floor(Math.random() * 1e9) + i),
  );
  const { spec, mempool, verifier } = admissionSetup(keys, threads);
  const plan = [];
  for (let n = 0; n < perSender; n++) for (const k of keys) plan.push([k, n]);
  const txs = signAll(spec, plan);
  // Warm up: let the workers start and load their modules before the clock runs.
  const warm = Array.from({ length: 4 * Math.max(1, threads) }, (_, i) =>
    core.signTx(
      { to: randomAddress(), amount: 1n, fee: spec.minFee, nonce: i, chainId: spec.chainId },
      core.devPrivateKey(900 + i),
    ),
  );
  await Promise.all(warm.map((t) => verifier.verify(t, core.txid(t))));
  const baseline = baselineNow();
  const r = await admit(mempool, txs);
  await verifier.close();
  results.admission ??= {};
  results.admission[name] = {
    txs: txs.length,
    threads,
    ...r,
    baselineVerifyPerSec: baseline,
    ratio: r.txsPerSec / baseline,
  };
}

/** One tx at a time (each waits for the previous answer): the latency of a lone push. */
async function loneLatency(threads) {
  const N = quick ? 30 : 40;
  const keys = Array.from({ length: N }, (_, i) =>
    core.devPrivateKey(20_000 + Math.floor(Math.random() * 1e9) + i),
  );
  const { spec, mempool, verifier } = admissionSetup(keys, threads);
  const txs = signAll(
    spec,
    keys.map((k) => [k, 0]),
  );
  const warm = core.signTx(
    { to: randomAddress(), amount: 1n, fee: spec.minFee, nonce: 0, chainId: spec.chainId },
    core.devPrivateKey(990),
  );
  await verifier.verify(warm, core.txid(warm));
  const lat = [];
  for (const json of txs) {
    const t = performance.now();
    await mempool.submit(json);
    lat.push(performance.now() - t);
  }
  await verifier.close();
  return { medianMs: median(lat), p90Ms: quantile(lat, 0.9) };
}

const COLD = quick ? 400 : 800;
await admissionCase('cold', COLD, 1, THREADS);
await admissionCase('repeat', quick ? 10 : 20, quick ? 40 : 30, THREADS);
await admissionCase('coldInThread', COLD, 1, 0);
results.lonePush = { workers: await loneLatency(1), inThread: await loneLatency(0) };

lap('admission');

// ---- 1b. the cost of durable acknowledgements (issue 14) ----
// The same signed txs through Mempool.submit on a fresh pool each time: in memory only,
// journaled without fsync (survives kill -9), journaled with fsync (survives a power cut:
// what /pushtx does by default). Rounds alternate the three so machine load hits all alike;
// the figure is each one's median tx/s as a ratio to "memory only", plus the flushes per
// tx (group commit: far below 1 under load) and a lone push's latency.
async function durabilityCase() {
  const senders = quick ? 10 : 20;
  const perSender = quick ? 30 : 40;
  const keys = Array.from({ length: senders }, (_, i) =>
    core.devPrivateKey(30_000 + Math.floor(Math.random() * 1e9) + i),
  );
  const plan = [];
  for (let n = 0; n < perSender; n++) for (const k of keys) plan.push([k, n]);
  const { spec: signSpec } = admissionSetup(keys, 0);
  const txs = signAll(signSpec, plan);
  const modes = { memory: null, journal: false, journalFsync: true };
  const runs = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
  const flushes = { journal: 0, journalFsync: 0 };
  const rounds = quick ? 2 : 3;
  for (let round = 0; round < rounds; round++) {
    for (const [mode, fsync] of Object.entries(modes)) {
      const { spec, mempool, verifier } = admissionSetup(keys, THREADS);
      const dir = mkdtempSync(join(tmpdir(), 'chainlab-bench-journal-'));
      let journal = null;
      if (fsync !== null) {
        journal = await TxJournal.open(
          mempool,
          new core.Chain(spec, new core.LedgerMachine(spec)),
          dir,
          {
            fsync,
          },
        );
        mempool.journal = journal;
      }
      await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          core.signTx(
            { to: randomAddress(), amount: 1n, fee: spec.minFee, nonce: i, chainId: spec.chainId },
            core.devPrivateKey(900 + i),
          ),
        ).map((t) => verifier.verify(t, core.txid(t))),
      );
      const r = await admit(mempool, txs);
      runs[mode].push(r.txsPerSec);
      if (journal) flushes[mode] += journal.stats.flushes;
      await journal?.close();
      await verifier.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // A lone push with fsync: one tx at a time, each waits for its own fsync.
  const { spec, mempool, verifier } = admissionSetup(keys, 1);
  const dir = mkdtempSync(join(tmpdir(), 'chainlab-bench-journal-'));
  const journal = await TxJournal.open(
    mempool,
    new core.Chain(spec, new core.LedgerMachine(spec)),
    dir,
  );
  const lat = [];
  for (const json of txs.slice(0, quick ? 30 : 60)) {
    const t = performance.now();
    await mempool.submit(json);
    lat.push(performance.now() - t);
  }
  const loneMemory = median(lat);
  mempool.journal = journal;
  const latFsync = [];
  for (const json of txs.slice(quick ? 30 : 60, quick ? 60 : 120)) {
    const t = performance.now();
    await mempool.submit(json);
    latFsync.push(performance.now() - t);
  }
  await journal.close();
  await verifier.close();
  rmSync(dir, { recursive: true, force: true });
  const med = Object.fromEntries(Object.entries(runs).map(([m, xs]) => [m, median(xs)]));
  results.durability = {
    txs: txs.length,
    rounds,
    txsPerSec: med,
    ratioJournal: med.journal / med.memory,
    ratioJournalFsync: med.journalFsync / med.memory,
    txsPerFsync: (txs.length * rounds) / flushes.journalFsync,
    lonePushMs: { memory: loneMemory, fsync: median(latFsync) },
  };
}
await durabilityCase();
lap('durability');

// ---- 2. /balance latency with many accounts, short vs long chain ----
const ACCOUNTS = quick ? 20_000 : 100_000;
const SHORT = quick ? 300 : 1_000;
const LONG = quick ? 2_000 : 10_000;
const QUERIES = quick ? 400 : 1_000;
{
  const addresses = Array.from({ length: ACCOUNTS }, randomAddress);
  const allocations = {};
  for (const a of addresses) allocations[a] = '1000000';
  const spec = core.loadSpec({
    extends: 'devnet',
    name: 'bench',
    genesis: { bits: '0x207fffff', allocations },
    retarget: { rule: 'fixed' },
  });
  // Two chains over the same 100k-account genesis, a short and a long one; requests
  // alternate between them, so a busy machine slows both alike.
  const makeChain = () => {
    const machine = new core.LedgerMachine(spec);
    const chain = new core.Chain(spec, machine);
    const pool = new TxPool(
      {
        chainId: spec.chainId,
        maxAmount: spec.maxAmount,
        minFee: spec.minFee,
        maxTxs: 50_000,
        maxNonceGap: 16,
      },
      machine.state,
    );
    const verifier = new SignatureVerifier({ threads: 0 });
    const mempool = new Mempool({ spec, chain, tipState: machine.state, pool, verifier });
    const server = createServer({ name: 'mempool' });
    registerMempoolRoutes(server, { mempool, chain, status: () => ({}) });
    return { chain, mempool, server };
  };
  const grow = ({ chain, mempool }, height) => {
    let time = spec.genesis.time + chain.height * 10;
    while (chain.height < height) {
      time += 10;
      // Each block pays a different account, so undo records are spread over the accounts.
      const coinbase = addresses[chain.height % addresses.length];
      const block = core.solveBlock(core.blockTemplate(chain, { time, txs: [], coinbase }));
      const r = chain.processBlock(block, { now: 4_000_000_000 });
      if (r.status !== 'accepted') throw new Error(`bench block refused: ${r.error?.message}`);
      if (r.reorg) mempool.onTip(r.reorg);
    }
  };
  lap('balance: accounts');
  const shortChain = makeChain();
  grow(shortChain, SHORT);
  const longChain = makeChain();
  grow(longChain, LONG);
  lap('balance: chains built');
  const pick = () => addresses[Math.floor(Math.random() * addresses.length)];
  const query = async (server, u) => {
    const t = performance.now();
    const res = await server.inject({ method: 'GET', url: u });
    if (res.statusCode !== 200) throw new Error(`${u}: ${res.statusCode} ${res.body}`);
    return performance.now() - t;
  };
  /** Median and p99 latency of `url(height)` on both chains, requests alternating. */
  const both = async (url) => {
    const out = { short: [], long: [] };
    for (let i = 0; i < 200; i++) {
      await query(shortChain.server, url(SHORT)); // JIT warm-up
      await query(longChain.server, url(LONG));
    }
    for (let i = 0; i < QUERIES; i++) {
      out.short.push(await query(shortChain.server, url(SHORT)));
      out.long.push(await query(longChain.server, url(LONG)));
    }
    const stat = (xs) => ({ medianUs: median(xs) * 1000, p99Us: quantile(xs, 0.99) * 1000 });
    return { short: stat(out.short), long: stat(out.long) };
  };
  const rows = { running: await both(() => '/running') };
  for (const k of ['0', '1', '6', '100', 'all']) {
    rows[k] = await both(
      (height) => `/balance/${pick()}?confirmations=${k === 'all' ? height : k}`,
    );
  }
  await shortChain.server.close();
  await longChain.server.close();
  const side = (which, height) => ({
    height,
    running: rows.running[which],
    at: Object.fromEntries(['0', '1', '6', '100', 'all'].map((k) => [k, rows[k][which]])),
  });
  const short = side('short', SHORT);
  const long = side('long', LONG);
  results.balance = {
    accounts: ACCOUNTS,
    short,
    long,
    // The headline: k = 6 (a fixed depth) at the long chain vs the short one (≈ 1: no growth).
    growthRatioK6: long.at['6'].medianUs / short.at['6'].medianUs,
    ratioVsRunningK6: long.at['6'].medianUs / long.running.medianUs,
  };
}

lap('balance');

// ---- 3. pool upkeep at a full pool (pure pool, dummy signatures) ----
{
  const FULL = quick ? 10_000 : 50_000;
  const SENDERS = FULL / 10;
  const addresses = Array.from({ length: SENDERS }, randomAddress);
  const state = new core.LedgerState();
  state.applyGenesis(addresses.map((a) => [a, 10n ** 30n]));
  const spec = core.loadSpec('devnet');
  const pool = new TxPool(
    {
      chainId: spec.chainId,
      maxAmount: spec.maxAmount,
      minFee: spec.minFee,
      maxTxs: FULL,
      maxNonceGap: 16,
    },
    state,
  );
  const sig = '0x' + '00'.repeat(65);
  const txs = [];
  for (let n = 0; n < 10; n++) {
    for (const from of addresses) {
      txs.push({
        kind: 'transfer',
        from,
        to: addresses[(txs.length * 7) % SENDERS],
        amount: 1n,
        fee: spec.minFee + BigInt(txs.length % 97),
        nonce: n,
        chainId: spec.chainId,
        sig,
      });
    }
  }
  const ids = txs.map((t) => core.txid(t));
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  let t = performance.now();
  txs.forEach((tx, i) => pool.add(tx, ids[i]));
  const addUs = ((performance.now() - t) * 1000) / txs.length;
  gc();
  const bytesPerTx = (process.memoryUsage().heapUsed - heapBefore) / txs.length;
  t = performance.now();
  let cpu = process.cpuUsage();
  const order = pool.ordered();
  const orderMs = performance.now() - t;
  const orderCpuMs = process.cpuUsage(cpu).user / 1000;
  // A block mines the first 6,000 of the order (≈ a full 1 MB block).
  const mined = order.slice(0, 6_000).map((e) => e.tx);
  for (const tx of mined) state.applyTx(tx, { chainId: spec.chainId });
  const minedIds = new Set(mined.map((tx) => core.txid(tx)));
  t = performance.now();
  cpu = process.cpuUsage();
  const update = pool.updateTip(state, minedIds);
  const tipMs = performance.now() - t;
  const tipCpuMs = process.cpuUsage(cpu).user / 1000;
  if (update.mined.length !== mined.length || update.dropped.length !== 0)
    throw new Error('unexpected tip update');
  results.pool = {
    txs: FULL,
    addUsPerTx: addUs,
    orderMs,
    tipUpdateMs: tipMs,
    // CPU time of this process (less sensitive to a busy machine than wall time).
    orderCpuMs,
    tipUpdateCpuMs: tipCpuMs,
    // Heap per pending tx (the tx objects themselves included).
    bytesPerTx,
    // Per-tx upkeep in units of one signature verification.
    addVsVerify: (addUs / 1e6) * nobleVerifyPerSec,
  };
}

lap('pool');

// ---- report ----
const f = (x, d = 0) =>
  x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const a = results.admission;
const b = results.balance;
const p = results.pool;
log(`baseline: @noble/secp256k1 verify, 1 thread      ${f(nobleVerifyPerSec)} /s`);
log(
  `cores this process gets right now: ${f(results.baseline.coresAvailable, 2)} of 2 (two spinning threads; < 2 on a busy machine)`,
);
log('');
log(
  'admission (Mempool.submit, valid signed txs)   txs      tx/s   × noble verify   event loop blocked: max (p99)',
);
for (const [name, r] of Object.entries(a)) {
  const label = {
    cold: `cold senders, ${r.threads} worker threads`,
    repeat: `repeat senders, ${r.threads} worker threads`,
    coldInThread: `cold senders, in-thread (${defaultSecpEngine()} libsecp256k1)`,
  }[name];
  log(
    `  ${label.padEnd(44)} ${f(r.txs).padStart(6)} ${f(r.txsPerSec).padStart(8)}   ${f(r.ratio, 2).padStart(8)}        ${f(r.maxLoopDelayMs, 1).padStart(8)} ms (${f(r.p99LoopDelayMs, 1)} ms)`,
  );
}
log(
  `  a lone push (one at a time), median (p90):  workers ${f(results.lonePush.workers.medianMs, 1)} ms (${f(results.lonePush.workers.p90Ms, 1)}), in-thread ${f(results.lonePush.inThread.medianMs, 1)} ms (${f(results.lonePush.inThread.p90Ms, 1)})`,
);
{
  const d = results.durability;
  log('');
  log(
    `durable acknowledgements (same ${f(d.txs)} txs, median of ${d.rounds} alternating rounds)   tx/s   × memory only`,
  );
  log(
    `  memory only (no journal)                        ${f(d.txsPerSec.memory).padStart(8)}       1.00`,
  );
  log(
    `  journal, no fsync (survives kill -9)            ${f(d.txsPerSec.journal).padStart(8)}   ${f(d.ratioJournal, 2).padStart(8)}`,
  );
  log(
    `  journal + fsync, group commit (the default)     ${f(d.txsPerSec.journalFsync).padStart(8)}   ${f(d.ratioJournalFsync, 2).padStart(8)}   (${f(d.txsPerFsync, 1)} txs per fsync)`,
  );
  log(
    `  a lone push, median: memory ${f(d.lonePushMs.memory, 1)} ms, journal + fsync ${f(d.lonePushMs.fsync, 1)} ms`,
  );
}
log('');
log(`/balance latency (fastify inject), ${f(b.accounts)} accounts     median µs (p99)`);
log(
  `  chain length                      ${String(b.short.height).padStart(12)} ${String(b.long.height).padStart(16)}`,
);
for (const k of ['running', '0', '1', '6', '100', 'all']) {
  const s = k === 'running' ? b.short.running : b.short.at[k];
  const l = k === 'running' ? b.long.running : b.long.at[k];
  const label =
    k === 'running'
      ? 'GET /running (baseline)'
      : k === 'all'
        ? 'confirmations = chain length'
        : `confirmations = ${k}`;
  log(
    `  ${label.padEnd(32)} ${f(s.medianUs).padStart(6)} (${f(s.p99Us).padStart(5)}) ${f(l.medianUs).padStart(10)} (${f(l.p99Us).padStart(5)})`,
  );
}
log(
  `  k = 6: long/short chain ${f(b.growthRatioK6, 2)} (≈ 1: no growth with chain length); vs /running ${f(b.ratioVsRunningK6, 2)}`,
);
log('');
log(
  `pool upkeep at ${f(p.txs)} pending txs (pure pool): add ${f(p.addUsPerTx, 1)} µs/tx (${f(p.addVsVerify, 3)} × a verify), /unprocessed order ${f(p.orderMs)} ms, tip change (6,000 mined) ${f(p.tipUpdateMs)} ms; CPU time: order ${f(p.orderCpuMs)} ms, tip change ${f(p.tipUpdateCpuMs)} ms; ~${f(p.bytesPerTx / 1024, 1)} KiB heap per tx`,
);

if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ quick, ...results }, null, 2));
process.exit(0);
