// Issue 8: the devnet controls (/dev/*) exist only on devnet specs. A node on a spec with
// "devnet": false answers 404 NOT_FOUND to each of them (the routes are never registered),
// whatever the body; the explorer then shows no devnet buttons and refuses to proxy them.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorCode,
  getJson,
  http,
  removeTempDirs,
  spawnService,
  startNode,
  stopAllServices,
  tempDir,
  waitFor,
  writeSpec,
  type ServiceProcess,
} from './helpers/index.js';

const ROUTES: [string, unknown][] = [
  ['/dev/mine', { blocks: 1 }],
  ['/dev/mining', { on: false }],
  ['/dev/time', { offsetSeconds: 60 }],
  ['/dev/invalidate', { hash: '0x' + '11'.repeat(32) }],
  ['/dev/reconsider', { hash: '0x' + '11'.repeat(32) }],
];

let tracker: ServiceProcess;
let noDev: ServiceProcess;
let devnet: ServiceProcess;

beforeAll(async () => {
  const file = path.join(tempDir('chainlab-spec-'), 'no-dev.json');
  writeFileSync(
    file,
    JSON.stringify({
      extends: 'devnet-data',
      name: 'no-dev',
      devnet: false,
      genesis: { bits: '0x207fffff' },
      retarget: { rule: 'fixed' },
    }),
  );
  // A tracker of our own: the nodes' default one (:7100) may be someone else's devnet.
  tracker = await spawnService('tracker', [], { CHAINLAB_LOG_FORMAT: 'json' });
  [noDev, devnet] = await Promise.all([
    startNode({
      spec: file,
      mine: false,
      tracker: tracker.url,
      extra: ['--poll-interval', '60000'],
    }),
    startNode({ spec: writeSpec('instant', 'devnet-data'), mine: false, tracker: tracker.url }),
  ]);
});
afterAll(async () => {
  await stopAllServices();
  removeTempDirs();
});

describe('/dev/* routes', () => {
  it('are refused with 404 NOT_FOUND on a non-devnet spec, for good and bad bodies alike', async () => {
    for (const [route, body] of ROUTES) {
      for (const json of [body, {}]) {
        const r = await http(`${noDev.url}${route}`, { method: 'POST', json });
        expect(r.status, `${route} ${JSON.stringify(json)}`).toBe(404);
        expect(errorCode(r)).toBe('NOT_FOUND');
      }
      const get = await http(`${noDev.url}${route}`);
      expect(get.status).toBe(404);
    }
    // The node itself works: it answers its other routes.
    expect((await http(`${noDev.url}/running`)).text).toBe('running');
    expect((await getJson<{ height: number }>(`${noDev.url}/tip`)).height).toBe(0);
  });

  it('exist on a devnet spec (a bad body is a 400, not a 404) and work', async () => {
    for (const [route] of ROUTES) {
      const r = await http(`${devnet.url}${route}`, { method: 'POST', json: {} });
      expect(r.status, route).toBe(400);
      expect(errorCode(r)).toBe('INVALID_REQUEST');
    }
    const mined = await http(`${devnet.url}/dev/mine`, {
      method: 'POST',
      json: { blocks: 2 },
      timeoutMs: 60_000,
    });
    expect(mined.status).toBe(200);
    expect(mined.json<{ hashes: string[] }>().hashes).toHaveLength(2);
  });

  it('are not offered by the explorer for a non-devnet node', async () => {
    // Only the non-devnet node: a tracker that lists nobody, and --nodes.
    const empty = await spawnService('tracker', [], { CHAINLAB_LOG_FORMAT: 'json' });
    const explorer = await spawnService(
      'explorer',
      [
        '--tracker',
        empty.url,
        '--nodes',
        noDev.url,
        '--poll-interval',
        '300',
        '--mempool',
        'http://127.0.0.1:9',
      ],
      {
        CHAINLAB_LOG_FORMAT: 'json',
      },
    );
    const net = await waitFor(
      async () => {
        const n = await getJson<{
          nodes: { id: string; up: boolean; devControls: boolean | null }[];
        }>(`${explorer.url}/api/network`);
        return n.nodes[0]?.up && n.nodes[0].devControls !== null ? n : false;
      },
      { message: 'the explorer reads the node' },
    );
    expect(net.nodes[0]!.devControls).toBe(false);
    const info = await getJson<{ devnet: boolean; chainId: number }>(`${explorer.url}/api/info`);
    expect(info.devnet).toBe(false);
    const r = await http(`${explorer.url}/api/dev/mine`, {
      method: 'POST',
      json: { node: net.nodes[0]!.id, blocks: 1 },
    });
    expect(r.status).toBe(404);
    expect(errorCode(r)).toBe('DEV_DISABLED');
  });
});
