// A node's responsiveness under load (issue 15): GET /tip latency sampled every 10 ms by
// one client, and each service's event-loop delay (perf_hooks, GET /status `eventLoop`),
//   1. idle: a level-2 devnet node following its mempool, nothing happening;
//   2. push: 8 clients push pre-signed transfers to the mempool at full speed (the node
//      gets them over the mempool's feed) while the node mines a block every second;
//   3. flood: 500 WebSockets open on the node's /ws at once and stay open.
// Figures are ratios against the idle p99 of the same run (goal: ≤ 5×, or under 50 ms).
//   node apps/node/bench/event-loop.bench.mjs [--txs 8000] [--sockets 500] [--json out.json] [--quick]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import * as core from '../../../packages/core/dist/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WebSocket = createRequire(path.join(ROOT, 'apps/node/package.json'))('ws');
const argv = process.argv.slice(2);
const opt = (name, def) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : def);
const quick = argv.includes('--quick');
const TXS = Number(opt('--txs', quick ? 4000 : 8000));
const SOCKETS = Number(opt('--sockets', quick ? 200 : 500));
const IDLE_MS = quick ? 3000 : 6000;
const FLOOD_MS = quick ? 3000 : 6000;
const SENDERS = 200;
const CLIENTS = 8;
const jsonOut = opt('--json', null);
const log = (s) => process.stdout.write(s + '\n');

const dirs = [];
const procs = [];
const tmp = (p) => {
  const d = mkdtempSync(path.join(tmpdir(), p));
  dirs.push(d);
  return d;
};
process.on('exit', () => {
  for (const p of procs) p.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function startService(app, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, `apps/${app}/dist/main.js`), '--port', '0', ...args],
      {
        env: { ...process.env, CHAINLAB_LOG_FORMAT: 'json', CHAINLAB_LOG_LEVEL: 'warn' },
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

function request(url, { method = 'GET', body, agent } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: body
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
          : {},
        timeout: 60_000,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in 60 s`)));
    req.on('error', reject);
    req.end(body);
  });
}
const getJson = async (url) => JSON.parse((await request(url)).body.toString());

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
const allocations = {};
for (const k of keys) allocations[core.privateKeyToAddress(k)] = (10n ** 24n).toString();
const specJson = {
  extends: 'devnet',
  name: 'bench-event-loop',
  genesis: { bits: '0x207fffff', allocations },
  retarget: { rule: 'fixed' },
};
const spec = core.loadSpec(specJson);
const specPath = path.join(tmp('chainlab-bench-spec-'), 'spec.json');
writeFileSync(specPath, JSON.stringify(specJson));
const sink = core.privateKeyToAddress(core.devPrivateKey(89_999));
log(`signing ${perSender * SENDERS} transfers…`);
const bodies = keys.map((key) =>
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

const tracker = await startService('tracker', []);
const mempool = await startService('mempool', [
  '--spec',
  specPath,
  '--tracker',
  tracker.url,
  '--data-dir',
  tmp('chainlab-bench-mp-'),
]);
const node = await startService('node', [
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
]);
for (let i = 0; !(await getJson(`${node.url}/status`)).mempoolFeed?.live; i++) {
  if (i > 300) throw new Error('the node did not subscribe to the mempool feed');
  await new Promise((r) => setTimeout(r, 100));
}
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
const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
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
const started = performance.now();
await Promise.all(
  Array.from({ length: CLIENTS }, async (_, c) => {
    for (let s = c; s < bodies.length; s += CLIENTS) {
      for (const body of bodies[s]) {
        const r = await request(`${mempool.url}/pushtx`, { method: 'POST', body, agent });
        if (r.status !== 200) throw new Error(`/pushtx refused a tx: ${r.body}`);
      }
    }
  }),
);
const pushSeconds = (performance.now() - started) / 1000;
const pushLoops = await loops();
pushing = false;
await miner;
const push = {
  tip: summary(await stopSampling()),
  eventLoop: pushLoops,
  txPerSec: (perSender * SENDERS) / pushSeconds,
  blocks: mined,
};
agent.destroy();

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
