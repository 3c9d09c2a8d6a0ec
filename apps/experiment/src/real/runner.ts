// --real: the scenario on real processes — one tracker and one node per scenario node,
// built JS from apps/*/dist, on this machine.
//
// - Hash shares: every node mines with one thread, capped at totalHashrate × share H/s
//   (the node's hidden --max-hashrate flag); the genesis difficulty is totalHashrate ×
//   block interval hashes, so the network starts at the target interval.
// - Link delays: each node holds the blocks it sends by its link delay (hidden
//   --gossip-delay-ms). Real mode has one delay per sending node: for per-pair delays it
//   uses the mean of the node's links (and says so).
// - Faults: kill -9 and restart (same port, same data dir), partition and heal (the
//   runner's per-node tracker views and pair proxies, network.ts), hash-share changes
//   (mining off, or a restart with a new cap).
// - Measurements come from the nodes themselves: their JSON logs ('mined a block',
//   'block connected' with its time) and their block trees (GET /tree).
// - Checks at the end: all nodes on one tip, that tip has the most work of any block any
//   node knows, no block a node had stored was missing after its restart, and every data
//   item a node acknowledged (202) and never lost in a crash is on the main chain.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { blockSize, headerWork, parseBlock, type ChainSpec } from '@chainlab/core';
import {
  DelayCounter,
  NetworkModel,
  summarize,
  type BlockRecord,
  type Fault,
  type Scenario,
  type Summary,
} from '@chainlab/sim';
import { measureAttacks } from './attacks.js';
import { LogBook, nodeArgs, nodeStates, type NodeState } from './nodes.js';
import { realChain } from './spec.js';
import type { ProgressBar } from '../progress.js';
import { maxOf } from '../extent.js';
import { REPO_ROOT } from '../paths.js';
import { NetworkControl } from './network.js';
import { appScript, startService, type Service } from './process.js';

export interface RealOptions {
  outDir: string;
  bar: ProgressBar;
  log: (line: string) => void;
  echo: boolean;
  params?: Record<string, unknown>;
}

export interface RealResult {
  records: BlockRecord[];
  summary: Summary;
  mainTip: string;
  spec: ChainSpec;
  genesisWork: number;
  faults: { time: number; event: string }[];
  info: Record<string, unknown>;
}

interface TreeBlock {
  hash: string;
  height: number;
  prevHash: string;
  time: number;
  bits: number;
  chainwork: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ZERO = '0x' + '0'.repeat(64);

async function getJson<T>(url: string, timeoutMs = 5000): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200) throw new Error(`GET ${url} → ${res.status}`);
  return (await res.json()) as T;
}

async function postJson(url: string, body: unknown, timeoutMs = 5000): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  await res.text();
  return res.status;
}

