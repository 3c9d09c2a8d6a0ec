// Node benchmarks (issue 5), all against real node processes on loopback:
//  1. sync: a node with an empty data dir imports a pre-built chain from a peer — blocks/s,
//     as a ratio of core's in-process validation rate of the same blocks (what networking
//     and storage cost), with JSON catch-up batches and with binary ones;
//  2. restart: the same node replays its store on start;
//  3. propagation: median and p95 time for a new block to reach every node of a 3-node net;
//  4. memory: RSS of a node holding the chain.
//   node apps/node/bench/network.bench.mjs [--blocks 10000] [--json out.json] [--quick] [--sync-only]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as core from '../../../packages/core/dist/index.js';
import { BlockStore } from '../../../packages/sync/dist/index.js';
import { ROOT, benchArgs, startService, stopAllNow, tmp } from '../../../scripts/bench-lib.mjs';

const { opt, quick, jsonOut } = benchArgs();
const BLOCKS = Number(opt('--blocks', quick ? 2000 : 10000));
const PROPAGATION_SAMPLES = quick ? 10 : 30;

const specJson = {
  extends: 'devnet-data',
  name: 'bench',
  genesis: { bits: '0x207fffff' },
  retarget: { rule: 'fixed' },
};
const spec = core.loadSpec(specJson);
const specPath = path.join(tmp('chainlab-bench-spec-'), 'spec.json');
writeFileSync(specPath, JSON.stringify(specJson));

// Nodes log at their own level: the propagation part reads their 'block connected' lines.
const startNode = (args, onLine) =>
  startService(
    'node',
    ['--spec', specPath, '--threads', '1', '--no-mine', ...args],
    {},
    {
      onLine,
      logLevel: null,
    },
  );
const getJson = async (url) => (await fetch(url, { signal: AbortSignal.timeout(10_000) })).json();
async function waitFor(fn, ms = 600_000, everyMs = 50) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => false);
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// ---- build the chain in-process, measuring core's own validation rate ----
const builder = new core.Chain(spec, new core.NoState());
const blocks = [];
for (let h = 1; h <= BLOCKS; h++) {
  const t = core.blockTemplate(builder, {
    time: spec.genesis.time + h * 2,
    data: [`block ${h}`, `payload ${h % 97}`],
  });
  const b = core.solveBlock(t);
  builder.processBlock(b, { now: 4e9 });
  blocks.push(b);
}
const validator = new core.Chain(spec, new core.NoState());
let start = performance.now();
for (const b of blocks) validator.processBlock(b, { now: 4e9 });
const coreRate = BLOCKS / ((performance.now() - start) / 1000);
// The same validation in a fresh process (validate-cold.mjs): a syncing node starts with
// nothing compiled, while the loop above ran warm (the builder went through the same
// code). Sync is compared with both.
const blocksPath = path.join(tmp('chainlab-bench-blocks-'), 'blocks.json');
writeFileSync(blocksPath, JSON.stringify(blocks.map((b) => core.blockToJson(b))));
const coldRate = Number(
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'apps/node/bench/validate-cold.mjs'), specPath, blocksPath],
    { encoding: 'utf8' },
  ),
);

// ---- write it into a data dir and serve it from node A ----
const dirA = tmp('chainlab-bench-a-');
const store = await BlockStore.open(dirA, spec);
for (let i = 0; i < blocks.length; i += 1000)
  await store.append(blocks.slice(i, i + 1000), blocks[Math.min(i + 999, blocks.length - 1)].hash);
await store.close();
start = performance.now();
const a = await startNode(['--data-dir', dirA]);
const restartSecs = (performance.now() - start) / 1000;
const rssA = (await getJson(`${a.url}/status`)).memoryRss;

