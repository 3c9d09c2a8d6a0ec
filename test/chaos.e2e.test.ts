// Issue 14: chaos. A level-2 devnet (tracker, mempool, two nodes) and a level-1 node take
// transfers and data items while a seeded schedule kill -9s a random service at random
// moments and restarts it on the same port and data dir. At the end:
//   - no acknowledged tx or data item is lost (every 200 from /pushtx is mined, every 202
//     from /data is mined exactly once);
//   - every node and the mempool are on the same, most-work tip;
//   - replaying the chain with core's rules accepts every block and no balance is negative
//     at any height;
//   - the mempool's view (balances, nonces at the tip, nothing pending) equals the replay.
// Blocks come from POST /dev/mine, driven by the test, so the run is bounded; the seed
// fixes the schedule (which service, when), not the machine's timing.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Chain,
  LedgerMachine,
  isTxBlock,
  loadSpec,
  parseBlock,
  privateKeyToAddress,
  signTx,
  txid,
  txToJson,
  type ChainSpec,
} from '@chainlab/core';
import {
  getJson,
  http,
  mineBlocks,
  removeTempDirs,
  spawnService,
  startNode,
  stopAllServices,
  tempDir,
  waitFor,
  waitForSameTip,
  writeSpec,
  type ServiceProcess,
} from './helpers/index.js';

const SEED = 14;
const KILLS = 24;
const KINDS = ['tracker', 'mempool', 'nodeA', 'nodeB', 'data'] as const;
type Kind = (typeof KINDS)[number];

