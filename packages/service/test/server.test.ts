import net from 'node:net';
import { Type } from '@sinclair/typebox';
import type { InjectOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  createServer,
  formatListeningLine,
  HttpError,
  listen,
  parseListeningLine,
  type Server,
} from '@chainlab/service';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function build(
  opts: { bodyLimit?: number; mapError?: (e: unknown) => HttpError | undefined } = {},
) {
  const logs: string[] = [];
  const logger = createLogger({
    name: 'test',
    level: 'debug',
    destination: { write: (s: string) => void logs.push(s) },
  });
  const server = createServer({ name: 'test', logger, ...opts });
  server.post(
    '/echo',
    {
      schema: {
        body: Type.Object({ url: Type.String(), n: Type.Optional(Type.Integer({ minimum: 0 })) }),
      },
    },
    async (req) => ({ got: req.body.url, n: req.body.n ?? null }),
  );
  server.get(
    '/items/:id',
    {
      schema: {
        params: Type.Object({ id: Type.Integer() }),
        querystring: Type.Object({ limit: Type.Integer({ default: 5 }) }),
      },
    },
    async (req) => ({ id: req.params.id, limit: req.query.limit }),
  );
  server.get('/boom', async () => {
    throw new Error('secret internal detail');
  });
  server.get('/refused', async () => {
    throw new HttpError(409, 'ALREADY_THERE', 'that exists');
  });
  class RuleLike extends Error {
    code = 'HIGH_HASH';
  }
  server.get('/rule', async () => {
    throw new RuleLike('hash above target');
  });
  servers.push(server);
  return { server, logs };
}

const json = (payload: string) => ({ payload, headers: { 'content-type': 'application/json' } });

async function expectError(
  server: Server,
  req: InjectOptions,
  status: number,
  code: string,
  message?: RegExp,
) {
  const r = await server.inject(req);
  expect(r.statusCode).toBe(status);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  const body = r.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  if (message) expect(body.error.message).toMatch(message);
  expect(r.body).not.toMatch(/\bat .*\.(js|ts):\d+/); // never a stack trace
  return body.error.message as string;
}

