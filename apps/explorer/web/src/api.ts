// The explorer server's /api, typed. Every page reads through `getJson`; devnet buttons
// post through `postJson`. Errors carry the API's `{"error": {"code", "message"}}`.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function answer<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(
      res.status,
      'BAD_RESPONSE',
      `the explorer answered ${res.status} without JSON`,
    );
  }
  if (!res.ok) {
    const e = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? 'HTTP_' + res.status, e?.message ?? res.statusText);
  }
  return body as T;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, {
    headers: { accept: 'application/json' },
    ...(signal ? { signal } : {}),
  });
  return answer<T>(res);
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return answer<T>(res);
}

// The response types come from the same TypeBox schemas the server declares its routes
// with (packages/api/src/explorer.ts): one definition for both sides. Type-only imports:
// nothing of TypeBox reaches the browser bundle.
export type {
  AddressDetail,
  BlockDetail,
  BlockSummary,
  BlockView,
  DevResult,
  HistoryEntry,
  Info,
  MempoolJson,
  NetworkJson,
  NodeRow,
  PowInfo,
  ReorgEvent,
  TreeBlock,
  TreeJson,
  TxDetail,
  TxView,
} from '@chainlab/api';
