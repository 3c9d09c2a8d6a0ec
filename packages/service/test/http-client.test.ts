import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchJson, fetchText, isRunning, PeerError } from '@chainlab/service';

// A local HTTP server with a few behaviours, and a TCP server that accepts connections
// and never answers.
let base = '';
let silentUrl = '';
let closedUrl = '';
const sockets = new Set<net.Socket>();
const httpServer = http.createServer((req, res) => {
  const send = (status: number, body: string, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    switch (req.url) {
      case '/ok':
        return send(200, JSON.stringify({ hello: 'world' }));
      case '/echo':
        return send(
          200,
          JSON.stringify({
            method: req.method,
            type: req.headers['content-type'],
            body: JSON.parse(body),
          }),
        );
      case '/empty':
        res.writeHead(202);
        return res.end();
      case '/refuse':
        return send(400, JSON.stringify({ error: { code: 'INVALID_URL', message: 'bad url' } }));
      case '/html-error':
        return send(502, '<html>bad gateway</html>', 'text/html');
      case '/not-json':
        return send(200, 'running', 'text/plain');
      case '/big':
        return send(200, JSON.stringify({ data: 'x'.repeat(10_000) }));
      case '/stall-body':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"partial": '); // ...and never ends
        return;
      default:
        return send(404, JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no' } }));
    }
  });
});
const silent = net.createServer((sock) => {
  sockets.add(sock); // accept, read nothing back, never answer
  sock.on('close', () => sockets.delete(sock));
});

beforeAll(async () => {
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const tmp = net.createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
  closedUrl = `http://127.0.0.1:${(tmp.address() as AddressInfo).port}`;
  await new Promise((r) => tmp.close(r)); // nothing listens there now
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  httpServer.closeAllConnections();
  await new Promise((r) => httpServer.close(r));
  await new Promise((r) => silent.close(r));
});

async function peerError(p: Promise<unknown>): Promise<PeerError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PeerError);
  return e as PeerError;
}

describe('fetchJson', () => {
  it('returns parsed JSON', async () => {
    expect(await fetchJson(`${base}/ok`)).toEqual({ hello: 'world' });
  });

  it('sends a body as JSON with POST', async () => {
    expect(await fetchJson(`${base}/echo`, { body: { a: 1 } })).toEqual({
      method: 'POST',
      type: 'application/json',
      body: { a: 1 },
    });
  });

  it('returns undefined for an empty 2xx body', async () => {
    expect(await fetchJson(`${base}/empty`, { method: 'POST', body: {} })).toBeUndefined();
  });

  it('times out against a peer that accepts and never answers', async () => {
    // (a stall would hit the test timeout instead)
    const e = await peerError(fetchJson(`${silentUrl}/anything`, { timeoutMs: 300 }));
    expect(e.kind).toBe('timeout');
    expect(e.message).toMatch(/timed out after 300 ms/);
  });

  it('times out when the body never completes', async () => {
    const e = await peerError(fetchJson(`${base}/stall-body`, { timeoutMs: 300 }));
    expect(e.kind).toBe('timeout');
  });

  it('reports a refused connection as a network error', async () => {
    const e = await peerError(fetchJson(`${closedUrl}/ok`, { timeoutMs: 5000 }));
    expect(e.kind).toBe('network');
    expect(e.message).toContain('ECONNREFUSED');
  });

  it('reports non-2xx answers with the peer error code', async () => {
    const e = await peerError(fetchJson(`${base}/refuse`, { body: {} }));
    expect(e).toMatchObject({ kind: 'http', status: 400, code: 'INVALID_URL' });
    expect(e.message).toMatch(/400 INVALID_URL: bad url/);
    const h = await peerError(fetchJson(`${base}/html-error`));
    expect(h).toMatchObject({ kind: 'http', status: 502, code: 'HTTP_502' });
  });

  it('reports a non-JSON 2xx body and an oversized body as bad_response', async () => {
    expect((await peerError(fetchJson(`${base}/not-json`))).kind).toBe('bad_response');
    const big = await peerError(fetchJson(`${base}/big`, { maxBytes: 1000 }));
    expect(big.kind).toBe('bad_response');
    expect(big.message).toMatch(/larger than 1000 bytes/);
  });

  it('reports the caller aborting as aborted', async () => {
    const ac = new AbortController();
    const p = fetchJson(`${silentUrl}/x`, { timeoutMs: 10_000, signal: ac.signal });
    ac.abort();
    expect((await peerError(p)).kind).toBe('aborted');
  });

  it('refuses a nonsense timeout', async () => {
    await expect(fetchJson(`${base}/ok`, { timeoutMs: 0 })).rejects.toThrow(TypeError);
  });
});

describe('fetchText / isRunning', () => {
  it('reads text answers', async () => {
    expect(await fetchText(`${base}/not-json`)).toBe('running');
  });

  it('isRunning is false for a silent or absent peer, within the timeout', async () => {
    expect(await isRunning(silentUrl, 300)).toBe(false);
    expect(await isRunning(closedUrl, 300)).toBe(false);
  });
});
