import { describe, expect, it } from 'vitest';
import { NodeRegistry } from '../src/registry.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('NodeRegistry', () => {
  it('normalizes URLs and treats spellings of one URL as one entry', () => {
    const reg = new NodeRegistry({ ttlMs: 30_000, maxNodes: 10 });
    const a = reg.register('http://LocalHost:7301/');
    expect(a).toEqual({
      ok: true,
      url: 'http://localhost:7301',
      isNew: true,
      expiresAt: expect.any(Number),
    });
    expect(reg.register(' http://localhost:7301 ')).toMatchObject({ ok: true, isNew: false });
    expect(reg.register('http://example.com')).toMatchObject({
      ok: true,
      url: 'http://example.com:80',
    });
    expect(reg.list()).toEqual(['http://localhost:7301', 'http://example.com:80']);
    expect(reg.has('http://localhost:7301/')).toBe(true);
  });

  it.each([
    5,
    null,
    '',
    'localhost:7301',
    'ftp://a:1',
    'http://a:1/x',
    'http://a:1?q',
    'http://u:p@a:1',
    'http://0.0.0.0:1',
  ])('refuses %j with INVALID_URL', (url) => {
    const reg = new NodeRegistry({ ttlMs: 30_000, maxNodes: 10 });
    const r = reg.register(url);
    expect(r).toMatchObject({ ok: false, code: 'INVALID_URL' });
    if (!r.ok) expect(r.message.length).toBeGreaterThan(0);
    expect(reg.list()).toEqual([]);
  });

  it('expires an entry not re-registered within the TTL', () => {
    const c = clock();
    const reg = new NodeRegistry({ ttlMs: 30_000, maxNodes: 10, now: c.now });
    reg.register('http://a:1');
    c.advance(29_999);
    expect(reg.list()).toEqual(['http://a:1']);
    c.advance(1);
    expect(reg.list()).toEqual([]);
    expect(reg.has('http://a:1')).toBe(false);
    expect(reg.size).toBe(0);
  });

  it('a heartbeat extends the life by a full TTL and keeps the registration order', () => {
    const c = clock();
    const reg = new NodeRegistry({ ttlMs: 30_000, maxNodes: 10, now: c.now });
    reg.register('http://a:1');
    c.advance(10_000);
    reg.register('http://b:1');
    c.advance(15_000);
    expect(reg.register('http://a:1')).toMatchObject({ isNew: false, expiresAt: c.now() + 30_000 });
    c.advance(20_000); // a: 20 s since heartbeat; b: 35 s since registering
    expect(reg.list()).toEqual(['http://a:1']);
    reg.register('http://b:1'); // back after expiring: a new entry, listed last
    expect(reg.register('http://b:1')).toMatchObject({ isNew: false });
    expect(reg.list()).toEqual(['http://a:1', 'http://b:1']);
  });

  it('evictExpired frees expired entries and returns them', () => {
    const c = clock();
    const reg = new NodeRegistry({ ttlMs: 1_000, maxNodes: 10, now: c.now });
    reg.register('http://a:1');
    c.advance(500);
    reg.register('http://b:1');
    c.advance(600);
    expect(reg.evictExpired()).toEqual(['http://a:1']);
    expect(reg.evictExpired()).toEqual([]);
    expect(reg.list()).toEqual(['http://b:1']);
  });

  it('is bounded: refuses new URLs with TRACKER_FULL, after evicting expired ones', () => {
    const c = clock();
    const reg = new NodeRegistry({ ttlMs: 1_000, maxNodes: 2, now: c.now });
    reg.register('http://a:1');
    reg.register('http://b:1');
    expect(reg.register('http://c:1')).toMatchObject({ ok: false, code: 'TRACKER_FULL' });
    expect(reg.register('http://a:1')).toMatchObject({ ok: true, isNew: false }); // refresh is fine when full
    c.advance(1_000); // both expire
    expect(reg.register('http://c:1')).toMatchObject({ ok: true, isNew: true });
    expect(reg.list()).toEqual(['http://c:1']);
  });

  it('drops a node after two consecutive failed probes; success or heartbeat resets', () => {
    const reg = new NodeRegistry({ ttlMs: 30_000, maxNodes: 10 });
    reg.register('http://a:1');
    expect(reg.recordProbe('http://a:1', false)).toBe('kept');
    expect(reg.recordProbe('http://a:1', true)).toBe('kept');
    expect(reg.recordProbe('http://a:1', false)).toBe('kept');
    reg.register('http://a:1');
    expect(reg.recordProbe('http://a:1', false)).toBe('kept');
    expect(reg.recordProbe('http://a:1', false)).toBe('dropped');
    expect(reg.list()).toEqual([]);
    expect(reg.recordProbe('http://a:1', false)).toBe('unknown');
  });

  it('unregister removes an entry', () => {
    const reg = new NodeRegistry({ ttlMs: 30_000, maxNodes: 10 });
    reg.register('http://a:1');
    expect(reg.unregister('http://a:1/')).toBe(true);
    expect(reg.unregister('http://a:1')).toBe(false);
    expect(reg.unregister('junk')).toBe(false);
    expect(reg.list()).toEqual([]);
  });

  it('announces the TTL in whole seconds and checks its options', () => {
    expect(new NodeRegistry({ ttlMs: 30_000, maxNodes: 1 }).ttlSeconds).toBe(30);
    expect(() => new NodeRegistry({ ttlMs: 0, maxNodes: 1 })).toThrow(RangeError);
    expect(() => new NodeRegistry({ ttlMs: 1, maxNodes: 0 })).toThrow(RangeError);
  });
});
