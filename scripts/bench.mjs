#!/usr/bin/env node
// pnpm bench: runs every benchmark one after another (never two at once: they would
// measure each other) and collects their figures in bench-results/latest.json. Each
// benchmark prints its figures as ratios against a baseline measured in the same run,
// because absolute numbers on a shared machine mean little.
//   pnpm bench [-- --quick] [-- --only core,miner]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCHES = [
  ['core', 'packages/core/bench/core.bench.mjs', 'signature verification and block validation'],
  [
    'miner',
    'packages/miner-worker/bench/miner.bench.mjs',
    'nonce search, scaling, cancellation, API latency',
  ],
  ['node', 'apps/node/bench/network.bench.mjs', 'sync, restart, propagation, memory'],
  [
    'event-loop',
    'apps/node/bench/event-loop.bench.mjs',
    "a node's GET /tip p99 idle, while the mempool takes pushes, under a WebSocket flood",
  ],
  ['mempool', 'apps/mempool/bench/admission.bench.mjs', 'admission throughput and balance latency'],
  [
    'anvil',
    'apps/mempool/bench/vs-anvil.bench.mjs',
    'chainlab vs Anvil: /pushtx vs eth_sendRawTransaction over HTTP, 8 clients',
  ],
  [
    'eth-rpc',
    'apps/node/bench/eth-rpc-vs-anvil.bench.mjs',
    'chainlab vs Anvil: eth_sendRawTransaction admissions/s and eth_call/s over JSON-RPC, 8 clients',
  ],
  [
    'devnet',
    'apps/mempool/bench/devnet.bench.mjs',
    'txs/s to one confirmation on a 3-node devnet, block fill',
  ],
  ['evm', 'packages/evm/bench/evm.bench.mjs', 'ERC-20 execution vs plain transfers'],
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
const outDir = path.join(ROOT, 'bench-results');
mkdirSync(outDir, { recursive: true });

const all = { date: new Date().toISOString(), node: process.version, quick, results: {} };
let failed = 0;
for (const [name, script, what] of BENCHES) {
  if (only && !only.includes(name)) continue;
  const file = path.join(ROOT, script);
  if (!existsSync(file)) {
    console.log(`\n## ${name}: ${what} — not present yet (${script})`);
    continue;
  }
  console.log(`\n## ${name}: ${what}`);
  const json = path.join(outDir, `${name}.json`);
  const r = spawnSync(process.execPath, [file, '--json', json, ...(quick ? ['--quick'] : [])], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    console.log(`   ${name} benchmark failed (exit ${r.status})`);
    failed++;
    continue;
  }
  if (existsSync(json)) all.results[name] = JSON.parse(readFileSync(json, 'utf8'));
}
writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(all, null, 2));
console.log(`\nall figures: ${path.relative(ROOT, path.join(outDir, 'latest.json'))}`);
process.exit(failed > 0 ? 1 : 0);