export async function runReal(scenario: Scenario, opts: RealOptions): Promise<RealResult> {
  const real = scenario.real;
  const { spec, specFile, genesisWork, transfers } = realChain(scenario, opts.outDir);
  const warnings: string[] = [];
  const network = new NetworkModel(scenario, scenario.seed);
  if (scenario.network.topology.kind !== 'mesh')
    warnings.push(
      'real mode: nodes find each other through the tracker (a full mesh); the random topology is simulator-only',
    );
  if (scenario.network.bandwidthBytesPerSecond)
    warnings.push('real mode: network.bandwidthBytesPerSecond is simulator-only');
  if (transfers && scenario.load.txPerSecond > 0)
    warnings.push(
      'real mode: load (data items) needs a level-1 chain; a double-spend run has none',
    );
  const n = scenario.nodes.length;
  const echo = opts.echo ? (line: string) => process.stderr.write(line + '\n') : undefined;
  const root = REPO_ROOT;
  const nodeScript = appScript(root, 'node');
  const trackerScript = appScript(root, 'tracker');

  const { states, pairDelaysMs } = nodeStates(scenario, network);
  const book = new LogBook(states);
  const mined = book.mined;
  let tracker: Service | null = null;
  // A double-spend run is a level-2 chain: the payment goes to a real mempool, as a user's would.
  let mempool: Service | null = null;
  const mempoolDir = transfers ? mkdtempSync(path.join(tmpdir(), 'chainlab-exp-mempool-')) : null;
  let control: NetworkControl | null = null;
  const timers: NodeJS.Timeout[] = [];
  const faultLog: { time: number; event: string }[] = [];
  const faultTimes: number[] = [];
  let t0 = Date.now();
  const elapsed = () => (Date.now() - t0) / 1000;
  let miningPhase = false;
  let partitioned = false;
  const checks = { lostBlocks: 0, restartsChecked: 0, errors: [] as string[] };

  const startNode = async (s: NodeState): Promise<void> => {
    const args = nodeArgs(s, {
      specFile,
      trackerUrl: control!.viewUrls[s.j]!,
      mempoolUrl: mempool?.url ?? null,
      totalHashrate: real.totalHashrate,
      pollIntervalMs: real.pollIntervalMs,
    });
    const svc = await startService(s.id, nodeScript, args, { onRecord: book.reader(s.j), echo });
    s.service = svc;
    s.port = svc.port;
    s.online = true;
    control!.setNode(s.j, svc.url);
    if (miningPhase && s.share > 0) await postJson(`${svc.url}/dev/mining`, { on: true });
  };

  const tipOf = (s: NodeState) =>
    getJson<{ height: number; hash: string; chainwork: string }>(`${s.service!.url}/tip`);
  const treeOf = async (s: NodeState) =>
    (await getJson<{ blocks: TreeBlock[] }>(`${s.service!.url}/tree?fromHeight=0`, 30_000)).blocks;
  const online = () => states.filter((s) => s.online);

  const record = (event: string) => {
    faultLog.push({ time: elapsed(), event });
    faultTimes.push(Date.now());
    opts.log(`  t=${elapsed().toFixed(1)}s ${event}`);
  };

  // Faults run one at a time, in order.
  let faultChain: Promise<void> = Promise.resolve();
  const enqueue = (fn: () => Promise<void>) => {
    faultChain = faultChain.then(fn).catch((e: Error) => {
      checks.errors.push(e.message);
    });
  };
  const timedRestarts: { done: boolean; nodes: NodeState[]; snapshots: Map<string, string[]> }[] =
    [];
  const pendingRestarts: {
    height: number;
    nodes: NodeState[];
    snapshots: Map<string, string[]>;
  }[] = [];
  const byId = new Map(states.map((s) => [s.id, s]));

  const restart = async (nodes: NodeState[], snapshots: Map<string, string[]>) => {
    const down = nodes.filter((s) => !s.online);
    if (down.length === 0) return;
    for (const s of down) await startNode(s);
    record(`restart ${down.map((s) => s.id).join(', ')}`);
    // Nothing it had stored may be missing after the crash.
    for (const s of down) {
      for (const hash of snapshots.get(s.id) ?? []) {
        const res = await fetch(`${s.service!.url}/block/hash/${hash}`, {
          signal: AbortSignal.timeout(5000),
        });
        await res.text();
        if (res.status !== 200) checks.lostBlocks++;
      }
      checks.restartsChecked++;
    }
  };

  let maxHeight = 0;
  const apply = async (f: Fault): Promise<void> => {
    switch (f.kind) {
      case 'kill': {
        const nodes = f.nodes.map((id) => byId.get(id)!).filter((s) => s.online);
        const snapshots = new Map<string, string[]>();
        for (const s of nodes) {
          await s.service!.kill9();
          // Read after the process is dead: everything it acknowledged before the crash.
          snapshots.set(s.id, [...s.acknowledged]);
          s.online = false;
          s.everKilled = true;
        }
        record(`kill -9 ${nodes.map((s) => s.id).join(', ')}`);
        if (f.restartAfter) {
          if ('seconds' in f.restartAfter) {
            // Remembered beside its timer: a run that stops first still restarts the node.
            const entry = { done: false, nodes, snapshots };
            timedRestarts.push(entry);
            timers.push(
              setTimeout(() => {
                entry.done = true;
                enqueue(() => restart(nodes, snapshots));
              }, f.restartAfter.seconds * 1000),
            );
          } else
            pendingRestarts.push({ height: maxHeight + f.restartAfter.blocks, nodes, snapshots });
        }
        return;
      }
      case 'partition': {
        const groups = states.map(() => f.groups.length);
        f.groups.forEach((g, k) => g.forEach((id) => (groups[byId.get(id)!.j] = k)));
        control!.setGroups(groups);
        partitioned = true;
        record(`partition ${f.groups.map((g) => `[${g.join(', ')}]`).join(' ')}`);
        return;
      }
      case 'heal':
        control!.setGroups(states.map(() => 0));
        partitioned = false;
        record('heal');
        return;
      case 'hashShare': {
        for (const [id, share] of Object.entries(f.shares)) {
          const s = byId.get(id)!;
          s.share = share;
          if (!s.online) continue;
          if (share === 0) await postJson(`${s.service!.url}/dev/mining`, { on: false });
          else {
            await s.service!.stop();
            s.online = false;
            await startNode(s); // a new --max-hashrate
          }
        }
        record(
          `hash share ${Object.entries(f.shares)
            .map(([id, v]) => `${id}=${v}`)
            .join(', ')}`,
        );
        return;
      }
    }
  };

  // Ctrl-C (or SIGTERM) during a real run: stop the processes we started, then exit.
  const onSignal = (signal: NodeJS.Signals) => {
    opts.log(`\n${signal}: stopping the tracker and nodes`);
    for (const s of states) if (s.online) s.service!.proc.kill('SIGTERM');
    tracker?.proc.kill('SIGTERM');
    mempool?.proc.kill('SIGTERM');
    void control?.close();
    for (const s of states) rmSync(s.dataDir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let loadSeq = 0;
  const acked: { item: string; j: number; at: number }[] = [];
  let stoppedBy = 'stop condition';
  let duration = 0;
  try {
    tracker = await startService('tracker', trackerScript, ['--port', '0', '--ttl', '5'], { echo });
    control = new NetworkControl(tracker.url, n, pairDelaysMs);
    await control.start();
    if (transfers)
      mempool = await startService(
        'mempool',
        appScript(root, 'mempool'),
        ['--port', '0', '--spec', specFile, '--tracker', tracker.url, '--data-dir', mempoolDir!],
        { echo },
      );
    // The explorer can follow the run live through the tracker (docs/experiments.md).
    opts.log(
      `  watch it live: pnpm start:explorer -- --port 7000 --tracker ${tracker.url} --spec ${specFile}` +
        (mempool ? ` --mempool ${mempool.url}` : ''),
    );
    opts.bar.update(0, 'starting nodes');
    for (const s of states) await startNode(s);
    // Let them find each other before anyone mines.
    const want = Math.min(1, n - 1);
    const meshDeadline = Date.now() + 30_000;
    while (Date.now() < meshDeadline) {
      const peers = await Promise.all(
        states.map((s) =>
          getJson<{ peers: string[] }>(`${s.service!.url}/status`)
            .then((x) => x.peers.length)
            .catch(() => 0),
        ),
      );
      if (peers.every((p) => p >= want)) break;
      await sleep(250);
    }
    miningPhase = true;
    t0 = Date.now();
    for (const s of states)
      if (s.share > 0) await postJson(`${s.service!.url}/dev/mining`, { on: true });

    for (const f of scenario.faults) {
      if ('seconds' in f.at)
        timers.push(setTimeout(() => enqueue(() => apply(f)), f.at.seconds * 1000));
    }
    const heightFaults = scenario.faults
      .filter((f) => 'height' in f.at)
      .sort((a, b) => (a.at as { height: number }).height - (b.at as { height: number }).height);

    if (scenario.load.txPerSecond > 0 && !transfers) {
      const tick = 100;
      let owed = 0;
      timers.push(
        setInterval(() => {
          owed += (scenario.load.txPerSecond * tick) / 1000;
          const targets = online().filter((s) => s.share > 0);
          while (owed >= 1 && targets.length > 0) {
            owed -= 1;
            const s = targets[loadSeq % targets.length]!;
            const head = `tx-${loadSeq++}-${s.id}-`;
            const item = head + 'x'.repeat(Math.max(0, scenario.load.txBytes - head.length));
            const url = s.service!.url;
            postJson(`${url}/data`, { data: item })
              .then((status) => {
                if (status === 202) acked.push({ item, j: s.j, at: Date.now() });
              })
              .catch(() => undefined);
          }
        }, tick),
      );
    }

    const stop = real.stop;
    let lastSample = 0;
    for (;;) {
      const tips = await Promise.all(online().map((s) => tipOf(s).catch(() => null)));
      for (const t of tips) if (t && t.height > maxHeight) maxHeight = t.height;
      while (
        heightFaults.length > 0 &&
        (heightFaults[0]!.at as { height: number }).height <= maxHeight
      ) {
        const f = heightFaults.shift()!;
        enqueue(() => apply(f));
      }
      for (let i = 0; i < pendingRestarts.length;) {
        const r = pendingRestarts[i]!;
        if (r.height <= maxHeight) {
          pendingRestarts.splice(i, 1);
          enqueue(() => restart(r.nodes, r.snapshots));
        } else i++;
      }
      if (Date.now() - lastSample > 2000) {
        lastSample = Date.now();
        await Promise.all(
          online().map(async (s) => {
            const st = await getJson<{ hashrate: number; mining: boolean }>(
              `${s.service!.url}/status`,
            ).catch(() => null);
            if (st?.mining && st.hashrate > 0) s.hashrates.push(st.hashrate);
          }),
        );
      }
      const fraction = Math.max(
        stop.height ? maxHeight / stop.height : 0,
        stop.blocks ? book.publicMined / stop.blocks : 0,
        stop.seconds ? elapsed() / stop.seconds : 0,
      );
      opts.bar.update(
        Math.min(1, fraction),
        `height ${maxHeight}, ${book.publicMined} public blocks`,
      );
      if (fraction >= 1) break;
      if (elapsed() > real.timeoutSeconds) {
        stoppedBy = 'timeout';
        warnings.push(
          `stopped by real.timeoutSeconds (${real.timeoutSeconds} s) before the stop condition`,
        );
        break;
      }
      await sleep(250);
    }
    duration = elapsed();
    for (const t of timers) {
      clearTimeout(t);
      clearInterval(t);
    }
    await faultChain;
    // Restarts still due are carried out, so every crash is checked.
    for (const r of pendingRestarts.splice(0)) await restart(r.nodes, r.snapshots);
    for (const r of timedRestarts) {
      if (r.done) continue;
      r.done = true;
      await restart(r.nodes, r.snapshots);
    }

    // Drain: keep mining a little so queued data gets into blocks, then stop and converge.
    opts.bar.update(1, 'draining');
    await sleep(real.drainSeconds * 1000);
    const pendingDeadline = Date.now() + 20_000;
    while (Date.now() < pendingDeadline) {
      const pending = await Promise.all(
        online()
          .filter((s) => s.share > 0)
          .map((s) =>
            getJson<{ pending: number }>(`${s.service!.url}/status`)
              .then((x) => x.pending)
              .catch(() => 0),
          ),
      );
      if (pending.every((p) => p === 0)) break;
      await sleep(250);
    }
    for (const s of online())
      await postJson(`${s.service!.url}/dev/mining`, { on: false }).catch(() => undefined);
    // A run that ends partitioned cannot converge: don't wait long for it.
    if (partitioned)
      warnings.push(
        'the run ended with the network partitioned (no heal before the stop condition)',
      );
    const converge = async (): Promise<boolean> => {
      const convergeDeadline = Date.now() + (partitioned ? 3_000 : 30_000);
      while (Date.now() < convergeDeadline) {
        const tips = await Promise.all(online().map(tipOf));
        if (tips.every((t) => t.hash === tips[0]!.hash)) return true;
        await sleep(250);
      }
      return false;
    };
    let converged = await converge();
    // An attack can end on an open tie (a selfish pool's block and an honest one at one
    // height, each side keeping the first it saw): one more honest block settles it, as the
    // next block would on a live network. At most three rounds, one honest node each.
    const honestMiners = () => online().filter((s) => s.strategy.type === 'honest' && s.share > 0);
    for (let round = 0; !converged && !partitioned && round < 3; round++) {
      const h = honestMiners()[round % Math.max(1, honestMiners().length)];
      if (!h) break;
      await postJson(`${h.service!.url}/dev/mine`, { blocks: 1 }, 60_000).catch(() => undefined);
      converged = await converge();
    }
    // A block carrying queued data can lose a last race: its items go back to their node's
    // queue, which no longer mines. Such a node mines one block on request, and the network
    // converges again (one node per round, a few rounds at most), so acknowledged data is not counted lost.
    for (let round = 0; converged && !partitioned && round < 6; round++) {
      const holding = [];
      for (const s of online()) {
        const st = await getJson<{ pending: number }>(`${s.service!.url}/status`).catch(() => null);
        if (st && st.pending > 0) holding.push(s);
      }
      if (holding.length === 0) break;
      // One node per round: two mining at once could fork again with equal work.
      await postJson(`${holding[0]!.service!.url}/dev/mine`, { blocks: 1 }).catch(() => undefined);
      converged = await converge();
    }

    // Collect the block trees and the blocks themselves.
    const tree = new Map<string, TreeBlock>();
    const holder = new Map<string, NodeState>();
    const tips = new Map<string, { hash: string; chainwork: bigint; count: number }>();
    for (const s of online()) {
      for (const b of await treeOf(s)) {
        if (!tree.has(b.hash)) {
          tree.set(b.hash, b);
          holder.set(b.hash, s);
        }
      }
      const tip = await tipOf(s);
      const e = tips.get(tip.hash) ?? {
        hash: tip.hash,
        chainwork: BigInt(tip.chainwork),
        count: 0,
      };
      e.count++;
      tips.set(tip.hash, e);
    }
    const mainTipEntry = [...tips.values()].sort((a, b) =>
      b.chainwork > a.chainwork ? 1 : b.chainwork < a.chainwork ? -1 : b.count - a.count,
    )[0]!;
    let maxWork = 0n;
    for (const b of tree.values()) if (BigInt(b.chainwork) > maxWork) maxWork = BigInt(b.chainwork);
    const records: BlockRecord[] = [];
    const items = new Set<string>();
    const mainHashes = new Set<string>();
    for (let h: string | undefined = mainTipEntry.hash; h && h !== ZERO; h = tree.get(h)?.prevHash)
      mainHashes.add(h);
    for (const b of [...tree.values()].sort((a, c) => a.height - c.height)) {
      const json = await getJson<unknown>(
        `${holder.get(b.hash)!.service!.url}/block/hash/${b.hash}`,
      );
      const block = parseBlock(json, spec);
      const data = 'data' in block ? block.data : [];
      const txCount = 'txs' in block ? block.txs.length : data.length;
      if (mainHashes.has(b.hash)) for (const d of data) items.add(d);
      const m = mined.get(b.hash);
      const minedAt = m ? (states[m.j]!.connected.get(b.hash) ?? m.at) : null;
      records.push({
        hash: b.hash,
        height: b.height,
        parent: b.height === 0 ? null : b.prevHash,
        miner: m ? states[m.j]!.id : null,
        minedAt: minedAt === null ? null : (minedAt - t0) / 1000,
        releasedAt: minedAt === null ? null : (minedAt - t0) / 1000,
        headerTime: b.time,
        bits: b.bits,
        work: Number(headerWork(b.bits)),
        txs: b.height === 0 ? 0 : txCount,
        bytes: blockSize(block),
      });
    }

    // Propagation: miner's connect time → each other node's, unless a fault came in between.
    const delays = new DelayCounter();
    for (const [hash, m] of mined) {
      const from = states[m.j]!.connected.get(hash) ?? m.at;
      for (const s of states) {
        if (s.j === m.j) continue;
        const at = s.connected.get(hash);
        if (at === undefined || at < from) continue;
        if (faultTimes.some((ft) => ft > from && ft <= at)) continue;
        delays.add((at - from) / 1000);
      }
    }

    const lostItems = acked.filter((a) => !states[a.j]!.everKilled && !items.has(a.item)).length;
    const ackedByKilled = acked.filter((a) => states[a.j]!.everKilled);
    const onMain = records
      .filter((r) => mainHashes.has(r.hash) && r.parent !== null && r.minedAt !== null)
      .sort((a, b) => a.height - b.height);
    const hashrates: Record<string, number> = {};
    for (const s of states) {
      // The highest rate seen (each sample averages 3 s): what the cap allowed at full speed.
      if (s.hashrates.length > 0) hashrates[s.id] = maxOf(s.hashrates, (h) => h);
    }
    const finalTips = await Promise.all(online().map(tipOf));
    // The attackers' own counts (GET /status) beside what their logs and the trees show.
    const strategyStatus: Record<string, unknown> = {};
    for (const s of online()) {
      if (s.strategy.type === 'honest') continue;
      const st = await getJson<{ strategy?: unknown }>(`${s.service!.url}/status`).catch(
        () => null,
      );
      if (st?.strategy) strategyStatus[s.id] = st.strategy;
    }
    const attack = measureAttacks({
      scenario,
      states,
      book,
      records,
      mainHashes,
      strategyStatus,
    });
    const summary = summarize({
      records,
      mainTip: mainTipEntry.hash,
      miners: scenario.nodes.map((node) => ({
        id: node.id,
        strategy: node.strategy.type,
        hashShare: node.hashShare,
      })),
      propagation: { p50: delays.quantile(0.5), p95: delays.quantile(0.95) },
      extra: {
        mode: 'real',
        scenario: scenario.name,
        seed: scenario.seed,
        nodes: n,
        durationSeconds: Number(duration.toFixed(3)),
        meanBlockInterval:
          onMain.length > 1
            ? Number(
                (
                  (onMain[onMain.length - 1]!.minedAt! - onMain[0]!.minedAt!) /
                  (onMain.length - 1)
                ).toFixed(3),
              )
            : null,
        tip: { hash: mainTipEntry.hash, height: tree.get(mainTipEntry.hash)?.height ?? null },
        converged,
        nodesOnMainTip: finalTips.filter((t) => t.hash === mainTipEntry.hash).length,
        faults: faultLog.map((f) => ({ time: Number(f.time.toFixed(3)), event: f.event })),
        checks: {
          allNodesOnOneTip: converged,
          tipHasMostWork: converged && mainTipEntry.chainwork === maxWork,
          restartsChecked: checks.restartsChecked,
          blocksMissingAfterRestart: checks.lostBlocks,
          dataItemsAcknowledged: acked.length,
          dataItemsLost: lostItems,
          dataItemsAcknowledgedByCrashedNodes: ackedByKilled.length,
          dataItemsAcknowledgedByCrashedNodesOnChain: ackedByKilled.filter((a) => items.has(a.item))
            .length,
          faultErrors: checks.errors,
        },
        hashrates,
        ...(attack ? { attack } : {}),
        stoppedBy,
        ...(warnings.length > 0 ? { warnings: [...new Set(warnings)] } : {}),
        ...(opts.params ? { params: opts.params } : {}),
      },
    });
    return {
      records,
      summary,
      mainTip: mainTipEntry.hash,
      spec,
      genesisWork,
      faults: faultLog,
      info: {
        totalHashrate: real.totalHashrate,
        genesisWork,
        hashrates,
        warnings: [...new Set(warnings)],
      },
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const t of timers) {
      clearTimeout(t);
      clearInterval(t);
    }
    await Promise.all(states.map((s) => (s.online ? s.service!.stop() : Promise.resolve())));
    await mempool?.stop();
    await tracker?.stop();
    await control?.close();
    for (const s of states) rmSync(s.dataDir, { recursive: true, force: true });
    if (mempoolDir) rmSync(mempoolDir, { recursive: true, force: true });
  }
}
