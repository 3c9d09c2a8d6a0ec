// Issues 12 and 14: every service describes its API (GET /openapi.json, valid OpenAPI 3.1,
// every route with its response schema; GET /docs renders), and every route refuses
// malformed input with 4xx and the error shape — never 2xx, never 5xx. Real processes.
import SwaggerParser from '@apidevtools/swagger-parser';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  explorerRoutes,
  mempoolContractRoutes,
  mempoolRoutes,
  nodeAccountRoutes,
  nodeContractRoutes,
  nodeEthRpcRoutes,
  nodeDataRoutes,
  nodeDevRoutes,
  nodeRoutes,
  trackerRoutes,
  type RouteTable,
} from '@chainlab/api';
import {
  errorCode,
  http,
  spawnService,
  startMempool,
  startNode,
  stopAllServices,
  writeSpec,
  type ServiceProcess,
} from './helpers/index.js';

let tracker: ServiceProcess;
let dataNode: ServiceProcess;
let contractNode: ServiceProcess;
let mempool: ServiceProcess;
let explorer: ServiceProcess;
const ADDRESS = '0x8ba1f109551bD432803012645Ac136ddd64DBA72';
const ALL = () => [tracker, dataNode, contractNode, mempool, explorer];

beforeAll(async () => {
  const dataSpec = writeSpec('instant', 'devnet-data');
  const contractSpec = writeSpec('instant', 'devnet-contracts');
  tracker = await spawnService('tracker', [], { CHAINLAB_LOG_FORMAT: 'json' });
  dataNode = await startNode({ spec: dataSpec, mine: false });
  mempool = await startMempool({ spec: contractSpec, tracker: tracker.url });
  contractNode = await startNode({
    spec: contractSpec,
    tracker: tracker.url,
    mempool: mempool.url,
    mine: false,
  });
  explorer = await spawnService(
    'explorer',
    ['--tracker', tracker.url, '--mempool', mempool.url, '--spec', contractSpec],
    { CHAINLAB_LOG_FORMAT: 'json' },
  );
});

afterAll(stopAllServices);

/** `/block/:n` → `/block/{n}` (OpenAPI path syntax). */
const openApiPath = (route: string) => route.replace(/:([A-Za-z_]\w*)/g, '{$1}');

function expected(...tables: RouteTable[]): string[] {
  const keys = tables.flatMap((t) => Object.keys(t));
  return [...keys, 'GET /running'].map((k) => {
    const [method, path] = k.split(' ') as [string, string];
    return `${method} ${openApiPath(path)}`;
  });
}

type OpenApi = {
  openapi: string;
  paths: Record<string, Record<string, { responses?: Record<string, { content?: unknown }> }>>;
};

async function openapi(svc: ServiceProcess): Promise<OpenApi> {
  const r = await http(`${svc.url}/openapi.json`);
  expect(r.status).toBe(200);
  return r.json<OpenApi>();
}

