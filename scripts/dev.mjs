#!/usr/bin/env node
// pnpm dev: a whole devnet on this machine — tracker, mempool (level ≥ 2), mining nodes and
// the explorer — with every URL, the dev accounts and a live status line per node.
//
// It supervises its children: ports are checked before anything starts; the banner comes
// only once every service *this* run started answers as itself (its own listening line,
// and for nodes and the mempool the pid that /status reports); a child that exits stops
// the whole devnet with that child's last log lines on screen and exit code 1. Each child
// runs in its own process group, so a terminal Ctrl-C reaches only this supervisor, which
// sends every child one SIGTERM (its clean shutdown: mempool state saved, LevelDB closed),
// nodes and explorer first, then the mempool, then the tracker.
// Logs go to <data>/logs/<service>.log.
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_PORT_BASE = 7000;
const HELP = `Usage: pnpm dev [-- options]

Starts a local devnet: explorer (7000), tracker (7100), mempool (7200, level ≥ 2) and
mining nodes (7301, 7302, ...). Ctrl-C stops every service cleanly.

Options:
  --spec <name|file.json>  chain spec (default: devnet; also devnet-data, devnet-contracts;
                           env CHAINLAB_SPEC)
  --nodes <n>              number of mining nodes, 1..9 (default: 3)
  --threads <n>            miner threads per node (default: 1)
  --port-base <port>       ports: explorer <base>, tracker <base>+100, mempool <base>+200,
                           nodes <base>+301, +302, ... (default: ${DEFAULT_PORT_BASE})
  --data-dir <dir>         where chains and logs live (default: ~/.chainlab/devnet-<spec>)
  --reset                  wipe the data dir first (a fresh chain from genesis)
  --no-status              print no live status line (e.g. when logging to a file)
  -h, --help               this text

Exit codes: 0 after Ctrl-C with every service stopped cleanly; 1 when a service failed to
start, crashed or did not stop cleanly; 2 for a usage error.
`;