describe('createServer', () => {
  it('answers GET /running with plain text', async () => {
    const { server } = build();
    const r = await server.inject({ method: 'GET', url: '/running' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    expect(r.body).toBe('running');
  });

  it('passes valid requests through, typed and converted', async () => {
    const { server } = build();
    const r = await server.inject({ method: 'POST', url: '/echo', ...json('{"url":"x","n":2}') });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ got: 'x', n: 2 });
    const q = await server.inject({ method: 'GET', url: '/items/7?limit=3' });
    expect(q.json()).toEqual({ id: 7, limit: 3 });
    const d = await server.inject({ method: 'GET', url: '/items/7/' }); // trailing slash ignored, default applied
    expect(d.json()).toEqual({ id: 7, limit: 5 });
  });

  it('malformed JSON → 400 INVALID_JSON', async () => {
    const { server } = build();
    await expectError(
      server,
      { method: 'POST', url: '/echo', ...json('{"url":') },
      400,
      'INVALID_JSON',
    );
    await expectError(
      server,
      { method: 'POST', url: '/echo', ...json('') },
      400,
      'INVALID_JSON',
      /empty/,
    );
    await expectError(
      server,
      { method: 'POST', url: '/echo', ...json('{"url":"x"} trailing') },
      400,
      'INVALID_JSON',
    );
    await expectError(
      server,
      { method: 'POST', url: '/echo', ...json('{"__proto__":{"a":1},"url":"x"}') },
      400,
      'INVALID_JSON',
    );
  });

  it('schema failures → 400 INVALID_REQUEST naming the field, without coercing body types', async () => {
    const { server } = build();
    await expectError(
      server,
      { method: 'POST', url: '/echo', ...json('{"url":5}') },
      400,
      'INVALID_REQUEST',
      /'url'.*string/,
    );
    await expectError(
      server,
      { method: 'POST', url: '/echo', ...json('{}') },
      400,
      'INVALID_REQUEST',
      /'url'.*required/,
    );
    await expectError(
      server,
      { method: 'POST', url: '/echo', ...json('{"url":"x","n":-1}') },
      400,
      'INVALID_REQUEST',
      /'n'/,
    );
    await expectError(
      server,
      { method: 'POST', url: '/echo', ...json('{"url":"x","n":"1"}') },
      400,
      'INVALID_REQUEST',
      /'n'/,
    );
    await expectError(
      server,
      { method: 'POST', url: '/echo', ...json('[1,2]') },
      400,
      'INVALID_REQUEST',
      /body.*object/,
    );
    await expectError(
      server,
      { method: 'POST', url: '/echo', ...json('null') },
      400,
      'INVALID_REQUEST',
    );
    await expectError(server, { method: 'GET', url: '/items/x' }, 400, 'INVALID_REQUEST', /'id'/);
    await expectError(
      server,
      { method: 'GET', url: '/items/1?limit=abc' },
      400,
      'INVALID_REQUEST',
      /'limit'/,
    );
  });

  it('body over the limit → 413 TOO_LARGE', async () => {
    const { server } = build({ bodyLimit: 1024 });
    const big = JSON.stringify({ url: 'x'.repeat(2000) });
    await expectError(
      server,
      { method: 'POST', url: '/echo', ...json(big) },
      413,
      'TOO_LARGE',
      /1024 bytes/,
    );
  });

  it('unsupported content type → 415', async () => {
    const { server } = build();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      await expectError(
        server,
        { method: 'POST', url: '/echo', payload: 'url=x', headers: { 'content-type': type } },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        /application\/json/,
      );
    }
  });

  it('unknown route → 404 NOT_FOUND, whatever the method or body', async () => {
    const { server } = build();
    await expectError(server, { method: 'GET', url: '/nope?x=1' }, 404, 'NOT_FOUND', /GET \/nope$/);
    await expectError(server, { method: 'DELETE', url: '/running' }, 404, 'NOT_FOUND');
    await expectError(server, { method: 'POST', url: '/nope', ...json('{bad') }, 404, 'NOT_FOUND');
  });

  it('bad URL encoding → 400', async () => {
    const { server } = build();
    await expectError(server, { method: 'GET', url: '/items/%zz' }, 400, 'INVALID_REQUEST');
  });

  it('HttpError thrown by a route sets status and code', async () => {
    const { server } = build();
    await expectError(
      server,
      { method: 'GET', url: '/refused' },
      409,
      'ALREADY_THERE',
      /^that exists$/,
    );
  });

  it('an unexpected error → 500 INTERNAL_ERROR revealing nothing, logged with its stack', async () => {
    const { server, logs } = build();
    const message = await expectError(
      server,
      { method: 'GET', url: '/boom' },
      500,
      'INTERNAL_ERROR',
    );
    expect(message).not.toContain('secret');
    const logged = logs.map((l) => JSON.parse(l)).find((l) => l.level === 50);
    expect(logged?.err?.message).toBe('secret internal detail');
    expect(logged?.err?.stack).toContain('Error');
  });

  it('mapError maps domain errors to HTTP errors', async () => {
    const { server } = build({
      mapError: (e) =>
        e instanceof Error && 'code' in e
          ? new HttpError(400, 'INVALID_BLOCK', `${e.code}: ${e.message}`)
          : undefined,
    });
    await expectError(
      server,
      { method: 'GET', url: '/rule' },
      400,
      'INVALID_BLOCK',
      /HIGH_HASH: hash above target/,
    );
    await expectError(server, { method: 'GET', url: '/boom' }, 500, 'INTERNAL_ERROR');
  });

  it('logs requests at debug level only', async () => {
    const { server, logs } = build();
    await server.inject({ method: 'GET', url: '/running' });
    const requestLogs = logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    expect(requestLogs).toHaveLength(1);
    expect(requestLogs[0]).toMatchObject({
      level: 20,
      method: 'GET',
      url: '/running',
      status: 200,
    });
  });

  it('HttpError checks its arguments', () => {
    expect(() => new HttpError(200, 'OK', 'x')).toThrow(TypeError);
    expect(() => new HttpError(400, 'not-snake', 'x')).toThrow(TypeError);
    expect(new HttpError(404, 'BLOCK_NOT_FOUND', 'x').toJSON()).toEqual({
      error: { code: 'BLOCK_NOT_FOUND', message: 'x' },
    });
  });
});

describe('listening', () => {
  it('listen on port 0 returns the actual URL; malformed HTTP gets a JSON 400', async () => {
    const { server } = build();
    const url = await listen(server, { host: '127.0.0.1', port: 0 });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(url).port)).toBeGreaterThan(0);
    const r = await fetch(`${url}/running`);
    expect(await r.text()).toBe('running');

    const raw = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(Number(new URL(url).port), '127.0.0.1', () =>
        sock.write('THIS IS NOT HTTP\r\n\r\n'),
      );
      let data = '';
      sock.on('data', (d) => (data += d));
      sock.on('close', () => resolve(data));
      sock.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 'BAD_REQUEST', message: 'malformed HTTP request' },
    });
  });

  it('formats and parses the listening line', () => {
    const line = formatListeningLine('tracker', 'http://127.0.0.1:7100');
    expect(line).toBe('tracker listening on http://127.0.0.1:7100');
    expect(parseListeningLine(`${line}\n`)).toEqual({
      name: 'tracker',
      url: 'http://127.0.0.1:7100',
    });
    expect(parseListeningLine('node listening on http://[::1]:7301')).toEqual({
      name: 'node',
      url: 'http://[::1]:7301',
    });
    expect(parseListeningLine('{"msg":"tracker listening on http://x:1"}')).toBeUndefined();
    expect(parseListeningLine('hello')).toBeUndefined();
  });
});
