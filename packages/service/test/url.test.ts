import { describe, expect, it } from 'vitest';
import { checkServiceUrl, normalizeServiceUrl } from '@chainlab/service';

describe('service URLs', () => {
  it.each([
    ['http://127.0.0.1:7301', 'http://127.0.0.1:7301'],
    ['http://127.0.0.1:7301/', 'http://127.0.0.1:7301'],
    ['  http://LOCALHOST:7301/ ', 'http://localhost:7301'],
    ['HTTP://example.com', 'http://example.com:80'],
    ['https://example.com/', 'https://example.com:443'],
    ['https://example.com:8443', 'https://example.com:8443'],
    ['http://[::1]:7301', 'http://[::1]:7301'],
    ['http://node-1.local:7301', 'http://node-1.local:7301'],
  ])('normalizes %j to %j', (raw, url) => {
    expect(normalizeServiceUrl(raw)).toBe(url);
  });

  it.each([
    [42],
    [''],
    ['127.0.0.1:7301'],
    ['ftp://example.com:21'],
    ['ws://example.com:80'],
    ['http://'],
    ['http:///x'],
    ['http://example.com:7301/path'],
    ['http://example.com:7301/?a=1'],
    ['http://example.com:7301?'],
    ['http://example.com:7301#frag'],
    ['http://user:pw@example.com:7301'],
    ['http://@example.com:7301'],
    ['http://example.com:0'],
    ['http://example.com:65536'],
    ['http://exa mple.com:1'],
    ['http://0.0.0.0:7301'],
    ['http://[::]:7301'],
    [`http://${'a'.repeat(600)}.com:1`],
  ])('refuses %j', (raw) => {
    const r = checkServiceUrl(raw);
    expect(r.ok).toBe(false);
    expect(() => normalizeServiceUrl(raw)).toThrow(TypeError);
  });
});
