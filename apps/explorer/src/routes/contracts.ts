// Level 3: receipts, code and storage, proxied to a node that serves them.
import { explorerRoutes as S } from '@chainlab/api';
import { fetchJson, HttpError, isPeerError, type Server } from '@chainlab/service';
import { checkedAddress, upstreamMessage, type ApiContext } from './context.js';

export function registerContractsRoutes(server: Server, ctx: ApiContext): void {
  const { upNodes } = ctx;
  const level3 = async <T>(feature: 'receipt' | 'code' | 'storage', path: string): Promise<T> => {
    const nodes = upNodes().filter((n) => n.features[feature]);
    if (nodes.length === 0)
      throw new HttpError(404, 'NOT_SUPPORTED', `no node serves ${feature}s (level 3 only)`);
    try {
      return await fetchJson<T>(`${nodes[0]!.url}${path}`, { timeoutMs: 5000 });
    } catch (e) {
      if (isPeerError(e, 'http') && e.status && e.status < 500) {
        throw new HttpError(
          e.status,
          e.code && /^[A-Z][A-Z0-9_]*$/.test(e.code) ? e.code : 'UPSTREAM_ERROR',
          upstreamMessage(e),
        );
      }
      throw new HttpError(502, 'UPSTREAM_UNAVAILABLE', upstreamMessage(e));
    }
  };
  server.get('/api/receipt/:txid', { schema: S['GET /api/receipt/:txid'] }, async (req) =>
    level3('receipt', `/receipt/${req.params.txid.toLowerCase()}`),
  );
  server.get('/api/code/:address', { schema: S['GET /api/code/:address'] }, async (req) =>
    level3('code', `/code/${checkedAddress(req.params.address)}`),
  );
  server.get(
    '/api/storage/:address/:slot',
    { schema: S['GET /api/storage/:address/:slot'] },
    async (req) =>
      level3(
        'storage',
        `/storage/${checkedAddress(req.params.address)}/${req.params.slot.toLowerCase()}`,
      ),
  );
}
