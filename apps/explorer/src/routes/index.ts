// The explorer's JSON API under /api (docs/api.md#explorer; schemas in @chainlab/api):
// one module per resource, aggregated from the nodes (found through the tracker) and the
// mempool; devnet controls proxied to the nodes; live events (SSE).
import type { FastifySchema } from 'fastify';
import { HttpError, type Server } from '@chainlab/service';
import { registerAddressesRoutes } from './addresses.js';
import { registerBlocksRoutes } from './blocks.js';
import { registerContractsRoutes } from './contracts.js';
import { createApiContext, type ExplorerDeps } from './context.js';
import { registerDevRoutes } from './dev.js';
import { registerMempoolRoutes } from './mempool.js';
import { registerNetworkRoutes } from './network.js';
import { registerSearchRoutes } from './search.js';
import { registerTxsRoutes } from './txs.js';

export type { ExplorerDeps } from './context.js';

export function registerExplorerRoutes(server: Server, deps: ExplorerDeps): void {
  const ctx = createApiContext(deps);
  for (const register of [
    registerNetworkRoutes,
    registerBlocksRoutes,
    registerTxsRoutes,
    registerAddressesRoutes,
    registerMempoolRoutes,
    registerSearchRoutes,
    registerDevRoutes,
    registerContractsRoutes,
  ])
    register(server, ctx);

  // Unknown /api routes answer the JSON 404 (the static files plugin must not take them).
  server.all('/api/*', { schema: { hide: true } as FastifySchema }, async (req) => {
    throw new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`);
  });
}
