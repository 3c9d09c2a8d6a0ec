// Issue 16: the explorer shows a selfish pool's withheld branch appear and the reorg it
// causes. Real processes: a tracker, a `--strategy selfish` node and two honest nodes
// mining only on request, the built explorer following them, and a real browser
// (playwright-core driving Debian's chromium) on the fork tree. Every wait is on a condition.
//
// The script is Eyal & Sirer's override: the pool mines two blocks and withholds them (the
// explorer shows them as ghosts, heights only); an honest node mines one block; the pool,
// one ahead, publishes both at once; the honest nodes reorganise to its branch and the
// honest block goes stale.
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, requireChromium, SHOTS } from './helpers/browser.js';
import {
  getJson,
  mineBlocks,
  removeTempDirs,
  spawnService,
  startNode,
  stopAllServices,
  tipOf,
  waitFor,
  waitForSameTip,
  writeSpec,
  type ExplorerNodeJson,
  type ServiceProcess,
} from './helpers/index.js';

/** API answers, loosely typed: the assertions below check their shapes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let pool: ServiceProcess;
let honest: ServiceProcess[];
let explorer: ServiceProcess;
let api: string;
let poolId: string;
let honestId: string;
let ctx: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];

const until = <T>(fn: () => Promise<T | false>, message: string) =>
  waitFor(fn, { timeoutMs: 60_000, intervalMs: 150, message });

beforeAll(async () => {
  requireChromium();
  const spec = writeSpec('instant', 'devnet-data');
  const tracker = await spawnService('tracker', ['--ttl', '5'], { CHAINLAB_LOG_FORMAT: 'json' });
  pool = await startNode({
    spec,
    tracker: tracker.url,
    mine: false,
    extra: ['--strategy', 'selfish'],
  });
  honest = [];
  for (let i = 0; i < 2; i++)
    honest.push(await startNode({ spec, tracker: tracker.url, mine: false }));
  const all = [pool, ...honest];
  // Every node has the two others as peers before anything is mined.
  await until(async () => {
    const st = await Promise.all(all.map((n) => getJson<{ peers: string[] }>(`${n.url}/status`)));
    return st.every((s) => s.peers.length >= 2);
  }, 'every node has two peers');
  await mineBlocks(honest[0]!, 1);
  await waitForSameTip(all);
  explorer = await spawnService(
    'explorer',
    ['--tracker', tracker.url, '--spec', spec, '--poll-interval', '500'],
    { CHAINLAB_LOG_FORMAT: 'json' },
  );
  api = `${explorer.url}/api`;
  const nodes = await until(async () => {
    const n = await getJson<{ nodes: ExplorerNodeJson[] }>(`${api}/network`);
    return n.nodes.length === 3 && n.nodes.every((x) => x.up && x.live) ? n.nodes : false;
  }, 'the explorer follows 3 nodes');
  poolId = nodes.find((x) => x.url === pool.url)!.id;
  honestId = nodes.find((x) => x.url === honest[0]!.url)!.id;
  ({ ctx, page } = await openBrowser({ width: 1366, height: 900 }, consoleErrors));
});

afterAll(async () => {
  await ctx?.close(); // before the services: a closing server is no page error
  await stopAllServices();
  removeTempDirs();
});

describe('explorer: a selfish pool’s withheld branch and the reorg it causes', () => {
  it('shows the withheld blocks as ghosts, then the release, the reorg and the stale honest block', async () => {
    const base = await tipOf(honest[0]!);
    await page.goto(`${explorer.url}/#/tree`);
    await page.locator('svg.tree').waitFor();

    // 1. The pool mines two blocks and keeps them: nobody else has them.
    const withheld = await mineBlocks(pool, 2);
    expect(withheld).toHaveLength(2);
    for (const n of [pool, ...honest]) expect((await tipOf(n)).hash).toBe(base.hash);
    const row = await until(async () => {
      const n = await getJson<Json>(`${api}/network`);
      const r = n.nodes.find((x: Json) => x.id === poolId);
      return r?.strategy?.privateBlocks === 2 ? r : false;
    }, 'the explorer sees the pool withholding 2 blocks');
    expect(row.strategy).toEqual({
      name: 'selfish',
      privateBlocks: 2,
      privateHeights: [base.height + 1, base.height + 2],
    });
    const honestRow = (await getJson<Json>(`${api}/network`)).nodes.find(
      (x: Json) => x.id === honestId,
    );
    expect(honestRow.strategy).toBeNull();
    // The tree: no block of the pool's yet, a ghost lane with two boxes.
    let tree = await getJson<Json>(`${api}/tree?window=10`);
    for (const h of withheld) expect(tree.blocks.some((b: Json) => b.hash === h)).toBe(false);
    const ghost = page.locator(`svg.tree g.ghost[data-withheld-by="${poolId}"]`);
    await ghost.waitFor();
    expect(await ghost.getAttribute('data-blocks')).toBe('2');
    expect(await ghost.locator('rect.ghost-box').count()).toBe(2);
    expect(await page.locator('[data-testid="tips"]').textContent()).toContain('selfish: 2 blocks');
    await page.screenshot({ path: path.join(SHOTS, 'attack-withheld.png'), fullPage: true });

    // 2. An honest node finds one block: the pool, one ahead now, publishes both (override).
    // (Every node is on the honest block for a moment, the pool too, before it answers.)
    const [honestBlock] = await mineBlocks(honest[0]!, 1);
    await until(async () => {
      const tips = await Promise.all([pool, ...honest].map(tipOf));
      return tips.every((t) => t.hash === withheld[1]);
    }, 'every node on the pool’s released tip');

    tree = await until(async () => {
      const t = await getJson<Json>(`${api}/tree?window=10`);
      const ev = t.reorgs.find((r: Json) => r.node === honestId && r.newTip.hash === withheld[1]);
      return ev?.cause && t.best?.tip === withheld[1] ? t : false;
    }, 'the explorer sees honest node 1 reorganise to the released branch');
    const ev = tree.reorgs.find((r: Json) => r.node === honestId && r.newTip.hash === withheld[1]);
    expect(ev).toMatchObject({
      oldTip: { hash: honestBlock, height: base.height + 1 },
      newTip: { hash: withheld[1], height: base.height + 2 },
      forkPoint: { hash: base.hash, height: base.height },
      disconnected: [honestBlock],
      connected: withheld,
      reason: 'more-work',
      cause: { node: poolId, action: 'override', blocks: 2 },
    });
    for (const h of withheld) {
      const b = tree.blocks.find((x: Json) => x.hash === h);
      expect(b).toMatchObject({ onBest: true, releasedBy: { node: poolId, action: 'override' } });
    }
    const orphan = tree.blocks.find((x: Json) => x.hash === honestBlock);
    expect(orphan).toMatchObject({ activeOn: [], onBest: false, releasedBy: null });
    const poolTip = tree.tips.find((t: Json) => t.node === poolId);
    expect(poolTip.strategy).toMatchObject({ privateBlocks: 0, privateHeights: null });

    // 3. The page: the ghosts are gone, the released blocks are marked, the honest block is
    // stale, and the reorg is explained with its cause.
    await until(
      async () =>
        (await ghost.count()) === 0 &&
        (await page.locator('g.blk[data-released-by]:not([data-released-by=""])').count()) === 2,
      'the page shows the released blocks instead of the ghosts',
    );
    for (const h of withheld) {
      const blk = page.locator(`svg.tree g.blk[data-hash="${h}"]`);
      expect(await blk.getAttribute('data-released-by')).toBe(poolId);
      expect(await blk.getAttribute('data-state')).toBe('best');
      expect(await blk.locator('text.held-text').textContent()).toBe('withheld');
    }
    const stale = page.locator(`svg.tree g.blk[data-hash="${honestBlock}"]`);
    await until(async () => (await stale.getAttribute('data-state')) === 'stale', 'stale block');
    const item = page
      .locator(`[data-testid="reorg-list"] li[data-caused-by="${poolId}"]`)
      .filter({ hasText: `${honestId} reorganised` })
      .first();
    await item.waitFor();
    const text = (await item.textContent()) ?? '';
    expect(text).toContain(`${honestId} reorganised at the fork #${base.height} (depth 1)`);
    expect(text).toContain(
      `carries ${poolId}’s withheld branch (2 blocks published at once: override)`,
    );
    await page.screenshot({ path: path.join(SHOTS, 'attack-released.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});
