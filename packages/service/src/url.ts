// Service URLs (what nodes register with the tracker, what --tracker/--mempool point at)
// have one canonical form, `http://host:port`, so two spellings of one peer are one entry.

export const MAX_SERVICE_URL_LENGTH = 512;

export type ServiceUrlResult = { ok: true; url: string } | { ok: false; reason: string };

const UNSPECIFIED_HOSTS = new Set(['0.0.0.0', '[::]', '[0:0:0:0:0:0:0:0]']);

/**
 * Checks and normalizes the base URL of a chainlab service.
 *
 * Accepted: `http://` or `https://`, a host, an explicit or default port (1..65535),
 * and no path other than `/`, no query, no fragment, no credentials. Surrounding
 * whitespace is ignored. The host is lowercased (as WHATWG URL does) and the port is
 * always written out, so `http://Example.com/` and `http://example.com:80` are both
 * `http://example.com:80`. The unspecified addresses 0.0.0.0 and [::] are refused: they
 * are listen addresses, not reachable ones.
 */
export function checkServiceUrl(raw: unknown): ServiceUrlResult {
  if (typeof raw !== 'string') return { ok: false, reason: 'url must be a string' };
  const s = raw.trim();
  if (s.length === 0) return { ok: false, reason: 'url is empty' };
  if (s.length > MAX_SERVICE_URL_LENGTH) {
    return { ok: false, reason: `url is longer than ${MAX_SERVICE_URL_LENGTH} characters` };
  }
  const scheme = /^(https?):\/\/(?=[^/])/i.exec(s);
  if (!scheme) return { ok: false, reason: 'url must start with http:// or https:// and a host' };
  if (/[\s?#@\\]/.test(s)) {
    return {
      ok: false,
      reason: 'url must not contain whitespace, credentials, a query or a fragment',
    };
  }
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return { ok: false, reason: 'url is not a valid URL' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return { ok: false, reason: 'url must use http or https' };
  }
  if (u.hostname === '') return { ok: false, reason: 'url has no host' };
  if (u.username !== '' || u.password !== '') {
    return { ok: false, reason: 'url must not contain credentials' };
  }
  if (u.pathname !== '/' && u.pathname !== '') {
    return { ok: false, reason: `url must not have a path (got ${u.pathname})` };
  }
  if (u.search !== '' || u.hash !== '') {
    return { ok: false, reason: 'url must not have a query or a fragment' };
  }
  if (UNSPECIFIED_HOSTS.has(u.hostname)) {
    return { ok: false, reason: `${u.hostname} is a listen address, not a reachable host` };
  }
  const port = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return { ok: false, reason: 'url port must be in 1..65535' };
  }
  return { ok: true, url: `${u.protocol}//${u.hostname}:${port}` };
}

/** Like checkServiceUrl, but returns the normalized URL or throws a TypeError with the reason. */
export function normalizeServiceUrl(raw: unknown): string {
  const r = checkServiceUrl(raw);
  if (!r.ok) throw new TypeError(r.reason);
  return r.url;
}
