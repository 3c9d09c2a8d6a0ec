#!/usr/bin/env node
// pnpm dev: a whole devnet on this machine — tracker, mempool (level ≥ 2) and 3 mining
// nodes on the default ports — with every URL, the dev accounts and a live status line per
// node. Ctrl-C stops everything cleanly. Logs go to <data>/logs/<service>.log.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, rmSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HELP = `Usage: pnpm dev [-- options]

Starts a local devnet: tracker (7100), mempool (7200, level ≥ 2), nodes (7301-7303).

Options:
  --spec <name|file.json>  chain spec (default: devnet; also devnet-data, devnet-contracts)
  --nodes <n>              number of mining nodes (default: 3)
  --threads <n>            miner threads per node (default: 1)
  --data-dir <dir>         where chains and logs live (default: ~/.chainlab/devnet-<spec>)
  --reset                  wipe the data dir first (a fresh chain from genesis)
  --no-status              print no live status line (e.g. when logging to a file)
  -h, --help               this text
`;

let args;
try {
  args = parseArgs({
    options: {
      spec: { type: 'string', default: process.env.CHAINLAB_SPEC ?? 'devnet' },
      nodes: { type: 'string', default: '3' },
      threads: { type: 'string', default: '1' },
      'data-dir': { type: 'string' },
      reset: { type: 'boolean', default: false },
      'no-status': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  }).values;
} catch (e) {
  console.error(`${e.message}\n\n${HELP}`);
  process.exit(2);
}
if (args.help) {
  console.log(HELP);
  process.exit(0);
}

const core = await import(path.join(ROOT, 'packages/core/dist/index.js'));
let spec;
try {
  spec = args.spec.endsWith('.json')
    ? core.loadSpec(JSON.parse(readFileSync(args.spec, 'utf8')))
    : core.loadSpec(args.spec);
} catch (e) {
  console.error(`--spec ${args.spec}: ${e.message}`);
  process.exit(2);
}
const nodeCount = Number(args.nodes);
if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > 9) {
  console.error('--nodes must be 1..9');
  process.exit(2);
}
const dataDir = path.resolve(
  args['data-dir'] ?? path.join(homedir(), '.chainlab', `devnet-${spec.name}`),
);
if (args.reset && existsSync(dataDir)) {
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`reset: removed ${dataDir}`);
}
mkdirSync(path.join(dataDir, 'logs'), { recursive: true });

const HOST = '127.0.0.1';
const trackerUrl = `http://${HOST}:7100`;
const mempoolUrl = `http://${HOST}:7200`;
const nodeUrls = Array.from({ length: nodeCount }, (_, i) => `http://${HOST}:${7301 + i}`);
const children = [];

function start(name, app, argv) {
  const script = path.join(ROOT, 'apps', app, 'dist', 'main.js');
  const log = openSync(path.join(dataDir, 'logs', `${name}.log`), 'a');
  const child = spawn(process.execPath, [script, ...argv], {
    cwd: ROOT,
    stdio: ['ignore', log, log],
    env: { ...process.env, CHAINLAB_LOG_FORMAT: 'json' },
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(
        `\n${name} exited (code ${code}, signal ${signal}); see ${path.join(dataDir, 'logs', `${name}.log`)}`,
      );
      void stopAll(1);
    }
  });
  children.push({ name, child });
  return child;
}

async function waitRunning(url, what) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${url}/running`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not start at ${url}; see ${path.join(dataDir, 'logs')}`);
}

let stopping = false;
async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  if (statusTimer) clearInterval(statusTimer);
  process.stdout.write('\nstopping devnet…\n');
  const exits = children.map(
    ({ name, child }) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(t);
          process.stdout.write(`  ${name} stopped\n`);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  );
  await Promise.all(exits);
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

const common = ['--spec', args.spec, '--host', HOST];
start('tracker', 'tracker', [
  ...common,
  '--port',
  '7100',
  '--data-dir',
  path.join(dataDir, 'tracker'),
]);
if (spec.level >= 2) {
  start('mempool', 'mempool', [
    ...common,
    '--port',
    '7200',
    '--tracker',
    trackerUrl,
    '--data-dir',
    path.join(dataDir, 'mempool'),
  ]);
}
const devAddresses = spec.devKeys.map((k) => core.privateKeyToAddress(k));
nodeUrls.forEach((url, i) => {
  const argv = [
    ...common,
    '--port',
    String(7301 + i),
    '--tracker',
    trackerUrl,
    '--threads',
    args.threads,
    '--data-dir',
    path.join(dataDir, `node-${i + 1}`),
  ];
  if (spec.level >= 2) argv.push('--mempool', mempoolUrl);
  // Each node mines to its own dev account (the last ones), so rewards are easy to tell apart.
  if (spec.level >= 2 && devAddresses.length > 0)
    argv.push('--coinbase', devAddresses[devAddresses.length - 1 - i]);
  start(`node-${i + 1}`, 'node', argv);
});
// The explorer (web app on :7000) follows the nodes the tracker lists, and the mempool. It
// starts once every node is registered, so it names them node-1, node-2... in port order.
const explorerUrl = `http://${HOST}:7000`;
const withExplorer = existsSync(path.join(ROOT, 'apps/explorer/dist/main.js'));