const OPTIONS = {
  spec: { type: 'string', default: process.env.CHAINLAB_SPEC ?? 'devnet' },
  nodes: { type: 'string', default: '3' },
  threads: { type: 'string', default: '1' },
  'port-base': { type: 'string', default: String(DEFAULT_PORT_BASE) },
  'data-dir': { type: 'string' },
  reset: { type: 'boolean', default: false },
  'no-status': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

function usageError(message) {
  console.error(`pnpm dev: ${message}\n(run \`pnpm dev -- --help\` for usage)`);
  process.exit(2);
}

/** Edit distance, for "did you mean" (Damerau: a swap of two letters counts as one edit). */
function editDistance(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

function suggestOption(flag) {
  const name = flag.replace(/^-+/, '').split('=')[0];
  const scored = Object.keys(OPTIONS)
    .map((o) => ({ o, d: editDistance(name, o) }))
    .filter(({ o, d }) => d <= Math.max(1, Math.floor(o.length / 3)) || o.startsWith(name))
    .sort((x, y) => x.d - y.d);
  return scored.length > 0 ? ` (did you mean --${scored[0].o}?)` : '';
}

let args;
try {
  args = parseArgs({ options: OPTIONS, allowPositionals: false }).values;
} catch (e) {
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']+)'/.exec(e.message)?.[1] ?? '?';
    usageError(`unknown option ${flag}${suggestOption(flag)}`);
  } else if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const arg = /'([^']*)'/.exec(e.message)?.[1] ?? '?';
    usageError(`unexpected argument ${arg}: options start with -- (e.g. --spec ${arg})`);
  } else {
    usageError(e.message.replace(/^Option '([^']+)'/, 'option $1'));
  }
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
  usageError(`--spec ${args.spec}: ${e.message}`);
}
const intArg = (name, min, max) => {
  const raw = args[name];
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    usageError(`--${name} must be an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
  return n;
};
const nodeCount = intArg('nodes', 1, 9);
intArg('threads', 1, 64);
const portBase = intArg('port-base', 1024, 65535 - 301 - nodeCount);
const dataDir = path.resolve(
  args['data-dir'] ?? path.join(homedir(), '.chainlab', `devnet-${spec.name}`),
);

const HOST = '127.0.0.1';
const withMempool = spec.level >= 2;
// The explorer (web app) follows the nodes the tracker lists, and the mempool.
const withExplorer = existsSync(path.join(ROOT, 'apps/explorer/dist/main.js'));
const portsFor = (base) => ({
  explorer: base,
  tracker: base + 100,
  mempool: base + 200,
  nodes: Array.from({ length: nodeCount }, (_, i) => base + 301 + i),
});
const ports = portsFor(portBase);
const urlOf = (port) => `http://${HOST}:${port}`;
const trackerUrl = urlOf(ports.tracker);
const mempoolUrl = urlOf(ports.mempool);
const explorerUrl = urlOf(ports.explorer);
const nodeUrls = ports.nodes.map(urlOf);

// ---------------------------------------------------------------------------------------
// Before starting anything: the ports are free and no other devnet uses the data dir.
// ---------------------------------------------------------------------------------------

function portsList(p) {
  return [
    ...(withExplorer ? [p.explorer] : []),
    p.tracker,
    ...(withMempool ? [p.mempool] : []),
    ...p.nodes,
  ];
}

/** undefined when `port` can be bound on HOST now, else the error code (EADDRINUSE...). */
function probePort(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (e) => resolve(e.code ?? 'error'));
    srv.listen({ port, host: HOST, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
}

async function busyPorts(p) {
  const results = await Promise.all(
    portsList(p).map(async (port) => [port, await probePort(port)]),
  );
  return results.filter(([, err]) => err !== undefined);
}

const busy = await busyPorts(ports);
if (busy.length > 0) {
  const [port, code] = busy[0];
  let alternative = '';
  for (let k = 1; k <= 20 && !alternative; k++) {
    const base = portBase + k * 1000;
    if (base + 301 + nodeCount > 65535) break;
    if ((await busyPorts(portsFor(base))).length === 0) alternative = String(base);
  }
  const others =
    busy.length > 1
      ? ` (also ${busy
          .slice(1)
          .map(([p]) => p)
          .join(', ')})`
      : '';
  const why =
    code === 'EADDRINUSE'
      ? `port ${port} is in use${others} — is another devnet running?`
      : `cannot listen on ${HOST}:${port} (${code})${others}`;
  console.error(
    `pnpm dev: ${why} Stop it, or start this one on other ports: \`pnpm dev -- --port-base ${alternative || '<port>'}\``,
  );
  process.exit(1);
}

const lockFile = path.join(dataDir, 'devnet.lock');
function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}
if (existsSync(lockFile)) {
  let holder;
  try {
    holder = JSON.parse(readFileSync(lockFile, 'utf8'));
  } catch {
    /* unreadable: treat as stale */
  }
  if (
    holder &&
    Number.isInteger(holder.pid) &&
    holder.pid !== process.pid &&
    pidAlive(holder.pid)
  ) {
    console.error(
      `pnpm dev: ${dataDir} is in use by another devnet (pid ${holder.pid}, port base ${holder.portBase}). ` +
        'Stop it first, or give this one its own directory: `pnpm dev -- --data-dir <dir>`',
    );
    process.exit(1);
  }
}
if (args.reset && existsSync(dataDir)) {
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`reset: removed ${dataDir}`);
}
mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
writeFileSync(lockFile, JSON.stringify({ pid: process.pid, portBase }) + '\n');
const releaseLock = () => {
  try {
    const holder = JSON.parse(readFileSync(lockFile, 'utf8'));
    if (holder.pid === process.pid) unlinkSync(lockFile);
  } catch {
    /* already gone */
  }
};

// ---------------------------------------------------------------------------------------
// Children
// ---------------------------------------------------------------------------------------

/** @type {{name: string, kind: string, url: string, child: import('node:child_process').ChildProcess, log: string, logStart: number, exited: Promise<void>}[]} */
const children = [];
let stopping = false;
let statusTimer = null;

function start(name, kind, url, argv) {
  const script = path.join(ROOT, 'apps', kind, 'dist', 'main.js');
  const log = path.join(dataDir, 'logs', `${name}.log`);
  const fd = openSync(log, 'a');
  const logStart = fstatSync(fd).size; // this run's lines start here
  const child = spawn(process.execPath, [script, ...argv], {
    cwd: ROOT,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, CHAINLAB_LOG_FORMAT: 'json' },
    // Its own process group: the terminal's Ctrl-C reaches only this supervisor, which
    // then sends each child exactly one SIGTERM.
    detached: true,
  });
  closeSync(fd);
  const entry = { name, kind, url, child, log, logStart };
  entry.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => {
    if (stopping) return;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const when = ready ? 'while running' : 'during start-up';
    console.error(`\n${name} ${how} ${when}. Last lines of ${log}:\n${logTail(entry)}`);
    void stopAll(1);
  });
  children.push(entry);
  return entry;
}

