// Chain-level helpers for e2e tests: test chain specs, starting nodes, reading tips.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { getJson } from './http.js';
import { spawnService, type ServiceProcess } from './service.js';
import { tempDir } from './temp.js';
import { waitFor } from './poll.js';

export interface Tip {
  height: number;
  hash: string;
  chainwork: string;
  bits: number;
  time: number;
}

/**
 * Writes a chain spec JSON to a temp dir and returns its path.
 * `fast`: ~0.5 s blocks per mining thread at first, then the difficulty adapts every block (LWMA) to 2 s.
 * `instant`: fixed, trivial difficulty, for nodes that only mine on request (/dev/mine).
 */
export function writeSpec(
  kind: 'fast' | 'instant',
  base: 'devnet-data' | 'devnet' | 'devnet-contracts',
  overrides: Record<string, unknown> = {},
): string {
  const spec =
    kind === 'fast'
      ? {
          extends: base,
          name: `test-${base}`,
          genesis: { bits: '0x1e06b5fc' },
          targetBlockTimeSeconds: 2,
          retarget: { rule: 'lwma', windowBlocks: 10 },
        }
      : {
          extends: base,
          name: `test-${base}`,
          genesis: { bits: '0x207fffff' },
          retarget: { rule: 'fixed' },
        };
  const file = path.join(tempDir('chainlab-spec-'), 'spec.json');
  writeFileSync(file, JSON.stringify({ ...spec, ...overrides }, null, 2));
  return file;
}

export interface NodeOptions {
  spec: string;
  tracker?: string;
  mempool?: string;
  dataDir?: string;
  mine?: boolean;
  extra?: string[];
}

export async function startNode(o: NodeOptions): Promise<ServiceProcess & { dataDir: string }> {
  const dataDir = o.dataDir ?? tempDir('chainlab-node-');
  const args = [
    '--spec',
    o.spec,
    '--data-dir',
    dataDir,
    '--threads',
    '1',
    '--poll-interval',
    '1000',
  ];
  if (o.tracker) args.push('--tracker', o.tracker);
  if (o.mempool) args.push('--mempool', o.mempool);
  if (o.mine === false) args.push('--no-mine');
  args.push(...(o.extra ?? []));
  const node = await spawnService('node', args, { CHAINLAB_LOG_FORMAT: 'json' });
  return Object.assign(node, { dataDir });
}

/** `count` nodes with the same options, started at once (each with a data dir of its own). */
export function startNodes(
  count: number,
  o: Omit<NodeOptions, 'dataDir'>,
): Promise<(ServiceProcess & { dataDir: string })[]> {
  return Promise.all(Array.from({ length: count }, () => startNode(o)));
}

/** A mempool following the nodes of `tracker`, polling them often, one verifier thread. */
export function startMempool(o: {
  spec: string;
  tracker: string;
  extra?: string[];
}): Promise<ServiceProcess> {
  const args = [
    '--spec',
    o.spec,
    '--tracker',
    o.tracker,
    '--data-dir',
    tempDir('chainlab-mempool-'),
  ];
  args.push('--poll-interval', '500', '--verify-threads', '1', ...(o.extra ?? []));
  return spawnService('mempool', args, { CHAINLAB_LOG_FORMAT: 'json' });
}

export const tipOf = (node: { url: string }): Promise<Tip> => getJson<Tip>(`${node.url}/tip`);

/** Waits until every node reports the same tip, and returns it. */
export async function waitForSameTip(nodes: { url: string }[], timeoutMs = 90_000): Promise<Tip> {
  return waitFor(
    async () => {
      const tips = await Promise.all(nodes.map(tipOf));
      return tips.every((t) => t.hash === tips[0]!.hash) ? tips[0]! : false;
    },
    { timeoutMs, intervalMs: 250, message: 'all nodes on the same tip' },
  );
}

/**
 * Stops mining everywhere and waits for one common tip. Two nodes can stop on different
 * tips of equal work, and then the first-seen rule keeps each on its own until a block
 * is added: so if they stay split, one more block is mined to break the tie.
 */
export async function settle(nodes: { url: string }[]): Promise<Tip> {
  await setMining(nodes, false);
  for (let attempt = 0; ; attempt++) {
    try {
      return await waitForSameTip(nodes, 15_000);
    } catch (e) {
      if (attempt >= 5) throw e;
      await mineBlocks(nodes[0]!, 1);
    }
  }
}

export async function setMining(nodes: { url: string }[], on: boolean): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      const res = await fetch(`${n.url}/dev/mining`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ on }),
      });
      if (res.status !== 200)
        throw new Error(`/dev/mining on ${n.url}: ${res.status} ${await res.text()}`);
    }),
  );
}

export async function mineBlocks(node: { url: string }, blocks: number): Promise<string[]> {
  const res = await fetch(`${node.url}/dev/mine`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ blocks }),
    signal: AbortSignal.timeout(120_000),
  });
  if (res.status !== 200)
    throw new Error(`/dev/mine on ${node.url}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { hashes: string[] }).hashes;
}
