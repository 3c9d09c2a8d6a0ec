import { createServer, type Server } from '@chainlab/service';
import { afterEach, describe, expect, it } from 'vitest';
import { trackerCli } from '../src/cli.js';
import { Prober } from '../src/probe.js';
import { NodeRegistry } from '../src/registry.js';
import { registerTrackerRoutes } from '../src/routes.js';
import { expectConfig, parseServiceConfig } from '@chainlab/service';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function tracker(maxNodes = 10) {
  let t = 0;
  const registry = new NodeRegistry({ ttlMs: 30_000, maxNodes, now: () => t });
  const server = createServer({ name: 'tracker', bodyLimit: 16 * 1024 });
  registerTrackerRoutes(server, registry);
  servers.push(server);
  return { server, registry, advance: (ms: number) => void (t += ms) };
}

const post = (server: Server, url: string, body: unknown) =>
  server.inject({
    method: 'POST',
    url,
    payload: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

describe('tracker routes', () => {
  it('registers, lists and expires nodes', async () => {
    const { server, advance } = tracker();
    const r = await post(server, '/register', { url: 'http://127.0.0.1:7301/' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ url: 'http://127.0.0.1:7301', ttlSeconds: 30 });
    expect((await server.inject({ method: 'GET', url: '/nodes' })).json()).toEqual([
      'http://127.0.0.1:7301',
    ]);
    advance(30_000);
    expect((await server.inject({ method: 'GET', url: '/nodes' })).json()).toEqual([]);
  });

  it('answers 400 INVALID_URL for a bad URL and 400 INVALID_REQUEST for a bad body', async () => {
    const { server } = tracker();
    const bad = await post(server, '/register', { url: 'http://x:1/path' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_URL');
    const wrongType = await post(server, '/register', { url: 7301 });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringContaining('url'),
    });
  });

  it('answers 503 TRACKER_FULL when full', async () => {
    const { server } = tracker(1);
    expect((await post(server, '/register', { url: 'http://a:1' })).statusCode).toBe(200);
    const full = await post(server, '/register', { url: 'http://b:1' });
    expect(full.statusCode).toBe(503);
    expect(full.json().error.code).toBe('TRACKER_FULL');
  });

  it('unregisters', async () => {
    const { server } = tracker();
    await post(server, '/register', { url: 'http://a:1' });
    expect((await post(server, '/unregister', { url: 'http://a:1/' })).json()).toEqual({
      url: 'http://a:1',
      removed: true,
    });
    expect((await server.inject({ method: 'GET', url: '/nodes' })).json()).toEqual([]);
    expect((await post(server, '/unregister', { url: 'nope' })).statusCode).toBe(400);
  });
});

describe('tracker probe', () => {
  it('drops nodes whose health check fails twice in a row', async () => {
    const registry = new NodeRegistry({ ttlMs: 30_000, maxNodes: 10 });
    registry.register('http://up:1');
    registry.register('http://down:1');
    const prober = new Prober({
      registry,
      intervalMs: 1_000,
      check: async (url) => url.includes('up'),
    });
    await prober.runOnce();
    expect(registry.list()).toEqual(['http://up:1', 'http://down:1']);
    await prober.runOnce();
    expect(registry.list()).toEqual(['http://up:1']);
    await prober.stop();
  });
});

describe('tracker command line', () => {
  it('has the tracker defaults and flags', () => {
    expect(expectConfig(parseServiceConfig(trackerCli, [], {}))).toMatchObject({
      port: 7100,
      ttl: 30,
      maxNodes: 1000,
      probe: false,
      probeInterval: 10,
    });
    expect(
      expectConfig(
        parseServiceConfig(trackerCli, ['--ttl', '2', '--max-nodes', '5', '--probe'], {}),
      ),
    ).toMatchObject({
      ttl: 2,
      maxNodes: 5,
      probe: true,
    });
  });
});
