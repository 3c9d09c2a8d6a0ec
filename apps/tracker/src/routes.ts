// The tracker's REST routes (docs/api.md#tracker; schemas in @chainlab/api).
// `GET /running`, `/openapi.json` and `/docs` come with createServer.

import { trackerRoutes as S } from '@chainlab/api';
import { checkServiceUrl, HttpError, type Logger, type Server } from '@chainlab/service';
import type { NodeRegistry } from './registry.js';

export function registerTrackerRoutes(
  server: Server,
  registry: NodeRegistry,
  logger?: Logger,
): void {
  server.get('/nodes', { schema: S['GET /nodes'] }, async () => registry.list());

  server.post('/register', { schema: S['POST /register'] }, async (req) => {
    const r = registry.register(req.body.url);
    if (!r.ok) {
      if (r.code === 'INVALID_URL') throw new HttpError(400, 'INVALID_URL', r.message);
      throw new HttpError(503, 'TRACKER_FULL', r.message);
    }
    if (r.isNew) logger?.info({ url: r.url }, 'node registered');
    else logger?.debug({ url: r.url }, 'node heartbeat');
    return { url: r.url, ttlSeconds: registry.ttlSeconds };
  });

  // An addition to the shared API: lets a node leave at once on shutdown instead of after its TTL.
  server.post('/unregister', { schema: S['POST /unregister'] }, async (req) => {
    const checked = checkServiceUrl(req.body.url);
    if (!checked.ok) throw new HttpError(400, 'INVALID_URL', checked.reason);
    const removed = registry.unregister(checked.url);
    if (removed) logger?.info({ url: checked.url }, 'node unregistered');
    return { url: checked.url, removed };
  });
}