// ---- a fresh node syncs from A over gossip (no tracker: A as a static peer) ----
// Twice: with catch-up batches as JSON (--no-binary-sync, what a plain JSON peer gets), then
// in the binary encoding (the default). Timed from the node's listening line: process
// start-up (module loading) is not sync.
async function timeSync(extraArgs) {
  const node = await startNode([
    '--data-dir',
    tmp('chainlab-bench-b-'),
    '--peers',
    a.url,
    ...extraArgs,
  ]);
  const t0 = performance.now();
  // Also the steady rate, from the first 10 % on: without the connection's set-up (dial,
  // hello, the first batch's round trip), a fixed cost that short syncs feel most.
  let first = null;
  await waitFor(
    async () => {
      const { length } = await getJson(`${node.url}/chainlength`);
      if (first === null && length > BLOCKS / 10) first = { length, at: performance.now() };
      return length === BLOCKS + 1;
    },
    600_000,
    20,
  );
  const end = performance.now();
  node.child.kill('SIGTERM');
  return Object.assign(BLOCKS / ((end - t0) / 1000), {
    steady: (BLOCKS + 1 - first.length) / ((end - first.at) / 1000),
  });
}
const syncJsonRate = await timeSync(['--no-binary-sync']);
const syncRate = await timeSync([]);
if (process.argv.includes('--sync-only')) {
  console.log(`sync of ${BLOCKS} blocks of 2 data items`);
  console.log(`  core in-process validation   ${coreRate.toFixed(0)} blocks/s (baseline, warm)`);
  console.log(`  the same, fresh process      ${coldRate.toFixed(0)} blocks/s (baseline, cold)`);
  console.log(
    `  sync, JSON                   ${syncJsonRate.toFixed(0)} blocks/s = ×${(syncJsonRate / coreRate).toFixed(2)} of core warm, ×${(syncJsonRate / coldRate).toFixed(2)} of core cold`,
  );
  console.log(
    `  sync, binary                 ${syncRate.toFixed(0)} blocks/s = ×${(syncRate / coreRate).toFixed(2)} of core warm, ×${(syncRate / coldRate).toFixed(2)} of core cold`,
  );
  console.log(
    `  sync, binary, steady         ${syncRate.steady.toFixed(0)} blocks/s = ×${(syncRate.steady / coreRate).toFixed(2)} of core warm (after the first 10 %)`,
  );
  process.exit(0); // bench-lib stops the nodes and removes the temp dirs on exit
}

// ---- propagation over a 3-node line: A ← B ← C, plus a direct A–C link ----
const connectedAt = new Map(); // hash → [time at each node]
const track = (idx) => (line) => {
  if (!line.includes('block connected')) return;
  try {
    const r = JSON.parse(line);
    const times = connectedAt.get(r.hash) ?? [];
    times[idx] = r.at;
    connectedAt.set(r.hash, times);
  } catch {
    /* not json */
  }
};
stopAllNow();
const n1 = await startNode(
  ['--data-dir', tmp('chainlab-bench-p1-'), '--log-level', 'debug'],
  track(0),
);
const n2 = await startNode(
  ['--data-dir', tmp('chainlab-bench-p2-'), '--log-level', 'debug', '--peers', n1.url],
  track(1),
);
await startNode(
  [
    '--data-dir',
    tmp('chainlab-bench-p3-'),
    '--log-level',
    'debug',
    '--peers',
    `${n1.url},${n2.url}`,
  ],
  track(2),
);
await waitFor(async () => (await getJson(`${n1.url}/status`)).peers.length >= 2, 30_000);
const delays = [];
for (let i = 0; i < PROPAGATION_SAMPLES; i++) {
  const res = await fetch(`${n1.url}/dev/mine`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"blocks":1}',
  });
  const { hashes } = await res.json();
  const t = await waitFor(async () => {
    const times = connectedAt.get(hashes[0]);
    return times && times[0] && times[1] && times[2] ? times : false;
  }, 30_000);
  delays.push(Math.max(t[1], t[2]) - t[0]);
}
delays.sort((x, y) => x - y);