/** This run's part of a child's log. */
function readLog(entry, maxBytes = 256 * 1024) {
  try {
    const fd = openSync(entry.log, 'r');
    try {
      const size = fstatSync(fd).size;
      const from = Math.max(entry.logStart, size - maxBytes);
      const buf = Buffer.alloc(size - from);
      readSync(fd, buf, 0, buf.length, from);
      return buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

const LEVELS = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
/** The last log lines of this run, JSON log lines shown as `level message: error`. */
function logTail(entry, n = 15) {
  const lines = readLog(entry)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-n)
    .map((l) => {
      try {
        const j = JSON.parse(l);
        const err = j.err?.message ? `: ${j.err.message}` : '';
        return `  ${LEVELS[j.level] ?? j.level} ${j.msg ?? ''}${err}`;
      } catch {
        return `  ${l}`;
      }
    });
  return lines.length > 0 ? lines.join('\n') : '  (nothing logged)';
}

function signalGroup(child, sig) {
  try {
    process.kill(-child.pid, sig);
  } catch {
    try {
      child.kill(sig);
    } catch {
      /* gone */
    }
  }
}

const STOP_TIMEOUT_MS = 20_000;
/** One SIGTERM per child, in reverse start order by tier; SIGKILL after the timeout. */
async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  if (statusTimer) clearInterval(statusTimer);
  process.stdout.write('\nstopping devnet…\n');
  let clean = true;
  const stop = async (entry) => {
    const { name, child } = entry;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const t = setTimeout(() => {
      clean = false;
      process.stdout.write(`  ${name} did not stop within ${STOP_TIMEOUT_MS / 1000} s: killed\n`);
      signalGroup(child, 'SIGKILL');
    }, STOP_TIMEOUT_MS);
    signalGroup(child, 'SIGTERM');
    await entry.exited;
    clearTimeout(t);
    if (child.exitCode === 0) {
      process.stdout.write(`  ${name} stopped\n`);
    } else if (child.signalCode === 'SIGTERM' && !ready) {
      process.stdout.write(`  ${name} stopped (it was still starting)\n`);
    } else if (child.signalCode !== 'SIGKILL') {
      clean = false;
      process.stdout.write(
        `  ${name} stopped with code ${child.exitCode ?? child.signalCode}; last lines:\n${logTail(entry, 5)}\n`,
      );
    }
  };
  const tiers = [['explorer', 'node'], ['mempool'], ['tracker']];
  for (const kinds of tiers) {
    await Promise.all(children.filter((c) => kinds.includes(c.kind)).map(stop));
  }
  releaseLock();
  process.exit(code === 0 && !clean ? 1 : code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
process.on('SIGHUP', () => void stopAll(0));
// Last resort (an exception in this script): no child outlives the supervisor.
process.on('exit', () => {
  for (const { child } of children)
    if (child.exitCode === null && child.signalCode === null) signalGroup(child, 'SIGTERM');
  releaseLock();
});

let ready = false;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until `entry` answers as itself: it printed its own listening line for the expected
 * URL, /running answers, and (node, mempool) /status names its pid and our chain.
 */
async function waitReady(entry, timeoutMs = 60_000) {
  const { name, kind, url, child } = entry;
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (stopping || child.exitCode !== null || child.signalCode !== null) {
      await new Promise(() => {}); // the exit handler stops the devnet
    }
    if (!readLog(entry).includes(`${kind} listening on ${url}`)) {
      lastProblem = `no "listening on ${url}" line in its log`;
      await sleep(200);
      continue;
    }
    try {
      const r = await fetch(`${url}/running`, { signal: AbortSignal.timeout(2000) });
      if (!r.ok) throw new Error(`/running answered ${r.status}`);
      if (kind === 'node' || kind === 'mempool') {
        const s = await (
          await fetch(`${url}/status`, { signal: AbortSignal.timeout(2000) })
        ).json();
        if (s.pid !== child.pid || s.chainId !== spec.chainId) {
          throw new Error(
            `${url} answers as another process (pid ${s.pid}, chainId ${s.chainId}), not the one started here (pid ${child.pid}, chainId ${spec.chainId}) — is another devnet running?`,
          );
        }
      }
      return;
    } catch (e) {
      if (/answers as another process/.test(e.message)) throw e;
      lastProblem = e.message;
    }
    await sleep(200);
  }
  throw new Error(
    `${name} did not come up at ${url} within ${timeoutMs / 1000} s (${lastProblem})`,
  );
}

async function waitRegistered(timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const listed = await (
        await fetch(`${trackerUrl}/nodes`, { signal: AbortSignal.timeout(2000) })
      ).json();
      if (nodeUrls.every((u) => listed.includes(u))) return;
    } catch {
      /* not yet */
    }
    await sleep(200);
  }
}

