// Calls to peers (tracker, nodes, mempool). Every request has a deadline covering
// connect, headers and body, so a slow or silent peer never stalls the caller; every
// failure is a PeerError saying what went wrong.

export const DEFAULT_TIMEOUT_MS = 5_000;
/** Largest response body read, in bytes, unless a call says otherwise. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * - `timeout`: no complete answer within timeoutMs;
 * - `network`: no answer at all (refused, reset, DNS, invalid URL, redirect);
 * - `http`: the peer answered with a non-2xx status (`status`, `code` from its error body);
 * - `bad_response`: a 2xx answer that is not what was asked for (not JSON, too large);
 * - `aborted`: the caller's own signal aborted the request.
 */
export type PeerErrorKind = 'timeout' | 'network' | 'http' | 'bad_response' | 'aborted';

export class PeerError extends Error {
  override readonly name = 'PeerError';

  constructor(
    readonly kind: PeerErrorKind,
    /** The URL that was requested. */
    readonly url: string,
    message: string,
    readonly details: {
      /** HTTP status (kind `http`). */
      status?: number;
      /** The peer's error code from `{"error": {"code"}}`, or `HTTP_<status>` (kind `http`). */
      code?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get code(): string | undefined {
    return this.details.code;
  }
}

export function isPeerError(e: unknown, kind?: PeerErrorKind): e is PeerError {
  return e instanceof PeerError && (kind === undefined || e.kind === kind);
}

export interface FetchOptions {
  /** Default GET, or POST when there is a body. */
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD';
  /** Sent as JSON. */
  body?: unknown;
  /** Deadline for the whole exchange in ms (default 5000). */
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** Caller's own cancellation, combined with the timeout. */
  signal?: AbortSignal;
  /** Largest response body accepted (default 64 MiB). */
  maxBytes?: number;
}

interface RawAnswer {
  status: number;
  text: string;
  contentType: string;
}

function causeText(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

async function readLimited(res: Response, maxBytes: number, url: string): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw new PeerError(
      'bad_response',
      url,
      `response from ${url} is larger than ${maxBytes} bytes`,
    );
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new PeerError(
        'bad_response',
        url,
        `response from ${url} is larger than ${maxBytes} bytes`,
      );
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

async function exchange(url: string, opts: FetchOptions, accept: string): Promise<RawAnswer> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs))
    throw new TypeError(`timeoutMs must be > 0, got ${timeoutMs}`);
  const method = opts.method ?? (opts.body === undefined ? 'GET' : 'POST');
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  const headers: Record<string, string> = { accept, ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }

  const fail = (err: unknown): PeerError => {
    if (err instanceof PeerError) return err;
    if (timeout.aborted) {
      return new PeerError('timeout', url, `${method} ${url} timed out after ${timeoutMs} ms`, {
        cause: err,
      });
    }
    if (opts.signal?.aborted)
      return new PeerError('aborted', url, `${method} ${url} aborted`, { cause: err });
    return new PeerError('network', url, `${method} ${url} failed: ${causeText(err)}`, {
      cause: err,
    });
  };

  try {
    const res = await fetch(url, { method, headers, body, signal, redirect: 'error' });
    const text = await readLimited(res, opts.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES, url);
    return { status: res.status, text, contentType: res.headers.get('content-type') ?? '' };
  } catch (err) {
    throw fail(err);
  }
}

function httpError(url: string, method: string, ans: RawAnswer): PeerError {
  let code = `HTTP_${ans.status}`;
  let message = ans.text.slice(0, 200);
  try {
    const parsed = JSON.parse(ans.text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof parsed.error?.code === 'string') code = parsed.error.code;
    if (typeof parsed.error?.message === 'string') message = parsed.error.message;
  } catch {
    // not our error format: keep the start of the body
  }
  return new PeerError(
    'http',
    url,
    `${method} ${url} → ${ans.status} ${code}${message ? `: ${message}` : ''}`,
    {
      status: ans.status,
      code,
    },
  );
}

/**
 * Requests `url` and returns its parsed JSON body (undefined for an empty 2xx body, as a
 * 202 or 204 may have). `body`, when given, is sent as JSON (method defaults to POST).
 * Throws PeerError: timeout / network / http (with the peer's error code) / bad_response.
 */
export async function fetchJson<T = unknown>(url: string, opts: FetchOptions = {}): Promise<T> {
  const method = opts.method ?? (opts.body === undefined ? 'GET' : 'POST');
  const ans = await exchange(url, opts, 'application/json');
  if (ans.status < 200 || ans.status > 299) throw httpError(url, method, ans);
  if (ans.text.trim() === '') return undefined as T;
  try {
    return JSON.parse(ans.text) as T;
  } catch (err) {
    throw new PeerError(
      'bad_response',
      url,
      `${method} ${url} answered ${ans.status} with a body that is not JSON`,
      {
        status: ans.status,
        cause: err,
      },
    );
  }
}

/** Like fetchJson, for plain-text answers (the `/running` probes). */
export async function fetchText(url: string, opts: FetchOptions = {}): Promise<string> {
  const method = opts.method ?? (opts.body === undefined ? 'GET' : 'POST');
  const ans = await exchange(url, opts, 'text/plain, application/json');
  if (ans.status < 200 || ans.status > 299) throw httpError(url, method, ans);
  return ans.text;
}

/** True when `GET <baseUrl>/running` answers `running` within the timeout. */
export async function isRunning(baseUrl: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    return (
      (await fetchText(`${baseUrl.replace(/\/+$/, '')}/running`, { timeoutMs })).trim() ===
      'running'
    );
  } catch {
    return false;
  }
}
