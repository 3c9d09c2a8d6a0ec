import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from '../src/index.js';

let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Keeps the event loop busy for `ms`: what a huge reorg or a saturated machine does. */
function block(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    /* busy */
  }
}

describe('protection', () => {
  it('answers 503 SERVER_BUSY with Retry-After while the event loop lags', async () => {
    server = createServer({ name: 'test', protection: { maxEventLoopDelay: 20 } });
    server.get('/x', async () => ({ ok: true }));
    await server.ready();
    // The lag is sampled periodically: block until a sample sees it (bounded attempts).
    let res = await server.inject({ method: 'GET', url: '/x' });
    for (let i = 0; i < 40 && res.statusCode !== 503; i++) {
      block(300);
      await new Promise((r) => setImmediate(r));
      res = await server.inject({ method: 'GET', url: '/x' });
    }
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ error: { code: 'SERVER_BUSY' } });
  });

  it('rate limits the write routes per address, not the reads', async () => {
    server = createServer({
      name: 'test',
      protection: { rateLimit: 2, rateLimitLoopback: true, maxEventLoopDelay: 0 },
    });
    await server.after(); // as runService does: the plugins see the routes declared next
    server.post('/pushtx', async () => ({ ok: true }));
    server.get('/tip', async () => ({ ok: true }));
    await server.ready();
    const post = () => server!.inject({ method: 'POST', url: '/pushtx', payload: {} });
    expect((await post()).statusCode).toBe(200);
    expect((await post()).statusCode).toBe(200);
    const third = await post();
    expect(third.statusCode).toBe(429);
    expect(third.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++)
      expect((await server.inject({ method: 'GET', url: '/tip' })).statusCode).toBe(200);
  });

  it('does not rate limit loopback clients unless asked', async () => {
    server = createServer({ name: 'test', protection: { rateLimit: 1, maxEventLoopDelay: 0 } });
    await server.after();
    server.post('/pushtx', async () => ({ ok: true }));
    await server.ready();
    for (let i = 0; i < 4; i++)
      expect(
        (await server.inject({ method: 'POST', url: '/pushtx', payload: {} })).statusCode,
      ).toBe(200);
  });
});
