// Issue 5: a network of real node processes that syncs, gossips, persists and heals.
import { describe, expect, it } from 'vitest';
import {
  getJson,
  http,
  mineBlocks,
  setMining,
  settle,
  spawnService,
  startNode,
  startNodes,
  stopServicesAfterEachTest,
  tipOf,
  waitFor,
  waitForSameTip,
  writeSpec,
} from './helpers/index.js';

stopServicesAfterEachTest();

describe('node network (devnet-data)', () => {
  it('three mining nodes converge on one tip, keep converging, and a late node catches up', async () => {
    const spec = writeSpec('fast', 'devnet-data');
    const tracker = await spawnService('tracker', ['--ttl', '30']);
    const nodes = await startNodes(3, { spec, tracker: tracker.url });

    // Everyone sees everyone through the tracker.
    await waitFor(async () => (await getJson<string[]>(`${tracker.url}/nodes`)).length === 3, {
      message: '3 nodes registered',
    });
    // Blocks are being found and spread.
    await waitFor(async () => (await Promise.all(nodes.map(tipOf))).every((t) => t.height >= 5), {
      timeoutMs: 120_000,
      message: 'every node at height ≥ 5',
    });
    const first = await settle(nodes);

    // Keep converging: mine more, stop, converge again on a higher tip.
    await setMining(nodes, true);
    await waitFor(
      async () => (await Promise.all(nodes.map(tipOf))).every((t) => t.height >= first.height + 3),
      {
        timeoutMs: 120_000,
        message: 'three more blocks everywhere',
      },
    );
    const second = await settle(nodes);
    expect(second.height).toBeGreaterThan(first.height);

    // A node with an empty data dir catches up from its peers.
    const late = await startNode({ spec, tracker: tracker.url, mine: false });
    const caughtUp = await waitForSameTip([...nodes, late]);
    expect(caughtUp.hash).toBe(second.hash);
    const status = await getJson<{ peers: string[] }>(`${late.url}/status`);
    expect(status.peers.length).toBeGreaterThan(0);
  });

  it('partition: two groups mine apart, are joined, and all end on the chain with most work', async () => {
    const spec = writeSpec('fast', 'devnet-data');
    const trackerA = await spawnService('tracker', ['--ttl', '600']);
    const trackerB = await spawnService('tracker', ['--ttl', '600']);
    const groupA = await startNodes(2, { spec, tracker: trackerA.url });
    const groupB = [await startNode({ spec, tracker: trackerB.url })];

    // Each side builds its own branch.
    await waitFor(
      async () =>
        (await Promise.all([...groupA, ...groupB].map(tipOf))).every((t) => t.height >= 4),
      {
        timeoutMs: 120_000,
        message: 'both sides at height ≥ 4',
      },
    );
    await setMining(groupB, false);
    let tipA = await settle(groupA);
    const tipB = await tipOf(groupB[0]!);
    expect(tipA.hash).not.toBe(tipB.hash);
    // Equal work would leave each side on its own branch (first seen wins): make A heavier.
    if (BigInt(tipA.chainwork) === BigInt(tipB.chainwork)) {
      await mineBlocks(groupA[0]!, 1);
      tipA = await settle(groupA);
    }

    // Join: group B's node becomes known to group A's tracker; A's nodes dial it.
    const register = await http(`${trackerA.url}/register`, { json: { url: groupB[0]!.url } });
    expect(register.status).toBe(200);
    const all = [...groupA, ...groupB];
    const joined = await waitForSameTip(all);
    const winner = BigInt(tipA.chainwork) >= BigInt(tipB.chainwork) ? tipA : tipB;
    const loser = winner === tipA ? tipB : tipA;
    expect(BigInt(joined.chainwork)).toBeGreaterThanOrEqual(BigInt(winner.chainwork));
    expect(joined.hash).toBe(winner.hash);

    // The losing branch is orphaned, not lost: still served by hash where it was stored.
    const loserNode = winner === tipA ? groupB[0]! : groupA[0]!;
    const stored = await http(`${loserNode.url}/block/hash/${loser.hash}`);
    expect(stored.status).toBe(200);
    // ...and it is not on the active chain any more.
    const atHeight = await getJson<{ hash: string }>(
      `${loserNode.url}/block/${loser.height}`,
    ).catch(() => null);
    expect(atHeight?.hash).not.toBe(loser.hash);
  });

  it('kill -9 while mining: on restart the chain is intact and the node rejoins', async () => {
    const spec = writeSpec('fast', 'devnet-data');
    const tracker = await spawnService('tracker', ['--ttl', '30']);
    const steady = await startNode({ spec, tracker: tracker.url, mine: false });
    const victim = await startNode({ spec, tracker: tracker.url });
    await waitFor(async () => (await tipOf(victim)).height >= 6, {
      timeoutMs: 120_000,
      message: 'victim at height ≥ 6',
    });

    // Everything the node acknowledged (reported through its API) before the crash...
    const acknowledged = await tipOf(victim);
    await victim.kill9();

    const restarted = await startNode({
      spec,
      tracker: tracker.url,
      dataDir: victim.dataDir,
      mine: false,
    });
    // ...is still there after it.
    const block = await getJson<{ hash: string; height: number }>(
      `${restarted.url}/block/hash/${acknowledged.hash}`,
    );
    expect(block.height).toBe(acknowledged.height);
    expect((await tipOf(restarted)).height).toBeGreaterThanOrEqual(acknowledged.height);
    // And it is part of the network again.
    await mineBlocks(restarted, 2);
    await waitForSameTip([restarted, steady]);
  });
});
