// The built tracker as a real process: `node apps/tracker/dist/main.js --port 0 --ttl 2`.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorCode,
  getJson,
  http,
  postJson,
  runToExit,
  spawnService,
  stopAllServices,
  waitFor,
  type ServiceProcess,
} from './helpers/index.js';

describe('tracker (e2e)', () => {
  let tracker: ServiceProcess;

  beforeAll(async () => {
    tracker = await spawnService('tracker', ['--ttl', '2']);
  });
  afterAll(async () => {
    await stopAllServices();
  });

  const stillRunning = async () => {
    expect(tracker.exitInfo()).toBeUndefined();
    const r = await http(`${tracker.url}/running`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('running');
  };

  it('prints its listening line with the actual port', () => {
    expect(tracker.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(tracker.port).toBeGreaterThan(0);
    expect(tracker.logs()).toContain(`tracker listening on ${tracker.url}`);
  });

  it('answers GET /running with plain text', async () => {
    const r = await http(`${tracker.url}/running`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.text).toBe('running');
  });

  it('registers a valid URL (normalized) and lists it in /nodes', async () => {
    const r = await postJson(`${tracker.url}/register`, { url: 'http://LOCALHOST:7301/' });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ url: 'http://localhost:7301', ttlSeconds: 2 });
    // The TTL is short, so heartbeat like a node does until the listing shows it.
    await waitFor(
      async () => {
        await postJson(`${tracker.url}/register`, { url: 'http://localhost:7301' });
        return (await getJson<string[]>(`${tracker.url}/nodes`)).includes('http://localhost:7301');
      },
      { message: '/nodes to list the registered node' },
    );
  });

  it.each([
    'localhost:7301',
    'ftp://localhost:7301',
    'http://localhost:7301/some/path',
    'http://localhost:7301/?q=1',
    'http://user:pw@localhost:7301',
    'http://localhost:0',
    '',
  ])('refuses %j with 400 INVALID_URL', async (url) => {
    const r = await postJson(`${tracker.url}/register`, { url });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('INVALID_URL');
    for (const u of await getJson<string[]>(`${tracker.url}/nodes`)) {
      expect(u).toMatch(/^https?:\/\/[^/?#@]+:\d+$/); // only canonical URLs ever get in
    }
  });

  it('answers bad input with 4xx error codes and keeps running', async () => {
    const reg = `${tracker.url}/register`;
    const cases: [Parameters<typeof http>[1], number, string][] = [
      [{ method: 'POST', raw: '{"url": "http://a:1"' }, 400, 'INVALID_JSON'],
      [{ method: 'POST', raw: 'not json at all' }, 400, 'INVALID_JSON'],
      [{ method: 'POST', raw: '' }, 400, 'INVALID_JSON'],
      [{ method: 'POST', json: { url: 7301 } }, 400, 'INVALID_REQUEST'],
      [{ method: 'POST', json: { nourl: 'http://a:1' } }, 400, 'INVALID_REQUEST'],
      [{ method: 'POST', json: ['http://a:1'] }, 400, 'INVALID_REQUEST'],
      [{ method: 'POST', json: 'http://a:1' }, 400, 'INVALID_REQUEST'],
      [{ method: 'POST', json: null }, 400, 'INVALID_REQUEST'],
      [
        { method: 'POST', raw: 'url=http://a:1', contentType: 'application/x-www-form-urlencoded' },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        {
          method: 'POST',
          raw: JSON.stringify({ url: `http://a:1/${'x'.repeat(2 * 1024 * 1024)}` }),
        },
        413,
        'TOO_LARGE',
      ],
    ];
    for (const [opts, status, code] of cases) {
      const r = await http(reg, opts);
      expect({ status: r.status, code: errorCode(r) }).toEqual({ status, code });
      expect(r.text).not.toMatch(/\bat .*:\d+:\d+/); // no stack trace
    }
    await stillRunning();
  });

  it('answers every oversized body 413, never a broken pipe while the client still sends it', async () => {
    // The server refuses the body from its length and must still let the client finish
    // sending it and read the answer (it once closed the socket: ~30 % of fetches failed).
    const raw = JSON.stringify({ url: `http://a:1/${'x'.repeat(2 * 1024 * 1024)}` });
    for (let i = 0; i < 20; i++) {
      const r = await http(`${tracker.url}/register`, { method: 'POST', raw });
      expect({ status: r.status, code: errorCode(r) }).toEqual({ status: 413, code: 'TOO_LARGE' });
    }
    await stillRunning();
  });

  it('answers unknown routes with 404 JSON', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/nodes'],
      ['GET', '/register'],
      ['DELETE', '/running'],
    ]) {
      const r = await http(`${tracker.url}${path}`, { method });
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(errorCode(r)).toBe('NOT_FOUND');
    }
    await stillRunning();
  });

  it('drops an entry that is not re-registered within the TTL', async () => {
    const url = 'http://127.0.0.1:7399';
    expect((await postJson(`${tracker.url}/register`, { url })).status).toBe(200);
    await waitFor(async () => !(await getJson<string[]>(`${tracker.url}/nodes`)).includes(url), {
      message: `${url} to expire from /nodes`,
    });
    // re-registering brings it back
    expect((await postJson(`${tracker.url}/register`, { url })).status).toBe(200);
  });

  it('--help exits 0; a bad flag exits 2; a port in use exits 1, each with a clear message', async () => {
    const help = await runToExit('tracker', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: tracker [options]');
    expect(help.stdout).toContain('--ttl <seconds>');

    const bad = await runToExit('tracker', ['--port', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--port.*invalid/);

    const badEnv = await runToExit('tracker', [], { CHAINLAB_TTL: '-1' });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain('CHAINLAB_TTL');

    const busy = await runToExit('tracker', ['--port', String(tracker.port)]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/already in use/);
    await stillRunning();
  });

  it('exits 0 on SIGTERM', async () => {
    const exit = await tracker.stop({ signal: 'SIGTERM' });
    expect(exit).toEqual({ code: 0, signal: null });
    expect(tracker.logs()).toMatch(/"msg":"stopped"/);
  });
});
