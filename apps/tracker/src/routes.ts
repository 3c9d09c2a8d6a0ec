// The tracker's REST routes (SPEC §3). `GET /running` comes with createServer.

import {
  checkServiceUrl,
  ErrorBodySchema,
  HttpError,
  type Logger,
  type Server,
} from '@chainlab/service';
import { Type } from '@sinclair/typebox';
import type { NodeRegistry } from './registry.js';

const UrlBody = Type.Object({ url: Type.String() });

export function registerTrackerRoutes(
  server: Server,
  registry: NodeRegistry,
  logger?: Logger,
): void {
  server.get('/nodes', { schema: { response: { 200: Type.Array(Type.String()) } } }, async () =>
    registry.list(),
  );

  server.post(
    '/register',
    {
      schema: {
        body: UrlBody,
        response: {
          200: Type.Object({ url: Type.String(), ttlSeconds: Type.Integer() }),
          '4xx': ErrorBodySchema,
          '5xx': ErrorBodySchema,
        },
      },
    },
    async (req) => {
      const r = registry.register(req.body.url);
      if (!r.ok) {
        if (r.code === 'INVALID_URL') throw new HttpError(400, 'INVALID_URL', r.message);
        throw new HttpError(503, 'TRACKER_FULL', r.message);
      }
      if (r.isNew) logger?.info({ url: r.url }, 'node registered');
      else logger?.debug({ url: r.url }, 'node heartbeat');
      return { url: r.url, ttlSeconds: registry.ttlSeconds };
    },
  );

  // Not in SPEC §3: lets a node leave at once on shutdown instead of after its TTL.
  server.post(
    '/unregister',
    {
      schema: {
        body: UrlBody,
        response: { 200: Type.Object({ url: Type.String(), removed: Type.Boolean() }) },
      },
    },
    async (req) => {
      const checked = checkServiceUrl(req.body.url);
      if (!checked.ok) throw new HttpError(400, 'INVALID_URL', checked.reason);
      const removed = registry.unregister(checked.url);
      if (removed) logger?.info({ url: checked.url }, 'node unregistered');
      return { url: checked.url, removed };
    },
  );
}
