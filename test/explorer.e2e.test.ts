// Issue 8: the explorer in a real browser (playwright-core driving Debian's chromium) against
// a running devnet: see every node, open a block, watch a tx's confirmations rise, force a
// reorg from the fork tree and see it change. Screenshots go to test-artifacts/explorer/.
// Every wait is on a condition in the page; nothing sleeps for a fixed time.
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, requireChromium, SHOTS } from './helpers/browser.js';
import { privateKeyToAddress, signTx, txid as txidOf } from '@chainlab/core';
import {
  getJson,
  http,
  mineBlocks,
  removeTempDirs,
  startExplorerNet,
  stopAllServices,
  waitFor,
  waitForExplorerTip,
  waitForSameTip,
  type ExplorerNet,
  type ExplorerNodeJson,
} from './helpers/index.js';

let net: ExplorerNet;
let ctx: BrowserContext;
let page: Page;
let ids: Map<string, string>; // node url → explorer id
const consoleErrors: string[] = [];

const shot = (name: string) =>
  page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
const text = async (selector: string) => (await page.locator(selector).first().textContent()) ?? '';
/** Waits until `fn` (run in the test, reading the page) holds. */
const until = <T>(fn: () => Promise<T>, message: string) =>
  waitFor(fn, { timeoutMs: 30_000, intervalMs: 150, message });

beforeAll(async () => {
  requireChromium();
  net = await startExplorerNet(3);
  const n = await getJson<{ nodes: ExplorerNodeJson[] }>(`${net.explorer.url}/api/network`);
  ids = new Map(n.nodes.map((x) => [x.url, x.id]));
  await mineBlocks(net.nodes[0]!, 3);
  const tip = await waitForSameTip(net.nodes);
  await waitForExplorerTip(net.explorer, tip.hash);
  ({ ctx, page } = await openBrowser({ width: 1366, height: 860 }, consoleErrors));
});

afterAll(async () => {
  await ctx?.close(); // before the services: a closing server is no page error
  await stopAllServices();
  removeTempDirs();
});

