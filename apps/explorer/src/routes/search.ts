// What a search box string names: a height, a block hash, a txid or an address.
import { explorerRoutes as S } from '@chainlab/api';
import { fetchJson, HttpError, type Server } from '@chainlab/service';
import { checkedAddress, HASH_RE, ADDRESS_RE, type ApiContext } from './context.js';

export function registerSearchRoutes(server: Server, ctx: ApiContext): void {
  const { network, index, deps, nodesFor } = ctx;
  server.get('/api/search', { schema: S['GET /api/search'] }, async (req) => {
    let q = req.query.q.trim();
    if (/^[0-9a-fA-F]{64}$/.test(q) || /^[0-9a-fA-F]{40}$/.test(q)) q = '0x' + q;
    if (/^\d{1,10}$/.test(q)) {
      const h = Number(q);
      if (index.active[h]) return { kind: 'block' as const, id: index.active[h], height: h };
      throw new HttpError(
        404,
        'NOT_FOUND',
        `no block at height ${h} (the best chain has height ${index.height})`,
      );
    }
    if (HASH_RE.test(q)) {
      const hash = q.toLowerCase();
      if (network.known.has(hash) || index.blocks.has(hash))
        return { kind: 'block' as const, id: hash };
      if (index.items.has(hash)) return { kind: 'tx' as const, id: hash };
      if (deps.mempoolUrl && network.mempool.up) {
        try {
          await fetchJson(`${deps.mempoolUrl}/tx/${hash}`, { timeoutMs: 3000 });
          return { kind: 'tx' as const, id: hash };
        } catch {
          /* not a tx the mempool knows */
        }
      }
      if (await index.fetchBlock(hash, nodesFor(hash))) return { kind: 'block' as const, id: hash };
      throw new HttpError(404, 'NOT_FOUND', `no block or tx ${hash}`);
    }
    if (ADDRESS_RE.test(q)) return { kind: 'address' as const, id: checkedAddress(q) };
    throw new HttpError(
      404,
      'NOT_FOUND',
      'search for a block height, a block hash, a txid or an address (0x…)',
    );
  });
}
