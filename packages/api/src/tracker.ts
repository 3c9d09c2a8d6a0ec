// The tracker's HTTP API: peer discovery. Nodes register their URL as a heartbeat.
import { Type } from '@sinclair/typebox';
import { routes } from './common.js';

const UrlBody = Type.Object(
  { url: Type.String({ description: 'the node public base URL (http://host:port)' }) },
  { additionalProperties: false },
);

export const trackerRoutes = routes({
  'GET /nodes': {
    summary: 'The live nodes',
    description: 'The URLs of the nodes that registered within the TTL.',
    response: { 200: Type.Array(Type.String(), { description: 'node base URLs' }) },
  },
  'POST /register': {
    summary: 'Register a node (heartbeat)',
    description:
      'Adds or refreshes a node. A node repeats it well within `ttlSeconds`. Unknown fields ' +
      'are refused (400 INVALID_REQUEST); a URL that is not http(s)://host:port is 400 ' +
      'INVALID_URL; a full tracker answers 503 TRACKER_FULL. Rate limited per client address.',
    body: UrlBody,
    response: {
      200: Type.Object({ url: Type.String(), ttlSeconds: Type.Integer({ minimum: 1 }) }),
    },
  },
  'POST /unregister': {
    summary: 'Remove a node at once',
    description: 'Lets a node leave on shutdown instead of after its TTL.',
    body: UrlBody,
    response: { 200: Type.Object({ url: Type.String(), removed: Type.Boolean() }) },
  },
});
