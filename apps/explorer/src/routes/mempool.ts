// The pending txs in mining order.
import { explorerRoutes as S } from '@chainlab/api';
import { type Server } from '@chainlab/service';
import { txSummary, upstreamMessage, type ApiContext } from './context.js';

export function registerMempoolRoutes(server: Server, ctx: ApiContext): void {
  const { network, deps, level, mempoolUrl, pendingList } = ctx;
  server.get('/api/mempool', { schema: S['GET /api/mempool'] }, async () => {
    const m = network.mempool;
    if (!mempoolUrl()) {
      const error = level().features.accounts
        ? 'no mempool configured'
        : 'a data chain (level 1) has no mempool';
      return { url: null, up: false, error, txs: [], status: null };
    }
    let txs: ReturnType<typeof txSummary>[] = [];
    let error = m.error;
    try {
      txs = (await pendingList()).map((p) => txSummary(p.txid, p.tx));
    } catch (e) {
      error = upstreamMessage(e);
    }
    return {
      url: deps.mempoolUrl ?? null,
      up: m.up,
      error,
      status: m.status,
      txs: txs.map((t, i) => ({ position: i + 1, ...t })),
    };
  });
}
