// Every service describes its own HTTP API: the TypeBox route schemas (params, query, body,
// responses) become an OpenAPI 3.1 document at `GET /openapi.json`, and `GET /docs` renders
// it (Swagger UI, served from node_modules: it works offline). docs/api.md is generated
// from the same schemas (`pnpm docs:api`).

import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { RouteOptions } from 'fastify';
import { ErrorBodySchema } from './errors.js';
import type { Server } from './server.js';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

export interface OpenApiOptions {
  name: string;
  description?: string;
  version?: string;
}

const ERROR_RESPONSE = {
  ...ErrorBodySchema,
  description: 'the error shape of every chainlab API: {"error": {"code", "message"}}',
};

/**
 * Every route with a response schema also answers the error shape: 4xx for bad requests
 * (INVALID_REQUEST, NOT_FOUND, ...), 5xx when the service is busy or shutting down.
 */
function addErrorResponses(route: RouteOptions): void {
  const response = route.schema?.response as Record<string, unknown> | undefined;
  if (!response) return;
  const has = (k: string) => Object.keys(response).some((r) => r.toLowerCase() === k);
  if (!has('4xx')) response['4xx'] = ERROR_RESPONSE;
  if (!has('5xx')) response['5xx'] = ERROR_RESPONSE;
}

export function registerOpenApi(server: Server, opts: OpenApiOptions): void {
  server.addHook('onRoute', addErrorResponses);
  void server.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `chainlab ${opts.name}`,
        version: opts.version ?? '0.1.0',
        description:
          (opts.description ? `${opts.description}\n\n` : '') +
          'Every error is answered `{"error": {"code": "SNAKE_CASE", "message": "..."}}`. ' +
          'Amounts are decimal strings; hashes and addresses are 0x-prefixed hex. ' +
          'Integers in paths and queries are decimal digits only. See docs/api.md in the repository.',
      },
    },
  });
  void server.register(fastifySwaggerUi, {
    routePrefix: DOCS_PATH,
    // validatorUrl null: Swagger UI would otherwise fetch a badge from validator.swagger.io.
    uiConfig: { docExpansion: 'list', deepLinking: false, validatorUrl: null },
  });
  void server.register(async (scope) => {
    scope.get(OPENAPI_PATH, { schema: { hide: true } }, async (_req, reply) =>
      reply.type('application/json; charset=utf-8').send(JSON.stringify(server.swagger())),
    );
  });
}
