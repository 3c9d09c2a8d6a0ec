#!/usr/bin/env node
// Miner benchmarks (issue: miner-worker). Plain Node ESM on the built dist/: run
// `pnpm --filter @chainlab/miner-worker build` first (`pnpm bench` does).
//
//   1. per-thread H/s of the miner vs the naive baseline (createHash('sha256') twice per
//      nonce), and vs `openssl speed -bytes 64 sha256` as the machine's native limit
//      (one 64-byte SHA-256 = 2 compressions = the work of one nonce with a midstate);
//   2. scaling: pool total H/s with 1 and with 2 workers;
//   3. cancellation latency: cancel() from "new tip" until every worker is idle.
// Every ratio is against a baseline measured in the same run. Prints a table, then one
// JSON line (last line of stdout); `--json <file>` also writes that JSON to a file.
// `--quick` shortens every phase (smoke run).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MinerPool, defaultThreads, resolveEngine, searchNonces } from '../dist/index.js';

const args = process.argv.slice(2);
const jsonPath = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const quick = args.includes('--quick');
const SEC = quick ? 0.3 : 1; // seconds per timed sample
const ROUNDS = quick ? 2 : 3; // samples per single-thread figure (median)
const CANCEL_TRIALS = quick ? 5 : 20;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (hs) => (hs >= 1e6 ? `${(hs / 1e6).toFixed(2)} MH/s` : `${(hs / 1e3).toFixed(0)} kH/s`);

// Runs `step(start, n)` (hashing n nonces) in batches for about `seconds`. Returns H/s per
// CPU-second of this process (the single-thread figures run with no worker alive, so that
// is this thread's CPU time) - the basis `openssl speed` uses too (user CPU time, unless
// -elapsed) - and per wall-clock second. CPU time keeps the ratios meaningful when other
// processes share the cores; wall time is what a node would see.
function rate(step, seconds, batch = 1 << 14) {
  let done = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  while (performance.now() < until) {
    step(done, batch);
    done += batch;
  }
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  return { cpu: done / cpu, wall: done / wall };
}

const header = new Uint8Array(randomBytes(80));
const NEVER = new Uint8Array(32); // all-zero target: no nonce meets it, so nothing stops early

function naiveStep(start, n) {
  const h = Buffer.from(header);
  let zeros = 0;
  for (let i = start; i < start + n; i++) {
    h.writeUInt32LE(i >>> 0, 76);
    const d = createHash('sha256').update(createHash('sha256').update(h).digest()).digest();
    if (d[31] === 0) zeros++;
  }
  return zeros;
}
const flag = new Int32Array(new SharedArrayBuffer(4));
const minerStep = (engine) => (start, n) => {
  const s = start % 0xf0000000;
  return searchNonces(header, NEVER, s, s + n, flag, undefined, { engine });
};
const engine = resolveEngine('auto');