async function waitRegistered() {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      const listed = await (
        await fetch(`${trackerUrl}/nodes`, { signal: AbortSignal.timeout(1000) })
      ).json();
      if (nodeUrls.every((u) => listed.includes(u))) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

try {
  await waitRunning(trackerUrl, 'tracker');
  if (spec.level >= 2) await waitRunning(mempoolUrl, 'mempool');
  await Promise.all(nodeUrls.map((u, i) => waitRunning(u, `node-${i + 1}`)));
  if (withExplorer) {
    await waitRegistered();
    const argv = [...common, '--port', '7000', '--tracker', trackerUrl];
    if (spec.level >= 2) argv.push('--mempool', mempoolUrl);
    start('explorer', 'explorer', argv);
    await waitRunning(explorerUrl, 'explorer');
  }
} catch (e) {
  console.error(e.message);
  await stopAll(1);
}

const line = '─'.repeat(78);
console.log(
  `\nchainlab devnet — spec ${spec.name} (level ${spec.level}, chainId ${spec.chainId}), data in ${dataDir}\n${line}`,
);
console.log(`tracker   ${trackerUrl}`);
if (spec.level >= 2) console.log(`mempool   ${mempoolUrl}`);
nodeUrls.forEach((u, i) => console.log(`node-${i + 1}    ${u}`));
if (withExplorer)
  console.log(
    `explorer  ${explorerUrl}   ← open it in a browser: nodes, fork tree, blocks, txs, devnet buttons`,
  );
if (spec.devKeys.length > 0) {
  console.log(
    `${line}\nDev accounts — DEVNET ONLY: these keys are public, never use them anywhere else`,
  );
  spec.devKeys.forEach((k, i) => console.log(`  #${i} ${devAddresses[i]}  ${k}`));
  console.log(
    `  each funded with ${core.formatCoins(Object.values(spec.genesis.allocations)[0] ?? 0n, spec.coin.decimals)} ${spec.coin.symbol}`,
  );
}
const tries =
  spec.level === 1
    ? [
        `curl -X POST ${nodeUrls[0]}/data -H 'content-type: application/json' -d '{"data": "hello chainlab"}'`,
        `curl ${nodeUrls[0]}/tip`,
      ]
    : spec.level === 3
      ? [
          `export CHAINLAB_SPEC=${args.spec}`,
          `pnpm wallet -- import ${spec.devKeys[0] ?? '<private key>'} --name alice`,
          'pnpm wallet -- deploy examples/counter/Counter.sol --from alice --wait 1',
          'walkthroughs: examples/README.md (Counter, an ERC-20 token, an escrow)',
        ]
      : [
          'pnpm wallet -- new --name alice',
          'pnpm wallet -- faucet alice --amount 100',
          'pnpm wallet -- balance alice --confirmations 0',
        ];
console.log(`${line}\nTry, in another terminal:\n${tries.map((t) => `  ${t}`).join('\n')}`);
console.log(`Logs: ${path.join(dataDir, 'logs')}    Ctrl-C stops everything.\n${line}`);

let statusTimer = null;
if (!args['no-status']) {
  const tty = process.stdout.isTTY;
  let lines = 0;
  const show = async () => {
    const rows = await Promise.all(
      nodeUrls.map(async (u, i) => {
        try {
          const s = await (
            await fetch(`${u}/status`, { signal: AbortSignal.timeout(1500) })
          ).json();
          const rate =
            s.hashrate >= 1e6
              ? `${(s.hashrate / 1e6).toFixed(2)} MH/s`
              : `${(s.hashrate / 1e3).toFixed(0)} kH/s`;
          return `node-${i + 1}  height ${String(s.height).padStart(5)}  tip ${s.tip.slice(0, 14)}…  ${rate.padStart(11)}  peers ${s.peers.length}  pending ${s.pending}${s.mining ? '' : '  (not mining)'}`;
        } catch {
          return `node-${i + 1}  not answering`;
        }
      }),
    );
    if (stopping) return;
    if (tty && lines > 0) process.stdout.write(`\x1b[${lines}A`);
    for (const r of rows) process.stdout.write(tty ? `\x1b[2K${r}\n` : `${r}\n`);
    lines = rows.length;
  };
  statusTimer = setInterval(() => void show(), tty ? 1000 : 10_000);
  void show();
}