describe('GET /openapi.json and GET /docs', () => {
  it('each service serves valid OpenAPI 3.1 listing every route with its responses', async () => {
    const cases: [() => ServiceProcess, string[]][] = [
      [() => tracker, expected(trackerRoutes)],
      [() => dataNode, expected(nodeRoutes, nodeDataRoutes, nodeDevRoutes)],
      [
        () => contractNode,
        expected(
          nodeRoutes,
          nodeAccountRoutes,
          nodeContractRoutes,
          nodeEthRpcRoutes,
          nodeDevRoutes,
        ),
      ],
      [() => mempool, expected(mempoolRoutes, mempoolContractRoutes)],
      [() => explorer, expected(explorerRoutes)],
    ];
    for (const [svc, routes] of cases) {
      const doc = await openapi(svc());
      expect(doc.openapi).toBe('3.1.0');
      // A real validator: throws on anything OpenAPI 3.1 does not allow.
      await SwaggerParser.validate(structuredClone(doc) as never);
      const listed: string[] = [];
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          const key = `${method.toUpperCase()} ${path}`;
          listed.push(key);
          const responses = op.responses ?? {};
          const success = Object.keys(responses).filter((s) => /^(1|2)\d\d$/.test(s));
          expect(success.length, `${svc().name} ${key} documents its answer`).toBeGreaterThan(0);
          for (const s of success)
            expect(responses[s]?.content, `${svc().name} ${key} ${s} has a schema`).toBeDefined();
          expect(
            responses['4XX']?.content,
            `${svc().name} ${key} documents its errors`,
          ).toBeDefined();
        }
      }
      expect(listed.sort(), `${svc().name}'s routes`).toEqual([...routes].sort());
    }
  });

  it('GET /docs renders the reference with assets served locally', async () => {
    for (const svc of ALL()) {
      const page = await http(`${svc.url}/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(page.text).toContain('swagger-ui');
      const bundle = await http(`${svc.url}/docs/static/swagger-ui-bundle.js`);
      expect(bundle.status).toBe(200);
    }
  });
});

/** 4xx with the error shape, never 2xx or 5xx. */
async function refused(url: string, opts: Parameters<typeof http>[1] = {}): Promise<number> {
  const r = await http(url, opts);
  expect(
    r.status,
    `${opts.method ?? 'GET'} ${url} → ${r.status} ${r.text.slice(0, 200)}`,
  ).toBeGreaterThanOrEqual(400);
  expect(r.status, `${url}`).toBeLessThan(500);
  expect(errorCode(r)).toMatch(/^[A-Z][A-Z0-9_]*$/);
  return r.status;
}

describe('strict input', () => {
  it('integers in paths and queries are decimal digits only, within range', async () => {
    const n = contractNode.url;
    const cases: [string, string][] = [
      [`${n}/block/2.9`, 'n'],
      [`${n}/block/0x10`, 'n'],
      [`${n}/block/1e400`, 'n'],
      [`${n}/block/-1`, 'n'],
      [`${n}/block/+1`, 'n'],
      [`${n}/block/99999999999999999999`, 'n'],
      [`${n}/block/4294967296`, 'n'],
      [`${n}/blockchain?from=1.0`, 'from'],
      [`${n}/blockchain?from[]=1`, 'from[]'],
      [`${n}/blockchain?from=1&from=2`, 'from'],
      [`${n}/blockchain?form=1`, 'form'],
      [`${n}/tree?fromHeight=0x1`, 'fromHeight'],
      [`${mempool.url}/balance/${ADDRESS}?confirmations=1e3`, 'confirmations'],
      [`${mempool.url}/balance/${ADDRESS}?confirmations=1&confirmations=2`, 'confirmations'],
      [`${mempool.url}/unprocessed?limit=1.5`, 'limit'],
      [`${explorer.url}/api/blocks?limit=1e1`, 'limit'],
      [`${explorer.url}/api/tree?window=2.0`, 'window'],
    ];
    for (const [url, param] of cases) {
      const r = await http(url);
      expect(r.status, `${url} → ${r.text}`).toBe(400);
      expect(errorCode(r)).toBe('INVALID_REQUEST');
      expect(r.json<{ error: { message: string } }>().error.message).toContain(`'${param}'`);
    }
    // The same routes still answer well-formed requests.
    expect((await http(`${n}/block/0`)).status).toBe(200);
    expect((await http(`${n}/blockchain?from=0&limit=1`)).status).toBe(200);
    expect((await http(`${mempool.url}/balance/${ADDRESS}?confirmations=0`)).status).toBe(200);
  });

  it('POST /register refuses unknown fields', async () => {
    const r = await http(`${tracker.url}/register`, {
      json: { url: 'http://127.0.0.1:9', extra: 1 },
    });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('INVALID_REQUEST');
  });

  it('every route answers malformed input with 4xx and the error shape (fuzz)', async () => {
    const services: [() => ServiceProcess, RouteTable[]][] = [
      [() => tracker, [trackerRoutes]],
      [() => dataNode, [nodeRoutes, nodeDataRoutes, nodeDevRoutes]],
      [() => contractNode, [nodeRoutes, nodeAccountRoutes, nodeContractRoutes, nodeDevRoutes]],
      [() => mempool, [mempoolRoutes, mempoolContractRoutes]],
      [() => explorer, [explorerRoutes]],
    ];
    // A value no route takes: not digits, not a hash or an address.
    const junk = fc
      .string({ minLength: 1, maxLength: 30 })
      .filter((s) => !/^\d+$/.test(s) && !/^0x[0-9a-fA-F]*$/.test(s) && s.trim() !== '');
    const badBody = fc.oneof(
      fc.constant('{'),
      fc.constant('[]'),
      fc.constant('null'),
      fc.constant('"text"'),
      fc.constant('{"unknownField": 1, "url": 5, "data": 7, "blocks": "x", "hash": 1}'),
      fc.json().filter((j) => !/^\{/.test(j)),
    );
    let requests = 0;
    for (const [svc, tables] of services) {
      const base = svc().url;
      for (const table of tables) {
        for (const [key, route] of Object.entries(table)) {
          const [method, path] = key.split(' ') as [string, string];
          if (path === '/ws' || path === '/api/events') continue;
          const params = Object.keys(
            (route.params as { properties?: object } | undefined)?.properties ?? {},
          );
          const query = Object.keys(
            (route.querystring as { properties?: object } | undefined)?.properties ?? {},
          );
          await fc.assert(
            fc.asyncProperty(junk, badBody, async (value, body) => {
              const enc = encodeURIComponent(value);
              const withParams = path.replace(/:([A-Za-z_]\w*)/g, (_m, name: string) =>
                name === 'id' || name === 'slot' || name === 'address' ? enc : enc,
              );
              const url = `${base}${withParams}${query.length > 0 ? `?${query[0]}=${enc}` : ''}`;
              requests++;
              if (method === 'GET') {
                // Every route with parameters or a query gets junk in all of them.
                if (params.length === 0 && query.length === 0) {
                  // No input to break: a repeated unknown query is harmless, not an error.
                  return;
                }
                await refused(url);
              } else {
                await refused(`${base}${withParams}`, { method, raw: body });
              }
            }),
            { numRuns: 8, seed: 1214 },
          );
        }
      }
    }
    expect(requests).toBeGreaterThan(200);
  });

  it('no answer differed from its documented schema and no request failed with a 5xx', () => {
    for (const svc of ALL()) {
      const logs = svc.logs();
      expect(logs, `${svc.name}`).not.toContain('response does not match its schema');
      expect(logs, `${svc.name}`).not.toContain('request failed');
      expect(svc.exitInfo(), `${svc.name} still runs`).toBeUndefined();
    }
  });
});

describe('protection', () => {
  it('the write routes are rate limited per address (429 RATE_LIMITED with Retry-After)', async () => {
    const limited = await spawnService('tracker', ['--rate-limit', '3', '--rate-limit-loopback'], {
      CHAINLAB_LOG_FORMAT: 'json',
    });
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await http(`${limited.url}/register`, {
        json: { url: `http://127.0.0.1:${9000 + i}` },
      });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses[4]).toBe(429);
    expect(errorCode(last!)).toBe('RATE_LIMITED');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    // Reads are not limited.
    expect((await http(`${limited.url}/nodes`)).status).toBe(200);
    // Loopback is exempt by default (the main tracker took many registrations above).
    for (let i = 0; i < 5; i++)
      expect(
        (await http(`${tracker.url}/register`, { json: { url: `http://127.0.0.1:${9100 + i}` } }))
          .status,
      ).toBe(200);
    await limited.stop();
  });
});

