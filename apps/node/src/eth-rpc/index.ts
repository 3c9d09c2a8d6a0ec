// Ethereum JSON-RPC 2.0 for level-3 nodes, as one Fastify plugin: `POST /rpc` (single
// requests and batches) and `GET /rpc` upgraded to WebSocket (the same methods plus
// eth_subscribe). Self-contained: it needs only the EthRpcDeps (chain, EVM machine, mempool
// client, a few node controls), and a tip listener the node calls. docs/ethereum-tools.md.
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { Reorg } from '@chainlab/core';
import type { Receipt } from '@chainlab/evm';
import { nodeEthRpcRoutes } from '@chainlab/api';
import { EthRpc, type EthRpcDeps } from './methods.js';
import { INTERNAL_ERROR, INVALID_REQUEST, PARSE_ERROR, RpcError, SERVER_ERROR } from './errors.js';
import { blockView } from './view.js';

export { EthRpc, type EthRpcDeps } from './methods.js';
export {
  feedMempoolClient,
  httpMempoolClient,
  MempoolRefused,
  type MempoolClient,
} from './mempool-client.js';

/** Most requests in one batch (geth: 1000). */
export const MAX_BATCH = 1000;
/** Receipts kept for blocks that may still be disconnected by a reorg (for removed: true logs). */
const RECENT_BLOCKS = 1000;

interface Request {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

function errorBody(id: unknown, e: RpcError) {
  return {
    jsonrpc: '2.0',
    id: id ?? null,
    error: { code: e.code, message: e.message, ...(e.data !== undefined ? { data: e.data } : {}) },
  };
}

export interface EthRpcPlugin {
  rpc: EthRpc;
  /** Tell the RPC the tip moved (the node's ChainService 'tip' event). */
  onTip(reorg: Reorg): void;
}

/**
 * Registers /rpc on `server` and returns the hooks the node feeds. Only for level-3
 * chains (the node registers it only there).
 */
export async function registerEthRpc(
  server: FastifyInstance,
  deps: EthRpcDeps,
  log?: { warn: (o: object, msg: string) => void },
): Promise<EthRpcPlugin> {
  const rpc = new EthRpc({
    ...deps,
    onAdmitted: () => {
      deps.onAdmitted?.();
    },
  });
  const recent = new Map<string, Receipt[]>();
  const subscriptions = new Set<Subscription>();
  let nextSub = 1;

  async function handleOne(req: unknown, socket?: WebSocket): Promise<object | null> {
    if (typeof req !== 'object' || req === null || Array.isArray(req))
      return errorBody(null, new RpcError(INVALID_REQUEST, 'invalid request'));
    const r = req as Request;
    const isNotification = !('id' in r);
    if (r.jsonrpc !== '2.0' || typeof r.method !== 'string')
      return errorBody(r.id, new RpcError(INVALID_REQUEST, 'invalid request'));
    const params = r.params === undefined || r.params === null ? [] : r.params;
    if (!Array.isArray(params))
      return errorBody(r.id, new RpcError(INVALID_REQUEST, 'params must be an array'));
    try {
      let result: unknown;
      if (socket && r.method === 'eth_subscribe') result = subscribe(socket, params);
      else if (socket && r.method === 'eth_unsubscribe') result = unsubscribe(socket, params[0]);
      else result = await rpc.call(r.method, params);
      if (r.method === 'eth_sendRawTransaction') notifyPending(result as string);
      return isNotification ? null : { jsonrpc: '2.0', id: r.id, result: result ?? null };
    } catch (e) {
      if (e instanceof RpcError) return errorBody(r.id, e);
      log?.warn({ method: r.method, err: (e as Error).message }, 'JSON-RPC method failed');
      return errorBody(
        r.id,
        new RpcError(INTERNAL_ERROR, (e as Error).message ?? 'internal error'),
      );
    }
  }

  async function handleText(text: string, socket?: WebSocket): Promise<unknown> {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return errorBody(null, new RpcError(PARSE_ERROR, 'parse error'));
    }
    if (Array.isArray(body)) {
      if (body.length === 0) return errorBody(null, new RpcError(INVALID_REQUEST, 'empty batch'));
      if (body.length > MAX_BATCH)
        return errorBody(null, new RpcError(SERVER_ERROR, `batch too large (max ${MAX_BATCH})`));
      const out = [];
      for (const item of body) {
        const r = await handleOne(item, socket);
        if (r) out.push(r);
      }
      return out.length > 0 ? out : null;
    }
    return handleOne(body, socket);
  }

