// Issue 8: the explorer server's /api, against real processes (tracker, mempool, two nodes
// mining only on request, the built explorer). Every step waits for a condition.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateKeyToAddress, signTx, txid as txidOf } from '@chainlab/core';
import {
  errorCode,
  getJson,
  http,
  mineBlocks,
  removeTempDirs,
  startExplorerNet,
  stopAllServices,
  tipOf,
  waitFor,
  waitForExplorerTip,
  waitForSameTip,
  type ExplorerNet,
  type ExplorerNodeJson,
} from './helpers/index.js';

/** API answers, loosely typed: the assertions below check their shapes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let net: ExplorerNet;
let api: string;
let ids: Map<string, string>; // node url → explorer id

beforeAll(async () => {
  net = await startExplorerNet(2);
  api = `${net.explorer.url}/api`;
  const n = await getJson<{ nodes: ExplorerNodeJson[] }>(`${api}/network`);
  ids = new Map(n.nodes.map((x) => [x.url, x.id]));
  await mineBlocks(net.nodes[0]!, 3);
  const tip = await waitForSameTip(net.nodes);
  await waitForExplorerTip(net.explorer, tip.hash);
});
afterAll(async () => {
  await stopAllServices();
  removeTempDirs();
});

describe('explorer /api', () => {
  it('serves the web app, /running and /api/info', async () => {
    const page = await http(`${net.explorer.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('<div id="app">');
    expect((await http(`${net.explorer.url}/running`)).text).toBe('running');
    const info = await getJson<Record<string, unknown>>(`${api}/info`);
    expect(info).toMatchObject({
      chainId: net.spec.chainId,
      level: 2,
      devnet: true,
      coin: { symbol: net.spec.coin.symbol, decimals: net.spec.coin.decimals },
      tracker: net.tracker.url,
      mempool: net.mempool.url,
      features: { mempool: true, receipt: false, code: false, storage: false },
    });
    expect(info.genesis).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('/api/network lists every node with its tip, the best tip and the mempool', async () => {
    const tip = await tipOf(net.nodes[0]!);
    const n = await waitFor(async () => {
      const x = await getJson<{
        best: { tip: string; height: number };
        nodes: (ExplorerNodeJson & Record<string, unknown>)[];
        mempool: { up: boolean };
      }>(`${api}/network`);
      return x.nodes.every((node) => node.tip === tip.hash) ? x : false;
    });
    expect(n.nodes.map((x) => x.url).sort()).toEqual(net.nodes.map((x) => x.url).sort());
    for (const node of n.nodes) {
      expect(node).toMatchObject({
        up: true,
        live: true,
        height: tip.height,
        mining: false,
        devControls: true,
        onBestTip: true,
      });
      expect(node.id).toMatch(/^node-\d+$/);
      expect(node.tipTime).toBe(tip.time);
      expect((node.peers as unknown[]).length).toBe(1);
    }
    expect(n.best).toMatchObject({ tip: tip.hash, height: tip.height });
    expect(n.mempool.up).toBe(true);
  });

  it('/api/blocks lists the best chain newest first; /api/block by height and hash explains it', async () => {
    const tip = await tipOf(net.nodes[0]!);
    const list = await getJson<{
      height: number;
      blocks: { height: number; hash: string; items: number; miner: string }[];
    }>(`${api}/blocks?limit=3`);
    expect(list.height).toBe(tip.height);
    expect(list.blocks.map((b) => b.height)).toEqual([tip.height, tip.height - 1, tip.height - 2]);
    expect(list.blocks[0]!.hash).toBe(tip.hash);
    expect(list.blocks[0]!.items).toBeGreaterThanOrEqual(1); // the coinbase
    const older = await getJson<{ blocks: { height: number }[] }>(
      `${api}/blocks?before=${tip.height - 2}&limit=2`,
    );
    expect(older.blocks.map((b) => b.height)).toEqual([tip.height - 3, tip.height - 4]);

    const byHeight = await getJson<Json>(`${api}/block/${tip.height}`);
    const byHash = await getJson<Json>(`${api}/block/${tip.hash}`);
    expect(byHash.hash).toBe(tip.hash);
    expect(byHeight).toEqual(byHash);
    expect(byHash).toMatchObject({
      height: tip.height,
      onBestChain: true,
      confirmations: 1,
      nextHash: null,
    });
    expect(byHash.header).toMatchObject({ time: tip.time, bits: tip.bits });
    expect(byHash.pow).toMatchObject({
      meetsTarget: true,
      bits: '0x207fffff',
      targetLeadingZeroBits: 1,
    });
    expect(byHash.pow.hashLeadingZeroBits).toBeGreaterThanOrEqual(1);
    expect(byHash.txs[0]).toMatchObject({ kind: 'coinbase', from: null, index: 0 });
    expect(byHash.size).toBeGreaterThan(80);
    expect(byHash.sinceParent).toBe(tip.time - byHash.parentTime);
    expect(byHash.views.map((v: { node: string }) => v.node).sort()).toEqual(
      [...ids.values()].sort(),
    );

    const parent = await getJson<Json>(`${api}/block/${tip.height - 1}`);
    expect(parent).toMatchObject({ confirmations: 2, nextHash: tip.hash });

    expect((await http(`${api}/block/${tip.height + 50}`)).status).toBe(404);
    expect(errorCode(await http(`${api}/block/0x${'ab'.repeat(32)}`))).toBe('BLOCK_NOT_FOUND');
    const bad = await http(`${api}/block/nonsense`);
    expect(bad.status).toBe(400);
    expect(errorCode(bad)).toBe('INVALID_REQUEST');
  });

  it('/api/tree merges the nodes’ trees: blocks, which node is on which tip, the best tip', async () => {
    const tip = await tipOf(net.nodes[0]!);
    const t = await getJson<Json>(`${api}/tree?window=10`);
    expect(t.top).toBe(tip.height);
    expect(t.best.tip).toBe(tip.hash);
    const tipBlock = t.blocks.find((b: { hash: string }) => b.hash === tip.hash);
    expect(tipBlock).toMatchObject({ height: tip.height, onBest: true, invalidOn: [] });
    expect(tipBlock.activeOn.sort()).toEqual([...ids.values()].sort());
    for (const x of t.tips)
      expect(x).toMatchObject({ up: true, tip: tip.hash, height: tip.height });
    expect(
      t.blocks.every((b: { height: number }) => b.height >= t.from && b.height <= tip.height),
    ).toBe(true);
    expect((await http(`${api}/tree?window=1`)).status).toBe(400);
  });

  it('/api/search finds heights, blocks, txs and addresses', async () => {
    const tip = await tipOf(net.nodes[0]!);
    expect(await getJson(`${api}/search?q=${tip.height}`)).toMatchObject({
      kind: 'block',
      id: tip.hash,
    });
    expect(await getJson(`${api}/search?q=${tip.hash}`)).toMatchObject({
      kind: 'block',
      id: tip.hash,
    });
    expect(await getJson(`${api}/search?q=${tip.hash.slice(2)}`)).toMatchObject({
      kind: 'block',
      id: tip.hash,
    });
    const dev0 = privateKeyToAddress(net.spec.devKeys[0]!);
    expect(await getJson(`${api}/search?q=${dev0.toLowerCase()}`)).toMatchObject({
      kind: 'address',
      id: dev0,
    });
    const block = await getJson<{ txs: { txid: string }[] }>(`${api}/block/${tip.hash}`);
    expect(await getJson(`${api}/search?q=${block.txs[0]!.txid}`)).toMatchObject({
      kind: 'tx',
      id: block.txs[0]!.txid,
    });
    for (const q of ['hello', '999999', `0x${'cd'.repeat(32)}`]) {
      const r = await http(`${api}/search?q=${q}`);
      expect(r.status, q).toBe(404);
      expect(errorCode(r)).toBe('NOT_FOUND');
    }
    const badChecksum =
      dev0.slice(0, 2) +
      dev0
        .slice(2)
        .replace(/[a-f]/, (c) => c.toUpperCase())
        .replace(/[A-F]/, (c) => c.toLowerCase());
    if (badChecksum !== dev0)
      expect(errorCode(await http(`${api}/search?q=${badChecksum}`))).toBe('INVALID_ADDRESS');
  });

  it('follows a tx from the mempool into blocks: status, confirmations, address history and balances', async () => {
    const key = net.spec.devKeys[0]!;
    const from = privateKeyToAddress(key);
    const to = privateKeyToAddress(net.spec.devKeys[1]!);
    const account = await getJson<{ nonce: number }>(`${net.mempool.url}/account/${from}`);
    const tx = signTx(
      {
        to,
        amount: 12_345n,
        fee: net.spec.minFee,
        nonce: account.nonce,
        chainId: net.spec.chainId,
      },
      key,
    );
    const id = txidOf(tx);
    const pushed = await http(`${net.mempool.url}/pushtx`, {
      method: 'POST',
      json: {
        from: tx.from,
        to: tx.to,
        amount: '12345',
        fee: net.spec.minFee.toString(),
        nonce: tx.nonce,
        chainId: tx.chainId,
        sig: tx.sig,
      },
    });
    expect(pushed.status, pushed.text).toBe(200);

    const pending = await waitFor(async () => {
      const t = await getJson<Json>(`${api}/tx/${id}`);
      return t.status === 'pending' ? t : false;
    });
    expect(pending).toMatchObject({
      txid: id,
      kind: 'transfer',
      confirmations: 0,
      blockHash: null,
      mempool: { position: 1 },
    });
    expect(pending.tx).toMatchObject({
      from,
      to,
      amount: '12345',
      fee: net.spec.minFee.toString(),
    });
    const pool = await getJson<{ up: boolean; txs: { txid: string; position: number }[] }>(
      `${api}/mempool`,
    );
    expect(pool.up).toBe(true);
    expect(pool.txs).toEqual([expect.objectContaining({ txid: id, position: 1 })]);
    const addrPending = await getJson<{ pending: { txid: string; direction: string }[] }>(
      `${api}/address/${from}`,
    );
    expect(addrPending.pending).toEqual([expect.objectContaining({ txid: id, direction: 'out' })]);

    const [hash] = await mineBlocks(net.nodes[1]!, 1);
    await waitForExplorerTip(net.explorer, hash!);
    const one = await waitFor(async () => {
      const t = await getJson<Json>(`${api}/tx/${id}`);
      return t.confirmations === 1 ? t : false;
    });
    expect(one).toMatchObject({ status: 'confirmed', blockHash: hash });
    const [hash2] = await mineBlocks(net.nodes[1]!, 1);
    await waitForExplorerTip(net.explorer, hash2!);
    await waitFor(
      async () => (await getJson<{ confirmations: number }>(`${api}/tx/${id}`)).confirmations === 2,
      { message: '2 confirmations' },
    );

    const addr = await waitFor(async () => {
      const a = await getJson<Json>(`${api}/address/${to}`);
      return a.history.some((h: { txid: string }) => h.txid === id) && a.balances['1'] !== null
        ? a
        : false;
    });
    expect(addr.history.find((h: { txid: string }) => h.txid === id)).toMatchObject({
      direction: 'in',
      blockHash: hash,
      confirmations: 2,
      onBestChain: true,
    });
    const genesisAmount = net.spec.genesis.allocations[to]!;
    expect(BigInt(addr.balances['1'])).toBe(genesisAmount + 12_345n);
    expect(BigInt(addr.balances['6'])).toBe(genesisAmount); // the tx is 2 blocks deep
    expect(addr.balanceSource).toBe('mempool');
    const sender = await getJson<{ nonce: number }>(`${api}/address/${from}`);
    expect(sender.nonce).toBe(account.nonce + 1);
    expect(errorCode(await http(`${api}/address/0x1234`))).toBe('INVALID_ADDRESS');
    expect(errorCode(await http(`${api}/tx/0x${'ef'.repeat(32)}`))).toBe('TX_NOT_FOUND');
  });

  it('proxies the devnet controls and reports the forced reorg', async () => {
    const [a, b] = net.nodes as [(typeof net.nodes)[0], (typeof net.nodes)[0]];
    const idA = ids.get(a.url)!;
    const tip = await waitForSameTip(net.nodes);
    // Invalidate the tip on node A only: A goes back one block, mines two on its own branch,
    // and B follows the branch with more work.
    const inv = await http(`${api}/dev/invalidate`, {
      method: 'POST',
      json: { node: idA, hash: tip.hash },
    });
    expect(inv.status, inv.text).toBe(200);
    expect(
      inv.json<{ results: { node: string; ok: boolean; answer: { tip: { height: number } } }[] }>()
        .results,
    ).toEqual([
      expect.objectContaining({
        node: idA,
        ok: true,
        answer: expect.objectContaining({
          tip: expect.objectContaining({ height: tip.height - 1 }),
        }),
      }),
    ]);
    // A's clock ahead: else its next template may rebuild the block it just invalidated
    // (same parent, payload and time) until the clock passes that block's time.
    const time = await http(`${api}/dev/time`, {
      method: 'POST',
      json: { node: idA, offsetSeconds: 600 },
    });
    expect(
      time.json<{ results: { answer: { offsetSeconds: number } }[] }>().results[0]!.answer
        .offsetSeconds,
    ).toBe(600);
    const mined = await http(`${api}/dev/mine`, {
      method: 'POST',
      json: { node: a.url, blocks: 2 },
      timeoutMs: 60_000,
    });
    expect(mined.status, mined.text).toBe(200);
    const newTip = await waitForSameTip([a, b]);
    expect(newTip.height).toBe(tip.height + 1);
    const t = await waitFor(async () => {
      const x = await getJson<Json>(`${api}/tree?window=10`);
      return x.best?.tip === newTip.hash &&
        x.reorgs.some((r: { reason: string }) => r.reason === 'more-work')
        ? x
        : false;
    });
    const old = t.blocks.find((x: { hash: string }) => x.hash === tip.hash);
    expect(old).toMatchObject({ invalidOn: [idA], activeOn: [], onBest: false });
    const idB = ids.get(b.url)!;
    const reorgB = t.reorgs.find(
      (r: { node: string; reason: string }) => r.node === idB && r.reason === 'more-work',
    );
    expect(reorgB).toMatchObject({
      disconnected: [tip.hash],
      newTip: { hash: newTip.hash },
      forkPoint: { height: tip.height - 1 },
    });
    expect(reorgB.connected).toHaveLength(2);
    expect(t.reorgs.find((r: { node: string }) => r.node === idA)).toMatchObject({
      reason: 'invalidated',
      disconnected: [tip.hash],
    });
    await waitForExplorerTip(net.explorer, newTip.hash);
    const detail = await getJson<Json>(`${api}/block/${tip.hash}`);
    expect(detail.onBestChain).toBe(false);
    expect(detail.confirmations).toBe(0);
    expect(detail.views.find((v: { node: string }) => v.node === idA)).toMatchObject({
      status: 'invalid',
      active: false,
    });

    const back = await http(`${api}/dev/reconsider`, {
      method: 'POST',
      json: { node: 'all', hash: tip.hash },
    });
    expect(back.status).toBe(200);
    expect(back.json<{ results: unknown[] }>().results).toHaveLength(2);

    const mining = await http(`${api}/dev/mining`, {
      method: 'POST',
      json: { node: idA, on: false },
    });
    expect(mining.json<{ results: { answer: unknown }[] }>().results[0]!.answer).toEqual({
      mining: false,
    });
    const reset = await http(`${api}/dev/time`, {
      method: 'POST',
      json: { node: idA, offsetSeconds: 0 },
    });
    expect(reset.status).toBe(200);

    expect(
      errorCode(
        await http(`${api}/dev/mine`, { method: 'POST', json: { node: 'node-99', blocks: 1 } }),
      ),
    ).toBe('NODE_NOT_FOUND');
    expect(
      errorCode(await http(`${api}/dev/mine`, { method: 'POST', json: { node: idA, blocks: 0 } })),
    ).toBe('INVALID_REQUEST');
    expect(
      errorCode(
        await http(`${api}/dev/invalidate`, { method: 'POST', json: { node: idA, hash: 'nope' } }),
      ),
    ).toBe('INVALID_REQUEST');
    const unknown = await http(`${api}/dev/invalidate`, {
      method: 'POST',
      json: { node: idA, hash: `0x${'12'.repeat(32)}` },
    });
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe('BLOCK_NOT_FOUND');
  });

  it('makes a fork on demand (POST /api/dev/fork) that resolves by most work', async () => {
    const tip = await waitForSameTip(net.nodes);
    const r = await http(`${api}/dev/fork`, { method: 'POST', json: {}, timeoutMs: 60_000 });
    expect(r.status, r.text).toBe(200);
    const fork = r.json<{ node: string; height: number; replaced: string; competing: string }>();
    expect(fork).toMatchObject({ height: tip.height, replaced: tip.hash });
    expect(fork.competing).toMatch(/^0x[0-9a-f]{64}$/);
    expect(fork.competing).not.toBe(tip.hash);
    // Two tips of equal work: the forking node on its own block, the other on the old tip.
    const t = await waitFor(async () => {
      const x = await getJson<Json>(`${api}/tree?window=5`);
      const mine = x.blocks.find((b: { hash: string }) => b.hash === fork.competing);
      return mine?.activeOn.includes(fork.node) ? x : false;
    });
    const old = t.blocks.find((b: { hash: string }) => b.hash === tip.hash);
    expect(old.activeOn).toHaveLength(1);
    expect(old.activeOn).not.toContain(fork.node);
    expect(t.tips.map((x: { chainwork: string }) => x.chainwork)).toEqual([
      t.tips[0].chainwork,
      t.tips[0].chainwork,
    ]);
    // The other node extends the old tip: its branch has more work, and the forking node
    // (its tip reconsidered by the explorer) follows it.
    const other = net.nodes.find((n) => ids.get(n.url) !== fork.node)!;
    const [next] = await mineBlocks(other, 1);
    const end = await waitForSameTip(net.nodes);
    expect(end.hash).toBe(next);
    const after = await waitFor(async () => {
      const x = await getJson<Json>(`${api}/tree?window=5`);
      const b = x.blocks.find((y: { hash: string }) => y.hash === fork.competing);
      return b && b.activeOn.length === 0 ? x : false;
    });
    expect(after.blocks.find((y: { hash: string }) => y.hash === fork.competing)).toMatchObject({
      onBest: false,
      invalidOn: [],
    });
  });

  it('answers JSON errors for unknown routes and level-3 views no node serves', async () => {
    const r = await http(`${api}/nope`);
    expect(r.status).toBe(404);
    expect(errorCode(r)).toBe('NOT_FOUND');
    const receipt = await http(`${api}/receipt/0x${'00'.repeat(32)}`);
    expect(receipt.status).toBe(404);
    expect(errorCode(receipt)).toBe('NOT_SUPPORTED');
    expect(errorCode(await http(`${api}/code/0x${'00'.repeat(20)}`))).toBe('NOT_SUPPORTED');
  });

  it('pushes live updates over /api/events (server-sent events)', async () => {
    const controller = new AbortController();
    const res = await fetch(`${api}/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const read = async (until: RegExp): Promise<void> => {
      while (!until.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended: ${text}`);
        text += decoder.decode(value);
      }
    };
    await read(/event: hello/);
    await mineBlocks(net.nodes[0]!, 1);
    await read(/event: update\ndata: \{[^\n]*"blocks"/);
    controller.abort();
  });
});
