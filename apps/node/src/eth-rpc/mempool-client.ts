// The JSON-RPC's client of the node's mempool: eth_sendRawTransaction hands the raw tx to
// the mempool — over the node's feed connection when it is up (feedMempoolClient: the txs
// of one event-loop turn in one message), else POST /pushtx — eth_getTransactionCount('pending') asks GET /account/:address for the
// sender's next nonce, eth_getTransactionByHash asks GET /tx/:txid for a pending tx. Plain
// node:http over kept-alive connections (fetch costs several times the CPU per request,
// which the eth_sendRawTransaction bench measures); every request has a deadline.
import http from 'node:http';
import { MAX_FEED_PUSH_TXS } from '@chainlab/api';
import { parseTx, type ChainSpec, type Tx } from '@chainlab/core';
import type { PushResult } from '../mempool-feed.js';

export interface MempoolClient {
  /** POST /pushtx; resolves with the txid or rejects with MempoolRefused. */
  push(tx: unknown): Promise<{ txid: string }>;
  /** The nonce after `address`'s pending txs (GET /account/:address). */
  pendingNonce(address: string): Promise<number>;
  /** A pending tx (not yet in a block), or null (GET /tx/:txid). */
  pendingTx(txid: string): Promise<Tx | null>;
}

/** The mempool refused a tx: its error code (BAD_NONCE, FEE_TOO_LOW, …) and message. */
export class MempoolRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Answer {
  status: number;
  body: unknown;
}

export function httpMempoolClient(url: string, spec: ChainSpec, timeoutMs = 10_000): MempoolClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const base = new URL(url);

  function request(method: 'GET' | 'POST', path: string, body?: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: base.hostname,
          port: base.port,
          path,
          method,
          agent,
          timeout: timeoutMs,
          headers:
            body === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let parsed: unknown = null;
            try {
              parsed = text === '' ? null : JSON.parse(text);
            } catch {
              // not JSON: the caller sees the status
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`${method} ${url}${path}: no answer in ${timeoutMs} ms`)),
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  const errorOf = (a: Answer) =>
    (a.body as { error?: { code?: string; message?: string } } | null)?.error;

  return {
    async push(tx) {
      const a = await request('POST', '/pushtx', JSON.stringify(tx));
      const txid = (a.body as { txid?: unknown } | null)?.txid;
      if (a.status === 200 && typeof txid === 'string') return { txid };
      const e = errorOf(a);
      throw new MempoolRefused(
        e?.code ?? 'UNAVAILABLE',
        e?.message ?? `the mempool answered ${a.status}`,
      );
    },
    async pendingNonce(address) {
      const a = await request('GET', `/account/${address}`);
      const nonce = (a.body as { nonce?: unknown } | null)?.nonce;
      if (a.status !== 200 || typeof nonce !== 'number')
        throw new Error(`the mempool answered ${a.status} to /account/${address}`);
      return nonce;
    },
    async pendingTx(txid) {
      const a = await request('GET', `/tx/${txid}`);
      if (a.status === 404) return null;
      const status = a.body as { status?: unknown; tx?: unknown } | null;
      if (a.status !== 200 || !status)
        throw new Error(`the mempool answered ${a.status} to /tx/${txid}`);
      // A tx the mempool already sees in a block is answered from the node's own chain.
      if (status.status === 'confirmed') return null;
      try {
        return parseTx(status.tx, spec);
      } catch {
        return null; // a tx this node cannot read is not shown
      }
    },
  };
}

/** The node's feed connection to its mempool, as far as pushing txs goes (payload.ts TxSource). */
export interface FeedPusher {
  readonly feedLive: boolean;
  pushToMempool(txs: unknown[], timeoutMs: number): Promise<PushResult[] | null>;
}

/** A push's JSON stays well under the feed's 64 KiB frame limit; bigger txs go over HTTP. */
const MAX_PUSH_JSON = 48 * 1024;

/**
 * Pushes over the feed while it is live — the txs that arrive in one turn of the event loop
 * travel as one message, each answered when the mempool has it on disk or refused it — and
 * over `http` otherwise. Reads go to `http`.
 */
export function feedMempoolClient(
  feed: FeedPusher,
  http: MempoolClient,
  timeoutMs = 10_000,
): MempoolClient {
  interface Waiting {
    tx: unknown;
    size: number;
    resolve: (r: { txid: string }) => void;
    reject: (e: Error) => void;
  }
  let queue: Waiting[] = [];

  function flush(): void {
    const all = queue;
    queue = [];
    for (let i = 0; i < all.length;) {
      const batch: Waiting[] = [];
      let size = 0;
      while (
        i < all.length &&
        batch.length < MAX_FEED_PUSH_TXS &&
        size + all[i]!.size <= MAX_PUSH_JSON
      ) {
        size += all[i]!.size;
        batch.push(all[i++]!);
      }
      void send(batch);
    }
  }

  async function send(batch: Waiting[]): Promise<void> {
    const results = await feed.pushToMempool(
      batch.map((w) => w.tx),
      timeoutMs,
    );
    batch.forEach((w, k) => {
      const r = results?.[k];
      if (!r)
        w.reject(
          new Error(
            'the mempool did not answer over its feed (the connection dropped or timed out)',
          ),
        );
      else if ('txid' in r) w.resolve({ txid: r.txid });
      else w.reject(new MempoolRefused(r.error.code, r.error.message));
    });
  }

  return {
    push(tx) {
      const size = JSON.stringify(tx).length;
      if (!feed.feedLive || size > MAX_PUSH_JSON) return http.push(tx);
      return new Promise((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ tx, size, resolve, reject });
      });
    },
    pendingNonce: (address) => http.pendingNonce(address),
    pendingTx: (txid) => http.pendingTx(txid),
  };
}