  // ---- subscriptions (WebSocket only) ----

  function subscribe(socket: WebSocket, params: unknown[]): string {
    const kind = params[0];
    if (kind !== 'newHeads' && kind !== 'logs' && kind !== 'newPendingTransactions')
      throw new RpcError(
        -32602,
        `invalid argument 0: no "${String(kind)}" subscription (newHeads, logs, newPendingTransactions)`,
      );
    const id = '0x' + (nextSub++).toString(16).padStart(32, '0');
    const sub: Subscription = { id, socket, kind };
    if (kind === 'logs') sub.filterId = rpc.installLogFilter(params[1] ?? {});
    subscriptions.add(sub);
    return id;
  }

  function unsubscribe(socket: WebSocket, id: unknown): boolean {
    for (const s of subscriptions)
      if (s.socket === socket && s.id === id) {
        subscriptions.delete(s);
        if (s.filterId) void rpc.call('eth_uninstallFilter', [s.filterId]);
        return true;
      }
    return false;
  }

  function send(sub: Subscription, result: unknown): void {
    if (sub.socket.readyState !== 1) return;
    sub.socket.send(
      JSON.stringify({
        jsonrpc: '2.0',
        method: 'eth_subscription',
        params: { subscription: sub.id, result },
      }),
    );
  }

  function notifyPending(txid: string): void {
    rpc.onPending(txid);
    for (const s of subscriptions) if (s.kind === 'newPendingTransactions') send(s, txid);
  }

  function onTip(reorg: Reorg): void {
    for (const n of reorg.connected) {
      recent.set(n.hash, deps.machine.receiptsOf(n.hash) ?? []);
      if (recent.size > RECENT_BLOCKS) recent.delete(recent.keys().next().value!);
    }
    rpc.onTip(reorg, recent);
    for (const n of reorg.disconnected) recent.delete(n.hash);
    for (const s of subscriptions) {
      if (s.kind === 'newHeads')
        for (const n of reorg.connected) {
          const head: Record<string, unknown> = blockView(n, rpc.extrasOf(n), false);
          delete head.transactions;
          delete head.uncles;
          delete head.totalDifficulty;
          send(s, head);
        }
      else if (s.kind === 'logs' && s.filterId)
        for (const l of rpc.drainFilter(s.filterId)) send(s, l);
    }
  }

  await server.register(async (app) => {
    // JSON-RPC answers malformed JSON itself (-32700), so this context reads bodies as text.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: 16 * 1024 * 1024 },
      (_req, body, done) => done(null, body),
    );
    app.post('/rpc', { schema: nodeEthRpcRoutes['POST /rpc'] }, async (req, reply) => {
      const text = typeof req.body === 'string' ? req.body : '';
      const answer = await handleText(text);
      // Notifications only: nothing to answer (204 has no body, so the table documents just 200).
      if (answer === null) return reply.code(204 as 200).send();
      return reply
        .code(200)
        .header('content-type', 'application/json')
        .send(JSON.stringify(answer));
    });
    app.get('/rpc', { websocket: true }, (socket: WebSocket) => {
      socket.on('message', (data) => {
        void handleText(String(data), socket).then((answer) => {
          if (answer !== null && socket.readyState === 1) socket.send(JSON.stringify(answer));
        });
      });
      socket.on('close', () => {
        for (const s of [...subscriptions]) if (s.socket === socket) unsubscribe(socket, s.id);
      });
    });
  });

  return { rpc, onTip };
}

interface Subscription {
  id: string;
  socket: WebSocket;
  kind: 'newHeads' | 'logs' | 'newPendingTransactions';
  filterId?: string;
}