function opensslLimit() {
  try {
    const out = execFileSync(
      'openssl',
      ['speed', '-bytes', '64', '-seconds', quick ? '1' : '2', 'sha256'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const m = /^sha256\s+([\d.]+)k/m.exec(out);
    if (!m) return { note: 'could not parse openssl speed output' };
    const bytesPerSec = Number(m[1]) * 1000;
    return { hashesPerSec: bytesPerSec / 64 }; // one 64-byte SHA-256 per nonce-equivalent
  } catch (e) {
    return { note: `openssl not available (${e.code ?? e.message}); native limit skipped` };
  }
}

// Pool throughput by wall clock, and the CPU-seconds the process got per wall-second
// (about the number of cores the workers really had: under 2 when the box is shared).
async function poolRate(threads, seconds) {
  const pool = new MinerPool({ threads });
  try {
    const job = pool.mine({ header80: header, target: NEVER });
    await sleep(500); // workers up, code optimized
    const h0 = pool.totalHashes();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    // The caller's event loop while every worker hashes (it never runs the hash loop).
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    await sleep(seconds * 1000);
    loop.disable();
    const h1 = pool.totalHashes();
    const c = process.cpuUsage(c0);
    const dt = (performance.now() - t0) / 1000;
    const perWorker = h1.map((h, i) => (h - h0[i]) / dt);
    await pool.cancel();
    await job;
    const total = perWorker.reduce((a, b) => a + b, 0);
    const cores = (c.user + c.system) / 1e6 / dt;
    const loopDelayMs = { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6 };
    return { total, perWorker, cores, perCore: total / cores, loopDelayMs };
  } finally {
    await pool.destroy();
  }
}

async function cancelLatency(threads, trials) {
  const pool = new MinerPool({ threads });
  const lat = [];
  try {
    await pool.mine({ header80: header, target: NEVER }, { endNonce: 1 << 16 }); // warm up
    for (let i = 0; i < trials; i++) {
      const job = pool.mine({ header80: new Uint8Array(randomBytes(80)), target: NEVER });
      await sleep(60 + Math.random() * 90);
      const t0 = performance.now();
      await pool.cancel(); // resolves when every worker has returned
      lat.push(performance.now() - t0);
      const res = await job;
      if (res.status !== 'cancelled') throw new Error(`expected cancelled, got ${res.status}`);
    }
  } finally {
    await pool.destroy();
  }
  const r2 = (x) => Number(x.toFixed(2));
  return {
    threads,
    medianMs: r2(median(lat)),
    maxMs: r2(lat.reduce((m, x) => Math.max(m, x), -Infinity)),
    trials,
  };
}

const started = performance.now();
console.error(
  `miner bench: ${cpus().length} cpus, load ${loadavg()[0].toFixed(2)}${quick ? ' (quick)' : ''}`,
);

// 1. Single thread: interleave the kernels and the naive loop so all see the same noise.
rate(minerStep(engine), 0.3);
rate(minerStep('js'), 0.3);
rate(naiveStep, 0.2, 1024);
const miner = [];
const minerJs = [];
const naive = [];
for (let r = 0; r < ROUNDS; r++) {
  miner.push(rate(minerStep(engine), SEC));
  if (engine !== 'js') minerJs.push(rate(minerStep('js'), SEC / 2));
  naive.push(rate(naiveStep, SEC, 1024));
}
const med = (xs, key) => median(xs.map((x) => x[key]));
const minerHs = med(miner, 'cpu');
const minerJsHs = engine !== 'js' ? med(minerJs, 'cpu') : minerHs;
const naiveHs = med(naive, 'cpu');
const native = opensslLimit();

// 2. Scaling.
const one = await poolRate(1, quick ? 1 : 2.5);
const two = await poolRate(2, quick ? 1 : 2.5);

// 3. Cancellation latency.
// With the default pool (cores - 1 workers, leaving a core to the caller) and with as many
// workers as cores (the caller then competes with them for the CPU).
const defaultThreadCount = defaultThreads();
const cancel = [await cancelLatency(defaultThreadCount, CANCEL_TRIALS)];
if (defaultThreadCount !== cpus().length) {
  cancel.push(await cancelLatency(cpus().length, CANCEL_TRIALS));
}

const result = {
  bench: 'miner',
  cpus: cpus().length,
  loadavg1: Number(loadavg()[0].toFixed(2)),
  engine,
  perThread: {
    minerHs: Math.round(minerHs),
    jsKernelHs: Math.round(minerJsHs),
    jsKernelVsNaive: Number((minerJsHs / naiveHs).toFixed(2)),
    naiveHs: Math.round(naiveHs),
    vsNaive: Number((minerHs / naiveHs).toFixed(2)),
    nativeLimitHs: native.hashesPerSec ? Math.round(native.hashesPerSec) : null,
    pctOfNative: native.hashesPerSec
      ? Number(((100 * minerHs) / native.hashesPerSec).toFixed(1))
      : null,
    note: native.note ?? undefined,
  },
  perThreadWall: {
    minerHs: Math.round(med(miner, 'wall')),
    jsKernelHs: Math.round(engine !== 'js' ? med(minerJs, 'wall') : med(miner, 'wall')),
    naiveHs: Math.round(med(naive, 'wall')),
  },
  scaling: {
    oneWorkerHs: Math.round(one.total),
    twoWorkersHs: Math.round(two.total),
    twoPerWorkerHs: two.perWorker.map(Math.round),
    speedup: Number((two.total / one.total).toFixed(2)),
    oneWorkerCores: Number(one.cores.toFixed(2)),
    twoWorkersCores: Number(two.cores.toFixed(2)),
    perCoreSpeedup: Number((two.perCore / one.perCore).toFixed(2)),
  },
  eventLoopWhileMining: {
    p50Ms: Number(two.loopDelayMs.p50.toFixed(2)),
    p99Ms: Number(two.loopDelayMs.p99.toFixed(2)),
  },
  cancellation: cancel,

  seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
};

const rows = [
  [`miner (${engine}), 1 thread`, fmt(minerHs), ''],
  ...(engine !== 'js'
    ? [
        [
          'miner (js kernel), 1 thread',
          fmt(minerJsHs),
          `= ${result.perThread.jsKernelVsNaive}x naive`,
        ],
      ]
    : []),
  ['naive createHash x2', fmt(naiveHs), `miner = ${result.perThread.vsNaive}x naive`],
  native.hashesPerSec
    ? [
        'openssl sha256 64 B (native limit)',
        fmt(native.hashesPerSec),
        `miner = ${result.perThread.pctOfNative}% of native`,
      ]
    : ['openssl sha256 64 B', 'skipped', native.note],
  [
    'pool, 1 worker (wall clock)',
    fmt(one.total),
    `on ${result.scaling.oneWorkerCores} cores' worth of CPU`,
  ],
  [
    'pool, 2 workers (wall clock)',
    fmt(two.total),
    `speedup ${result.scaling.speedup}x (${two.perWorker.map(fmt).join(' + ')}) on ${result.scaling.twoWorkersCores} cores' worth`,
  ],
  [
    'event-loop delay, 2 workers busy',
    `${result.eventLoopWhileMining.p50Ms} ms p50`,
    `p99 ${result.eventLoopWhileMining.p99Ms} ms (timer resolution 1 ms)`,
  ],
  ...cancel.map((c) => [
    `cancel -> all idle, ${c.threads} worker${c.threads > 1 ? 's' : ''}`,
    `${c.medianMs} ms median`,
    `max ${c.maxMs} ms over ${c.trials}`,
  ]),
];
const w0 = rows.reduce((m, r) => Math.max(m, r[0].length), 0);
const w1 = rows.reduce((m, r) => Math.max(m, r[1].length), 0);
console.log(`Miner benchmark (single-thread rows: H/s per CPU-second; load ${result.loadavg1})`);
for (const [a, b, c] of rows) console.log(`  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
const json = JSON.stringify(result);
if (jsonPath) writeFileSync(jsonPath, json + '\n');
console.log(json);
