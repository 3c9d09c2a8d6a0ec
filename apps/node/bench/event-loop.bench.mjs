// A node's responsiveness under load (issue 15): GET /tip latency sampled every 10 ms by
// one client, and each service's event-loop delay (perf_hooks, GET /status `eventLoop`),
//   1. idle: a level-2 devnet node following its mempool, nothing happening;
//   2. push: 8 clients push pre-signed transfers to the mempool at full speed (the node
//      gets them over the mempool's feed) while the node mines a block every second;
//   3. flood: 500 WebSockets open on the node's /ws at once and stay open.
// Figures are ratios against the idle p99 of the same run (goal: ≤ 5×, or under 50 ms).
//   node apps/node/bench/event-loop.bench.mjs [--txs 8000] [--sockets 500] [--json out.json] [--quick]
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as core from '../../../packages/core/dist/index.js';
import {
  ROOT,
  benchArgs,
  blast,
  fundedSpec,
  getJson,
  log,
  request,
  startChainlab,
  transferBodies,
  waitFor,
} from '../../../scripts/bench-lib.mjs';

const WebSocket = createRequire(path.join(ROOT, 'apps/node/package.json'))('ws');
const { opt, quick, jsonOut } = benchArgs();
const TXS = Number(opt('--txs', quick ? 4000 : 8000));
const SOCKETS = Number(opt('--sockets', quick ? 200 : 500));
const IDLE_MS = quick ? 3000 : 6000;
const FLOOD_MS = quick ? 3000 : 6000;
const SENDERS = 200;

/** GET /tip every 10 ms on its own connection until stop(); returns the latencies (ms). */
function sampleTip(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const t = performance.now();
      await request(`${url}/tip`, { agent });
      times.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
    agent.destroy();
  })();
  return async () => {
    running = false;
    await done;
    return times;
  };
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const summary = (xs) => ({
  samples: xs.length,
  p50: pct(xs, 50),
  p99: pct(xs, 99),
  max: pct(xs, 100),
});

// ---- the chain and the txs ----
const perSender = Math.ceil(TXS / SENDERS);
const keys = Array.from({ length: SENDERS }, (_, i) =>
  core.devPrivateKey(90_000 + Math.floor(Math.random() * 1e9) + i),
);
const { spec, specPath } = fundedSpec(
  {
    extends: 'devnet',
    name: 'bench-event-loop',
    genesis: { bits: '0x207fffff' },
    retarget: { rule: 'fixed' },
  },
  keys.map((k) => core.privateKeyToAddress(k)),
);
const sink = core.privateKeyToAddress(core.devPrivateKey(89_999));
log(`signing ${perSender * SENDERS} transfers…`);
const bodies = transferBodies(spec, keys, perSender, sink);

const { mempool, node } = await startChainlab(specPath, { node: true });
await waitFor(
  async () => (await getJson(`${node.url}/status`)).mempoolFeed?.live,
  'the node did not subscribe to the mempool feed',
);
const loops = async () => ({
  node: (await getJson(`${node.url}/status`)).eventLoop,
  mempool: (await getJson(`${mempool.url}/status`)).eventLoop,
});

// ---- 1. idle ----
await new Promise((r) => setTimeout(r, 5500)); // a full event-loop window of quiet
let stopSampling = sampleTip(node.url);
await new Promise((r) => setTimeout(r, IDLE_MS));
const idle = { tip: summary(await stopSampling()), eventLoop: await loops() };

// ---- 2. push at full speed, a block a second ----
stopSampling = sampleTip(node.url);
let pushing = true;
let mined = 0;
const miner = (async () => {
  while (pushing) {
    await new Promise((r) => setTimeout(r, 1000));
    const r = await request(`${node.url}/dev/mine`, { method: 'POST', body: '{"blocks":1}' });
    if (r.status !== 200) throw new Error(`/dev/mine: ${r.status} ${r.body}`);
    mined++;
  }
})();
const txPerSec = await blast(`${mempool.url}/pushtx`, bodies, (r) => {
  if (r.status !== 200) throw new Error(`/pushtx refused a tx: ${r.body}`);
});
const pushLoops = await loops();
pushing = false;
await miner;
const push = {
  tip: summary(await stopSampling()),
  eventLoop: pushLoops,
  txPerSec,
  blocks: mined,
};

// ---- 3. WebSocket flood ----
await new Promise((r) => setTimeout(r, 5500)); // back to quiet
stopSampling = sampleTip(node.url);
const wsUrl = node.url.replace(/^http/, 'ws') + '/ws';
const sockets = Array.from({ length: SOCKETS }, () => {
  const ws = new WebSocket(wsUrl);
  ws.on('error', () => {});
  return ws;
});
await new Promise((r) => setTimeout(r, FLOOD_MS));
const floodLoops = await loops();
const open = sockets.filter((s) => s.readyState === WebSocket.OPEN).length;
for (const s of sockets) s.terminate();
const flood = { tip: summary(await stopSampling()), eventLoop: floodLoops, sockets: SOCKETS, open };

// ---- report ----
const f = (x, d = 1) =>
  x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const ratio = (x) => x / Math.max(idle.tip.p99, 0.001);
const line = (name, r) =>
  log(
    `  ${name.padEnd(34)} /tip p50 ${f(r.tip.p50).padStart(6)} ms  p99 ${f(r.tip.p99).padStart(6)} ms (×${f(ratio(r.tip.p99), 2)} idle)  max ${f(r.tip.max).padStart(6)} ms   event loop p99: node ${f(r.eventLoop.node.p99Ms)} ms, mempool ${f(r.eventLoop.mempool.p99Ms)} ms`,
  );
log(`a node's GET /tip under load (sampled every 10 ms; event loop: last 5 s window)`);
line('idle', idle);
line(`push (${f(push.txPerSec, 0)} tx/s, ${push.blocks} blocks)`, push);
line(`flood (${flood.open}/${SOCKETS} sockets open)`, flood);
const results = {
  quick,
  idle,
  push,
  flood,
  pushRatio: ratio(push.tip.p99),
  floodRatio: ratio(flood.tip.p99),
};
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
process.exit(0);