const common = ['--spec', args.spec, '--host', HOST];
const devAddresses = spec.devKeys.map((k) => core.privateKeyToAddress(k));
try {
  const tracker = start('tracker', 'tracker', trackerUrl, [
    ...common,
    '--port',
    String(ports.tracker),
    '--data-dir',
    path.join(dataDir, 'tracker'),
  ]);
  await waitReady(tracker);
  if (withMempool) {
    const mempool = start('mempool', 'mempool', mempoolUrl, [
      ...common,
      '--port',
      String(ports.mempool),
      '--tracker',
      trackerUrl,
      '--data-dir',
      path.join(dataDir, 'mempool'),
    ]);
    await waitReady(mempool);
  }
  const nodes = nodeUrls.map((url, i) => {
    const argv = [
      ...common,
      '--port',
      String(ports.nodes[i]),
      '--tracker',
      trackerUrl,
      '--threads',
      args.threads,
      '--data-dir',
      path.join(dataDir, `node-${i + 1}`),
    ];
    if (withMempool) argv.push('--mempool', mempoolUrl);
    // Each node mines to its own dev account (the last ones), so rewards are easy to tell apart.
    if (withMempool && devAddresses.length > 0)
      argv.push('--coinbase', devAddresses[devAddresses.length - 1 - i]);
    return start(`node-${i + 1}`, 'node', url, argv);
  });
  await Promise.all(nodes.map((n) => waitReady(n)));
  if (withExplorer) {
    // Started once every node is registered, so it names them node-1, node-2... in port order.
    await waitRegistered();
    const argv = [...common, '--port', String(ports.explorer), '--tracker', trackerUrl];
    if (withMempool) argv.push('--mempool', mempoolUrl);
    await waitReady(start('explorer', 'explorer', explorerUrl, argv));
  }
} catch (e) {
  if (!stopping) {
    console.error(`\n${e.message}`);
    const culprit = children.find((c) => e.message.startsWith(c.name) || e.message.includes(c.url));
    if (culprit) console.error(`Last lines of ${culprit.log}:\n${logTail(culprit)}`);
    await stopAll(1);
  }
  await new Promise(() => {}); // stopAll exits
}
if (stopping) await new Promise(() => {});
ready = true;

const line = '─'.repeat(78);
console.log(
  `\nchainlab devnet — spec ${spec.name} (level ${spec.level}, chainId ${spec.chainId}), data in ${dataDir}\n${line}`,
);
console.log(`tracker   ${trackerUrl}`);
if (withMempool) console.log(`mempool   ${mempoolUrl}`);
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
// Off the default ports the wallet needs to be told where the devnet is.
const walletEnv =
  portBase === DEFAULT_PORT_BASE
    ? []
    : [
        `export CHAINLAB_NODE=${nodeUrls[0]}${withMempool ? ` CHAINLAB_MEMPOOL=${mempoolUrl}` : ''}`,
      ];
const tries =
  spec.level === 1
    ? [
        `curl -X POST ${nodeUrls[0]}/data -H 'content-type: application/json' -d '{"data": "hello chainlab"}'`,
        `curl ${nodeUrls[0]}/tip`,
      ]
    : spec.level === 3
      ? [
          ...walletEnv,
          `export CHAINLAB_SPEC=${args.spec}`,
          `pnpm wallet -- import ${spec.devKeys[0] ?? '<private key>'} --name alice`,
          'pnpm wallet -- deploy examples/counter/Counter.sol --from alice --wait 1',
          'walkthroughs: examples/README.md (Counter, an ERC-20 token, an escrow)',
        ]
      : [
          ...walletEnv,
          'pnpm wallet -- new --name satoshi',
          'pnpm wallet -- faucet satoshi --wait 1',
          'pnpm wallet -- balance satoshi --confirmations 0',
        ];
console.log(`${line}\nTry, in another terminal:\n${tries.map((t) => `  ${t}`).join('\n')}`);
console.log(`Logs: ${path.join(dataDir, 'logs')}    Ctrl-C stops everything.\n${line}`);

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
