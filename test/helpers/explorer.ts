// A small level-2 devnet for the explorer's e2e tests: tracker, mempool, nodes that mine
// only on request (each to its own dev account, so simultaneous blocks differ), and the
// explorer following them.
import { readFileSync } from 'node:fs';
import { loadSpec, privateKeyToAddress, type ChainSpec } from '@chainlab/core';
import { getJson } from './http.js';
import { waitFor } from './poll.js';
import { spawnService, type ServiceProcess } from './service.js';
import {
  mineBlocks,
  setMining,
  startMempool,
  startNode,
  tipOf,
  writeSpec,
  waitForSameTip,
} from './chain.js';

export interface ExplorerNet {
  specPath: string;
  spec: ChainSpec;
  tracker: ServiceProcess;
  mempool: ServiceProcess;
  nodes: ServiceProcess[];
  explorer: ServiceProcess;
}

export interface ExplorerNodeJson {
  id: string;
  url: string;
  up: boolean;
  live: boolean;
  height: number | null;
  tip: string | null;
  devControls: boolean | null;
}

export async function startExplorerNet(nodeCount: number): Promise<ExplorerNet> {
  const specPath = writeSpec('instant', 'devnet');
  const spec = loadSpec(JSON.parse(readFileSync(specPath, 'utf8')));
  const tracker = await spawnService('tracker', ['--ttl', '5'], { CHAINLAB_LOG_FORMAT: 'json' });
  const mempool = await startMempool({ spec: specPath, tracker: tracker.url });
  // One node at a time, each switched off at once: blocks come only on request from then
  // on, and there is little divergence to reconcile (an instant chain mines hundreds of
  // blocks a second while mining is on).
  const nodes: ServiceProcess[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const coinbase = privateKeyToAddress(spec.devKeys[spec.devKeys.length - 1 - i]!);
    const node = await startNode({
      spec: specPath,
      tracker: tracker.url,
      mempool: mempool.url,
      extra: ['--coinbase', coinbase],
    });
    await setMining([node], false);
    nodes.push(node);
  }
  // Nodes that each mined a block of the same height keep their own (equal work: first seen
  // wins); one more block gives one chain the most work, and every node follows it.
  const tips = await Promise.all(nodes.map(tipOf));
  const top = tips.reduce(
    (best, t, i) => (BigInt(t.chainwork) > BigInt(tips[best]!.chainwork) ? i : best),
    0,
  );
  await mineBlocks(nodes[top]!, 1);
  await waitForSameTip(nodes);
  const explorer = await spawnService(
    'explorer',
    [
      '--tracker',
      tracker.url,
      '--mempool',
      mempool.url,
      '--spec',
      specPath,
      '--poll-interval',
      '500',
    ],
    { CHAINLAB_LOG_FORMAT: 'json' },
  );
  await waitFor(
    async () => {
      const n = await getJson<{ nodes: ExplorerNodeJson[] }>(`${explorer.url}/api/network`);
      return (
        n.nodes.length === nodeCount &&
        n.nodes.every((x) => x.up && x.live && x.devControls === true)
      );
    },
    { timeoutMs: 30_000, message: `the explorer follows ${nodeCount} nodes` },
  );
  return { specPath, spec, tracker, mempool, nodes, explorer };
}

/** Waits until the explorer's best chain (its index) reaches `hash`. */
export async function waitForExplorerTip(explorer: { url: string }, hash: string): Promise<void> {
  await waitFor(
    async () =>
      (await getJson<{ tip: string | null }>(`${explorer.url}/api/blocks?limit=1`)).tip === hash,
    {
      timeoutMs: 30_000,
      message: `the explorer indexes tip ${hash}`,
    },
  );
}