/** Opens a WebSocket to a node's /ws and resolves with its close code and reason. */
function gossipSession(
  node: ServiceProcess,
  send: (ws: WebSocket) => void,
): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(node.url.replace(/^http/, 'ws') + '/ws');
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('the node did not close the connection'));
    }, 30_000);
    ws.on('open', () => send(ws));
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
    ws.on('error', () => undefined);
  });
}

describe('gossip bans', () => {
  it('a peer closed for invalid data is refused when it connects again with the same URL', async () => {
    const hello = (chainId: number) => ({
      type: 'hello',
      chainId,
      height: 0,
      tip: '0x' + '00'.repeat(32),
      chainwork: '0x1',
      url: 'http://127.0.0.1:1',
    });
    const { chainId } = await (await http(`${dataNode.url}/status`)).json<{ chainId: number }>();
    const first = await gossipSession(dataNode, (ws) => {
      ws.send(JSON.stringify(hello(chainId)));
      for (let i = 0; i < 5; i++) ws.send('not json');
    });
    expect(first.code).toBe(1008);
    const again = await gossipSession(dataNode, (ws) => ws.send(JSON.stringify(hello(chainId))));
    expect(again).toEqual({ code: 1008, reason: 'banned for invalid data; retry later' });
    // Anonymous loopback peers (the mempool, the explorer) are not caught by it.
    expect((await http(`${dataNode.url}/tip`)).status).toBe(200);
  });
});