describe('explorer in a browser', () => {
  it('shows every node on the network page, live', async () => {
    const tip = await waitForSameTip(net.nodes);
    await page.goto(`${net.explorer.url}/`);
    await page.getByRole('heading', { level: 1, name: 'Network' }).waitFor();
    await until(
      async () => (await page.locator('table.nodes tbody tr[data-node]').count()) === 3,
      'three node rows',
    );
    for (const id of ids.values()) {
      const row = page.locator(`tr[data-node="${id}"]`);
      await until(
        async () =>
          (await row.locator('td[data-field="height"]').textContent())?.trim() ===
          String(tip.height),
        `${id} at height ${tip.height}`,
      );
      expect(await row.textContent()).toContain('up');
    }
    expect(await text('[data-testid="node-count"]')).toContain('3 up / 3');
    // A block mined now appears without a reload.
    const [next] = await mineBlocks(net.nodes[1]!, 1);
    await until(
      async () =>
        (await page.locator('td[data-field="height"]').allTextContents()).every(
          (t) => t.trim() === String(tip.height + 1),
        ),
      'heights update live',
    );
    expect(await page.locator(`tr[data-node] a[title="${next}"]`).count()).toBe(3);
    await page.locator('[aria-current="page"]').first().waitFor();
    await shot('network');
  });

  it('opens a block from the search box and explains it', async () => {
    await page.locator('#search-q').fill('2');
    await page.locator('#search-q').press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Block #2' }).waitFor();
    const block = await getJson<{ hash: string }>(`${net.explorer.url}/api/block/2`);
    expect(await text('[data-testid="block-hash"]')).toBe(block.hash);
    const header = await text('[data-testid="header-fields"]');
    for (const field of [
      'Version',
      'Previous block',
      'Merkle root',
      'Time',
      'Bits',
      'Nonce',
      'Size',
      'Time since parent',
    ])
      expect(header).toContain(field);
    expect(await text('[data-testid="zero-bits"]')).toMatch(/hash \d+, target 1/);
    expect(await text('[data-testid="payload"]')).toContain('coinbase');
    expect(await text('[data-testid="block-status"]')).toMatch(
      /On the best chain · \d+ confirmations/,
    );
    // Every header field is there; the previous block is a link that works.
    await page.locator('[data-testid="header-fields"] a.hash').first().click();
    await page.getByRole('heading', { level: 1, name: 'Block #1' }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Block #2' }).waitFor();
    await shot('block');
  });

  it('shows a tx in the mempool, then its confirmations rising as blocks come', async () => {
    const key = net.spec.devKeys[0]!;
    const from = privateKeyToAddress(key);
    const to = privateKeyToAddress(net.spec.devKeys[2]!);
    const { nonce } = await getJson<{ nonce: number }>(`${net.mempool.url}/account/${from}`);
    const tx = signTx(
      { to, amount: 2n * 10n ** 18n, fee: net.spec.minFee, nonce, chainId: net.spec.chainId },
      key,
    );
    const id = txidOf(tx);
    const r = await http(`${net.mempool.url}/pushtx`, {
      method: 'POST',
      json: {
        from,
        to,
        amount: tx.amount.toString(),
        fee: tx.fee.toString(),
        nonce,
        chainId: tx.chainId,
        sig: tx.sig,
      },
    });
    expect(r.status, r.text).toBe(200);

    await page.getByRole('link', { name: 'Mempool' }).click();
    await page.getByRole('heading', { level: 1, name: 'Mempool' }).waitFor();
    await until(
      async () =>
        (await page.locator(`[data-testid="mempool-table"] a[title="${id}"]`).count()) === 1,
      'the tx in the mempool table',
    );
    await shot('mempool');
    await page.locator(`[data-testid="mempool-table"] a[title="${id}"]`).click();
    await page.getByRole('heading', { level: 1, name: 'Transaction' }).waitFor();
    await until(
      async () => (await text('[data-testid="tx-status"]')).includes('Pending'),
      'pending',
    );
    expect(
      await page.locator('[data-testid="confirmations"]').getAttribute('data-confirmations'),
    ).toBe('0');

    const confirmations = () =>
      page.locator('[data-testid="confirmations"]').getAttribute('data-confirmations');
    await mineBlocks(net.nodes[2]!, 1);
    await until(async () => (await confirmations()) === '1', '1 confirmation');
    expect(await text('[data-testid="tx-status"]')).toContain('Confirmed');
    await mineBlocks(net.nodes[0]!, 1);
    await until(async () => (await confirmations()) === '2', '2 confirmations');
    expect(await text('[data-testid="confirmations"]')).toBe('2 confirmations');
    expect(await page.locator('main').textContent()).toContain('2 CLC');
    await shot('tx');

    await page.locator(`main a[title="${to}"]`).first().click();
    await page.getByRole('heading', { level: 1, name: 'Address' }).waitFor();
    await until(
      async () => (await page.locator(`[data-testid="history"] a[title="${id}"]`).count()) === 1,
      'the tx in the address history',
    );
    expect(await text('[data-testid="balances"]')).toContain('10,002 CLC');
    await shot('address');
  });

  it('shows a forced reorg on the fork tree: the invalidated block marked, every node on the new tip', async () => {
    const tip = await waitForSameTip(net.nodes);
    await waitForExplorerTip(net.explorer, tip.hash);
    const [a] = net.nodes;
    const idA = ids.get(a!.url)!;
    const all = [...ids.values()].sort();
    await page.getByRole('link', { name: 'Fork tree' }).click();
    await page.getByRole('heading', { level: 1, name: 'Fork tree' }).waitFor();
    const tipBlock = page.locator(`g.blk[data-hash="${tip.hash}"]`);
    await until(
      async () =>
        ((await tipBlock.getAttribute('data-tips')) ?? '').split(' ').sort().join() === all.join(),
      'every node tag on the tip',
    );
    expect(await tipBlock.getAttribute('data-state')).toBe('best');
    expect(await tipBlock.getAttribute('data-invalid')).toBe('false');

    // Keyboard: blocks are focusable; the left arrow moves to the parent.
    await tipBlock.focus();
    await page.keyboard.press('ArrowLeft');
    // (Page scripts as strings: this file is type-checked without the DOM library.)
    const parent = await page.evaluate<string | null>(
      "document.activeElement && document.activeElement.getAttribute('data-hash')",
    );
    const tipJson = await getJson<{ header: { prevHash: string } }>(
      `${net.explorer.url}/api/block/${tip.hash}`,
    );
    expect(parent).toBe(tipJson.header.prevHash);

    // Select the tip, invalidate it on node A from the panel.
    await tipBlock.click();
    const panel = page.locator('[data-testid="selected-block"]');
    await panel.waitFor();
    await panel.getByLabel('On node').selectOption(idA);
    await panel.getByRole('button', { name: 'Invalidate block' }).click();
    await until(
      async () => (await tipBlock.getAttribute('data-invalid')) === 'true',
      'the tip marked invalid',
    );
    expect(await page.locator('svg.tree .x-mark').count()).toBeGreaterThanOrEqual(1);
    await until(
      async () =>
        (
          await page
            .locator(`g.blk[data-hash="${tipJson.header.prevHash}"]`)
            .getAttribute('data-tips')
        )?.includes(idA),
      `${idA} back on the parent`,
    );
    await shot('tree-invalidated');

    // Mine two blocks on A: its branch has more work, the other nodes reorganise to it.
    // First move A's clock ahead (the devnet time control): on this instant test chain
    // block times run ahead of the clock, and A's next template would otherwise rebuild the
    // very block it just invalidated (same parent, time and payload) until the clock
    // catches up.
    await page.getByLabel('Node', { exact: true }).selectOption(idA);
    await page.getByLabel('Clock offset (s)').fill('600');
    await page.getByRole('button', { name: 'Set clock' }).click();
    await until(
      async () =>
        (await text('[aria-labelledby="tree-dev-title"] .dev-message')).includes(
          'clock offset set to 600 s',
        ),
      'clock offset set',
    );
    await until(
      async () =>
        (await getJson<{ timeOffsetSeconds: number }>(`${a!.url}/status`)).timeOffsetSeconds ===
        600,
      'A’s clock moved',
    );
    await page.getByLabel('Blocks', { exact: true }).fill('2');
    await page.getByRole('button', { name: 'Mine 2 blocks' }).click();
    const newTip = await waitForSameTip(net.nodes);
    expect(newTip.height).toBe(tip.height + 1);
    const newBlock = page.locator(`g.blk[data-hash="${newTip.hash}"]`);
    await until(
      async () =>
        ((await newBlock.getAttribute('data-tips')) ?? '').split(' ').sort().join() === all.join(),
      'every node on the new tip',
    );
    expect(await newBlock.getAttribute('data-state')).toBe('best');
    expect(await tipBlock.getAttribute('data-state')).toBe('invalid');
    expect(await tipBlock.getAttribute('data-tips')).toBe('');
    await until(
      async () => /reorganised/.test(await text('[data-testid="reorg-banner"]')),
      'the reorg banner',
    );
    const reorgs = await text('[data-testid="reorg-list"]');
    expect(reorgs).toContain('more work');
    expect(reorgs).toContain('marked invalid');
    expect(await page.locator('svg.tree g.blk.flash-out').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-testid="tips"] tbody tr').count()).toBe(3);
    await shot('tree');
  });

  it('labels every form control, and logs no console error', async () => {
    const unlabeled = await page.evaluate<string[]>(
      "[...document.querySelectorAll('input, select, textarea')].filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).map((el) => el.outerHTML)",
    );
    expect(unlabeled).toEqual([]);
    expect(await page.locator('h1').count()).toBe(1);
    expect(consoleErrors).toEqual([]);
  });

  it('serves its API reference at /docs, rendered offline from its own OpenAPI document', async () => {
    const docs = await ctx.newPage();
    const outside: string[] = [];
    const errors: string[] = [];
    docs.on('request', (r) => {
      if (!r.url().startsWith(net.explorer.url) && !r.url().startsWith('data:'))
        outside.push(r.url());
    });
    docs.on('pageerror', (e) => errors.push(e.message));
    await docs.goto(`${net.explorer.url}/docs`);
    await docs.locator('.swagger-ui .info .title').waitFor();
    expect(await docs.locator('.swagger-ui .info .title').textContent()).toContain(
      'chainlab explorer',
    );
    // Every route of the explorer's API is listed.
    await docs.locator('.opblock-summary-path[data-path="/api/info"]').waitFor();
    expect(await docs.locator('.opblock').count()).toBeGreaterThanOrEqual(20);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await docs.close();
  });
});
