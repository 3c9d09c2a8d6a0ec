// Raw HTTP for e2e tests: any method, any body (including malformed ones), and the
// status, headers and body back instead of an exception for 4xx/5xx.

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON (throws if it is not JSON). */
  json<T = unknown>(): T;
}

export interface HttpOptions {
  method?: string;
  /** Serialized with JSON.stringify and sent as application/json. */
  json?: unknown;
  /** Sent as is (with `contentType`, default application/json). */
  raw?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  /** Default 10 s. */
  timeoutMs?: number;
}

export async function http(url: string, opts: HttpOptions = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | Uint8Array | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = opts.contentType ?? 'application/json';
  } else if (opts.raw !== undefined) {
    body = opts.raw;
    headers['content-type'] = opts.contentType ?? 'application/json';
  }
  const method = opts.method ?? (body === undefined ? 'GET' : 'POST');
  const res = await fetch(url, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
}

export const getJson = async <T = unknown>(url: string): Promise<T> => {
  const r = await http(url);
  if (r.status !== 200) throw new Error(`GET ${url} → ${r.status} ${r.text.slice(0, 200)}`);
  return r.json<T>();
};

export const postJson = (url: string, json: unknown): Promise<HttpResult> =>
  http(url, { method: 'POST', json });

/** Asserts the SPEC error shape `{"error": {"code", "message"}}` and returns the code. */
export function errorCode(r: HttpResult): string {
  const body = r.json<{ error?: { code?: unknown; message?: unknown } }>();
  if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string') {
    throw new Error(`not an error body: ${r.text.slice(0, 200)}`);
  }
  return body.error.code;
}