/** mulberry32: a small seeded PRNG, so the schedule is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  await stopAllServices();
  removeTempDirs();
});

describe('chaos: kill -9 at random moments, nothing acknowledged is lost', () => {
  it('survives 24 kills across tracker, mempool and nodes with every invariant intact', async () => {
    const started = Date.now();
    const random = prng(SEED);
    const specPath = writeSpec('instant', 'devnet', { name: 'test-chaos' });
    const spec: ChainSpec = loadSpec(JSON.parse(readFileSync(specPath, 'utf8')));
    const dataSpec = writeSpec('instant', 'devnet-data', { name: 'test-chaos-data' });
    const dirs = {
      mempool: tempDir('chainlab-chaos-mempool-'),
      nodeA: tempDir('chainlab-chaos-a-'),
      nodeB: tempDir('chainlab-chaos-b-'),
      data: tempDir('chainlab-chaos-data-'),
    };

    // First start on free ports; every restart reuses the port and the data dir.
    const svc = {} as Record<Kind, ServiceProcess>;
    const port = (k: Kind) => ['--port', String(svc[k].port)];
    const start: Record<Kind, () => Promise<ServiceProcess>> = {
      tracker: () =>
        spawnService('tracker', ['--ttl', '30', ...(svc.tracker ? port('tracker') : [])]),
      mempool: () =>
        spawnService(
          'mempool',
          [
            '--spec',
            specPath,
            '--tracker',
            svc.tracker.url,
            '--data-dir',
            dirs.mempool,
            '--poll-interval',
            '500',
            '--verify-threads',
            '1',
            // Follows the nodes without the tracker too: it is killed as well.
            ...(svc.nodeA && svc.nodeB ? ['--peers', `${svc.nodeA.url},${svc.nodeB.url}`] : []),
            ...(svc.mempool ? port('mempool') : []),
          ],
          { CHAINLAB_LOG_FORMAT: 'json' },
        ),
      nodeA: () =>
        startNode({
          spec: specPath,
          tracker: svc.tracker.url,
          mempool: svc.mempool.url,
          dataDir: dirs.nodeA,
          mine: false,
          extra: [
            ...(svc.nodeB ? ['--peers', svc.nodeB.url] : []),
            ...(svc.nodeA ? port('nodeA') : []),
          ],
        }),
      nodeB: () =>
        startNode({
          spec: specPath,
          tracker: svc.tracker.url,
          mempool: svc.mempool.url,
          dataDir: dirs.nodeB,
          mine: false,
          extra: ['--peers', svc.nodeA.url, ...(svc.nodeB ? port('nodeB') : [])],
        }),
      // A chain of its own: no tracker of ours (port 1 answers nobody), no peers.
      data: () =>
        startNode({
          spec: dataSpec,
          tracker: 'http://127.0.0.1:1',
          dataDir: dirs.data,
          mine: false,
          extra: svc.data ? port('data') : [],
        }),
    };
    for (const k of ['tracker', 'mempool', 'nodeA', 'nodeB', 'data'] as const)
      svc[k] = await start[k]();
    const up = { tracker: true, mempool: true, nodeA: true, nodeB: true, data: true };

    // ---- the schedule, fixed by the seed: each kind killed at least four times, in a
    // shuffled order, each after a pause of 0.3–2 s
    const schedule: Kind[] = [];
    for (const k of KINDS) for (let i = 0; i < 4; i++) schedule.push(k);
    while (schedule.length < KILLS) schedule.push(KINDS[Math.floor(random() * KINDS.length)]!);
    for (let i = schedule.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [schedule[i], schedule[j]] = [schedule[j]!, schedule[i]!];
    }
    const pauses = schedule.map(() => 300 + random() * 1700);
    const mineRandom = prng(SEED + 1); // the mining loop's own, so it cannot shift the schedule

    // ---- traffic: transfers, data items, blocks; failures are expected while a service is down
    let running = true;
    const ackedTxs: string[] = [];
    const ackedItems: string[] = [];
    const counts = { pushFailed: 0, dataFailed: 0, blocks: 0, dataBlocks: 0 };
    const senders = spec.devKeys.slice(0, 6);
    const recipients = spec.devKeys.map((k) => privateKeyToAddress(k));

    const transfers = senders.map(async (key, s) => {
      const from = privateKeyToAddress(key);
      let nonce: number | null = null;
      let i = 0;
      while (running) {
        try {
          // After any failure, ask the mempool where this sender stands (pending included).
          nonce ??= (await getJson<{ nonce: number }>(`${svc.mempool.url}/account/${from}`)).nonce;
          const tx = signTx(
            {
              to: recipients[(s + 1 + (i++ % 9)) % recipients.length]!,
              amount: BigInt(1 + (i % 7)) * 10n ** 15n,
              fee: spec.minFee,
              nonce,
              chainId: spec.chainId,
            },
            key,
          );
          const r = await http(`${svc.mempool.url}/pushtx`, {
            json: txToJson(tx),
            timeoutMs: 10_000,
          });
          if (r.status === 200) {
            ackedTxs.push(txid(tx));
            nonce++;
          } else {
            counts.pushFailed++;
            nonce = null;
          }
        } catch {
          counts.pushFailed++;
          nonce = null;
          await sleep(200);
        }
        await sleep(40);
      }
    });

    const items = (async () => {
      for (let n = 0; running; n++) {
        const data = `chaos item ${n}`;
        try {
          const r = await http(`${svc.data.url}/data`, { json: { data }, timeoutMs: 10_000 });
          if (r.status === 202) ackedItems.push(data);
          else counts.dataFailed++;
        } catch {
          counts.dataFailed++;
          await sleep(200);
        }
        await sleep(30);
      }
    })();

    const mining = (async () => {
      while (running) {
        try {
          if (mineRandom() < 0.5) {
            await mineBlocks(svc[mineRandom() < 0.5 ? 'nodeA' : 'nodeB'], 1);
            counts.blocks++;
          } else {
            await mineBlocks(svc.data, 1);
            counts.dataBlocks++;
          }
        } catch {
          // the node is down: the next round picks again
        }
        await sleep(300 + mineRandom() * 700);
      }
    })();

    const kills: Record<Kind, number> = { tracker: 0, mempool: 0, nodeA: 0, nodeB: 0, data: 0 };
    try {
      for (const [i, kind] of schedule.entries()) {
        await sleep(pauses[i]!);
        up[kind] = false;
        await svc[kind].kill9();
        kills[kind]++;
        svc[kind] = await start[kind]();
        up[kind] = true;
      }
    } finally {
      running = false;
      await Promise.all([...transfers, items, mining]);
    }
    expect(Object.values(up).every(Boolean)).toBe(true);

    // ---- no acknowledged tx lost: each is pending or mined right now, then all get mined
    for (const id of ackedTxs) {
      const r = await http(`${svc.mempool.url}/tx/${id}`);
      expect(r.status, `acknowledged tx ${id}`).toBe(200);
    }
    const nodes = [svc.nodeA, svc.nodeB];
    await waitFor(
      async () => {
        await mineBlocks(svc.nodeA, 1);
        const tip = await waitForSameTip(nodes, 60_000);
        const status = await getJson<{ pending: number; held: number; tip: string }>(
          `${svc.mempool.url}/status`,
        );
        if (status.tip !== tip.hash || status.pending + status.held > 0) return false;
        for (const id of ackedTxs) {
          const tx = await getJson<{ status: string }>(`${svc.mempool.url}/tx/${id}`);
          if (tx.status !== 'confirmed') return false;
        }
        return true;
      },
      { timeoutMs: 120_000, intervalMs: 500, message: 'every acknowledged tx mined' },
    );

    // ---- no acknowledged data item lost, none mined twice
    const minedItems = await waitFor(
      async () => {
        await mineBlocks(svc.data, 1);
        const { blocks } = await getJson<{ blocks: { data: string[] }[] }>(
          `${svc.data.url}/blockchain`,
        );
        const seen = new Map<string, number>();
        for (const b of blocks.slice(1))
          for (const d of b.data) seen.set(d, (seen.get(d) ?? 0) + 1);
        return ackedItems.every((d) => seen.has(d)) ? seen : false;
      },
      { timeoutMs: 60_000, intervalMs: 500, message: 'every acknowledged data item mined' },
    );
    const twice = [...minedItems].filter(([, n]) => n > 1).map(([d]) => d);
    expect(twice).toEqual([]);

    // ---- one most-work tip, and a replay of it with core's rules
    const tip = await waitForSameTip(nodes);
    expect((await getJson<{ tip: string }>(`${svc.mempool.url}/status`)).tip).toBe(tip.hash);
    const { blocks } = await getJson<{ blocks: unknown[] }>(`${svc.nodeA.url}/blockchain`);
    const chain = new Chain(spec, new LedgerMachine(spec));
    const ledger = (chain.state as LedgerMachine).state;
    const accounts = new Set(recipients);
    for (const json of blocks.slice(1)) {
      const block = parseBlock(json, spec);
      const r = chain.processBlock(block, { now: Number.MAX_SAFE_INTEGER });
      expect(r.status, `${block.hash}: ${r.error?.message}`).toBe('accepted');
      if (!isTxBlock(block)) continue;
      for (const tx of block.txs) {
        accounts.add(tx.to!);
        if (tx.from) accounts.add(tx.from);
      }
      for (const a of accounts) expect(ledger.get(a).balance >= 0n, a).toBe(true);
    }
    expect(chain.tip.hash).toBe(tip.hash);
    for (const n of nodes) {
      const t = await getJson<{ hash: string; chainwork: string }>(`${n.url}/tip`);
      expect(t.chainwork).toBe('0x' + chain.tip.chainwork.toString(16));
    }

    // ---- the mempool's view equals the replay
    for (const a of accounts) {
      const view = await getJson<{
        confirmedBalance: string;
        confirmedNonce: number;
        balance: string;
      }>(`${svc.mempool.url}/account/${a}`);
      const replay = ledger.get(a);
      expect(BigInt(view.confirmedBalance), a).toBe(replay.balance);
      expect(view.confirmedNonce, a).toBe(replay.nonce);
      expect(BigInt(view.balance), a).toBe(replay.balance); // nothing pending
    }
    expect(await getJson<unknown[]>(`${svc.mempool.url}/unprocessed`)).toEqual([]);

    const summary = {
      seed: SEED,
      kills,
      totalKills: Object.values(kills).reduce((x, y) => x + y, 0),
      ackedTxs: ackedTxs.length,
      ackedDataItems: ackedItems.length,
      refusedOrUnanswered: { pushtx: counts.pushFailed, data: counts.dataFailed },
      blocksMinedDuringChaos: counts.blocks,
      dataBlocksMinedDuringChaos: counts.dataBlocks,
      finalHeight: tip.height,
      accountsChecked: accounts.size,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    console.log(`chaos summary ${JSON.stringify(summary)}`);
    expect(summary.totalKills).toBeGreaterThanOrEqual(20);
    expect(ackedTxs.length).toBeGreaterThan(0);
    expect(ackedItems.length).toBeGreaterThan(0);
  }, 360_000);
});