// ---- API latency while mining: a cheap route with every worker busy vs mining off ----
stopAllNow();
const hardSpec = path.join(tmp('chainlab-bench-hard-'), 'spec.json');
writeFileSync(hardSpec, JSON.stringify({ ...specJson, genesis: { bits: '0x1b00ffff' } })); // no block for hours: workers never idle
const m = await startService(
  'node',
  ['--spec', hardSpec, '--data-dir', tmp('chainlab-bench-m-')],
  {},
  { logLevel: null },
);
await waitFor(async () => (await getJson(`${m.url}/status`)).hashrate > 0, 30_000);
async function latencies(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await (await fetch(`${m.url}/chainlength`)).text();
    out.push(performance.now() - t);
  }
  return out.sort((x, y) => x - y);
}
const q = (arr, p) => arr[Math.min(arr.length - 1, Math.floor((p / 100) * arr.length))];
const LAT_N = quick ? 200 : 1000;
const threadsBusy = (await getJson(`${m.url}/status`)).threads;
const busy = await latencies(LAT_N);
await fetch(`${m.url}/dev/mining`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: '{"on":false}',
});
const idle = await latencies(LAT_N);
const pct = (p) => delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))];

const results = {
  blocks: BLOCKS,
  coreValidationBlocksPerSec: coreRate,
  coreValidationColdBlocksPerSec: coldRate,
  syncSteadyBlocksPerSec: syncRate.steady,
  syncSteadyVsCore: syncRate.steady / coreRate,
  syncVsCoreCold: syncRate / coldRate,
  syncBlocksPerSec: syncRate,
  syncVsCore: syncRate / coreRate,
  syncJsonBlocksPerSec: syncJsonRate,
  syncJsonVsCore: syncJsonRate / coreRate,
  restartSeconds: restartSecs,
  propagationMs: { p50: pct(50), p95: pct(95), samples: delays.length },
  rssMBWithChain: rssA / 1e6,
  apiLatencyMs: {
    threads: threadsBusy,
    miningP50: q(busy, 50),
    miningP99: q(busy, 99),
    idleP50: q(idle, 50),
    idleP99: q(idle, 99),
    ratioP50: q(busy, 50) / q(idle, 50),
    ratioP99: q(busy, 99) / q(idle, 99),
  },
};
console.log(`node benchmarks (${BLOCKS} blocks of 2 data items)`);
console.log(`  core in-process validation   ${coreRate.toFixed(0)} blocks/s (baseline, warm)`);
console.log(`  the same, fresh process      ${coldRate.toFixed(0)} blocks/s (baseline, cold)`);
console.log(
  `  sync from a peer, JSON       ${syncJsonRate.toFixed(0)} blocks/s = ×${results.syncJsonVsCore.toFixed(2)} of core warm (networking + storage cost)`,
);
console.log(
  `  sync from a peer, binary     ${syncRate.toFixed(0)} blocks/s = ×${results.syncVsCore.toFixed(2)} of core warm, ×${results.syncVsCoreCold.toFixed(2)} of core cold (×${(syncRate / syncJsonRate).toFixed(2)} of JSON)`,
);
console.log(
  `  the same after the first 10% ${syncRate.steady.toFixed(0)} blocks/s = ×${results.syncSteadyVsCore.toFixed(2)} of core warm (steady state, without connection set-up)`,
);
console.log(`  restart (replay the store)   ${restartSecs.toFixed(2)} s to listening`);
console.log(
  `  propagation to all 3 nodes   p50 ${results.propagationMs.p50} ms, p95 ${results.propagationMs.p95} ms (${delays.length} blocks)`,
);
const L = results.apiLatencyMs;
console.log(
  `  GET /chainlength while mining (${L.threads} worker${L.threads > 1 ? 's' : ''} busy)  p50 ${L.miningP50.toFixed(2)} ms (×${L.ratioP50.toFixed(2)} of idle), p99 ${L.miningP99.toFixed(2)} ms (×${L.ratioP99.toFixed(2)})`,
);
console.log(`  RSS of a node with the chain ${results.rssMBWithChain.toFixed(0)} MB`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
process.exit(0);
