// The HTTP shell of every service: fastify + pino + TypeBox, one error format, a
// `/running` probe, request logs at debug level, and a listening line scripts can parse.

import type { IncomingMessage, ServerResponse, Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import { errorBody, HttpError, isErrorCode } from './errors.js';
import type { Logger } from './logger.js';
import { INTERFACE_LOG_PREFIX } from './logger.js';
import { registerOpenApi } from './openapi.js';
import { registerProtection, type ProtectionOptions } from './protection.js';
import {
  responseSerializerCompiler,
  typeBoxValidatorCompiler,
  type TypeBoxTypeProvider,
} from './typebox.js';

/** A chainlab service's fastify instance, with the TypeBox type provider. */
export type Server = FastifyInstance<
  HttpServer,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface CreateServerOptions {
  /** Service name: `tracker`, `node`, `mempool`. */
  name: string;
  /** The pino logger (see createLogger). Without one the server logs nothing. */
  logger?: Logger;
  /** Largest accepted request body in bytes (default 1 MiB); larger → 413 TOO_LARGE. */
  bodyLimit?: number;
  /**
   * Maps an error a route threw (other than HttpError) to an HttpError, e.g. a core
   * RuleError to `400 INVALID_BLOCK`. Return undefined to fall back to the default
   * (a 500 INTERNAL_ERROR unless the error carries a 4xx status).
   */
  mapError?: (err: unknown) => HttpError | undefined;
  /** Time a client has to send a whole request, in ms (default 30 s). */
  requestTimeoutMs?: number;
  /** One sentence for the OpenAPI document and `/docs` (what this service is). */
  description?: string;
  /** Rate limit of the write routes and the event-loop guard (see protection.ts). */
  protection?: ProtectionOptions;
}

const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'INVALID_JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'INVALID_JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'INVALID_REQUEST' },
  FST_ERR_CTP_INVALID_TYPE: { status: 400, code: 'INVALID_REQUEST' },
  FST_ERR_CTP_EMPTY_TYPE: { status: 400, code: 'INVALID_REQUEST' },
  FST_ERR_VALIDATION: { status: 400, code: 'INVALID_REQUEST' },
  FST_ERR_BAD_URL: { status: 400, code: 'INVALID_REQUEST' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'URI_TOO_LONG' },
};

/** SNAKE_CASE name of an HTTP status: 404 → NOT_FOUND. */
export function statusCode(status: number): string {
  const text = STATUS_CODES[status] ?? (status >= 500 ? 'Internal Error' : 'Bad Request');
  return text
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

interface ErrorLike {
  code?: unknown;
  statusCode?: unknown;
  status?: unknown;
  message?: unknown;
}

/**
 * The HttpError to answer for any thrown value. Fastify's own errors become the API's
 * codes (INVALID_JSON, INVALID_REQUEST, TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, ...); other
 * errors with a 4xx status keep it; anything else is a 500 INTERNAL_ERROR whose message
 * reveals nothing (the error itself is logged).
 */
export function toHttpError(err: unknown, bodyLimit = DEFAULT_BODY_LIMIT): HttpError {
  if (err instanceof HttpError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorLike;
  const fst = typeof e.code === 'string' ? FASTIFY_CODES[e.code] : undefined;
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : undefined;
  if (fst) {
    switch (fst.code) {
      case 'INVALID_JSON':
        return e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? new HttpError(
              400,
              'INVALID_JSON',
              'request body is empty but content-type is application/json',
            )
          : new HttpError(400, 'INVALID_JSON', 'request body is not valid JSON');
      case 'TOO_LARGE':
        return new HttpError(413, 'TOO_LARGE', `request body is larger than ${bodyLimit} bytes`);
      case 'UNSUPPORTED_MEDIA_TYPE':
        return new HttpError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          'unsupported content type: send JSON with content-type: application/json',
        );
      default:
        return new HttpError(
          fst.status,
          fst.code,
          message ?? STATUS_CODES[fst.status] ?? 'bad request',
        );
    }
  }
  const status =
    typeof e.statusCode === 'number' ? e.statusCode : typeof e.status === 'number' ? e.status : 500;
  if (Number.isInteger(status) && status >= 400 && status < 500) {
    const code = isErrorCode(e.code) ? e.code : statusCode(status);
    return new HttpError(status, code, message ?? STATUS_CODES[status] ?? 'bad request');
  }
  if (status === 503 && isErrorCode(e.code))
    return new HttpError(503, e.code, message ?? 'service unavailable');
  return new HttpError(500, 'INTERNAL_ERROR', 'internal error');
}

function sendError(reply: FastifyReply, err: HttpError): void {
  // Fastify closes the connection after a body it refused; a client still sending that body
  // then hits a broken pipe and never reads the 413. Kept open, Node reads and discards the
  // rest (as nginx's lingering close does) and the client gets its answer; requestTimeout
  // still ends a body that never stops.
  if (err.status === 413) reply.removeHeader('connection');
  void reply
    .code(err.status)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify(errorBody(err.code, err.message)));
}

function truncate(s: string, n = 200): string {
  return s.length <= n ? s : `${s.slice(0, n)}…`;
}

/**
 * A fastify instance set up the chainlab way:
 * - every error answer is `{"error": {"code", "message"}}` (see toHttpError), never a
 *   stack trace, never a 500 for bad input; unknown routes are `404 NOT_FOUND`;
 * - TypeBox route schemas (strict bodies, strictly converted params/query), responses
 *   serialized as they are (the response schemas document them, see docs/api.md);
 * - `GET /openapi.json` (OpenAPI 3.1 from the route schemas) and `GET /docs`;
 * - a per-address rate limit on the write routes, 503 SERVER_BUSY when the event loop lags;
 * - request logs at debug level, 5xx errors at error level;
 * - `GET /running` → `running` (text/plain);
 * - while shutting down, new requests get `503 SHUTTING_DOWN`.
 */
export function createServer(opts: CreateServerOptions): Server {
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const log = opts.logger;

  const clientErrorHandler = (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, code, message] =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'request not received in time']
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'HEADERS_TOO_LARGE', 'request headers too large']
          : [400, 'BAD_REQUEST', 'malformed HTTP request'];
    const body = JSON.stringify(errorBody(code, message));
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };

  const fastify = Fastify<HttpServer, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    ...(log ? { loggerInstance: log as FastifyBaseLogger } : {}),
    // Our onResponse hook logs each request once, at debug level.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256 },
    clientErrorHandler,
    frameworkErrors: (err, _req, reply) => sendError(reply, toHttpError(err, bodyLimit)),
  }).withTypeProvider<TypeBoxTypeProvider>();

  fastify.setValidatorCompiler(typeBoxValidatorCompiler);
  fastify.setSerializerCompiler(
    responseSerializerCompiler(
      log,
      process.env.CHAINLAB_CHECK_RESPONSES === '1' ||
        process.env.CHAINLAB_CHECK_RESPONSES === 'true',
    ),
  );
  // Plugins before routes: they see every route declared after them (onRoute).
  registerOpenApi(fastify as unknown as Server, {
    name: opts.name,
    ...(opts.description !== undefined ? { description: opts.description } : {}),
  });
  registerProtection(fastify as unknown as Server, opts.protection ?? {});
  // JSON only: anything else (text/plain, forms) is 415.
  fastify.removeContentTypeParser('text/plain');

  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onRequest', async () => {
    if (closing) throw new HttpError(503, 'SHUTTING_DOWN', 'the service is shutting down');
  });

  fastify.addHook('onResponse', async (req, reply) => {
    req.log.debug(
      {
        method: req.method,
        url: truncate(req.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });

  const notFound = (method: string, url: string): HttpError =>
    new HttpError(404, 'NOT_FOUND', `no route ${method} ${truncate(url.split('?')[0] ?? url)}`);

  fastify.setErrorHandler((error, req, reply) => {
    // An unknown route is a 404 even when its body was bad (fastify parses it first).
    if (req.is404) {
      sendError(reply, notFound(req.method, req.url));
      return;
    }
    let mapped: HttpError | undefined;
    if (!(error instanceof HttpError) && opts.mapError) {
      try {
        mapped = opts.mapError(error);
      } catch (mapErr) {
        req.log.error({ err: mapErr }, 'mapError threw');
      }
    }
    const http = mapped ?? toHttpError(error, bodyLimit);
    if (http.status >= 500 && http.code === 'INTERNAL_ERROR') {
      req.log.error({ err: error, method: req.method, url: truncate(req.url) }, 'request failed');
    } else {
      req.log.debug({ code: http.code, reason: http.message }, 'request refused');
    }
    sendError(reply, http);
  });

  fastify.setNotFoundHandler((req, reply) => sendError(reply, notFound(req.method, req.url)));

  // In a plugin, so that it loads after the OpenAPI plugin and is listed like every route.
  void fastify.register(async (scope) => {
    scope.get(
      '/running',
      {
        schema: {
          summary: 'Liveness probe',
          description: 'Answers the text `running` as long as the process serves requests.',
          response: {
            200: {
              description: 'the word running',
              content: { 'text/plain': { schema: { type: 'string', const: 'running' } } },
            },
          },
        },
      },
      async (_req, reply) => {
        void reply.type('text/plain; charset=utf-8');
        return 'running';
      },
    );
  });

  return fastify as unknown as Server;
}

// ---------------------------------------------------------------------------------------
// Listening
// ---------------------------------------------------------------------------------------

/**
 * After listening, every service prints exactly one line of this form to stdout:
 *
 *     <name> listening on <url>
 *
 * e.g. `tracker listening on http://127.0.0.1:7100`. `<name>` is the service name
 * (`tracker`, `node`, `mempool`), `<url>` the reachable base URL (a wildcard listen
 * address is shown as loopback). Scripts and tests started with `--port 0` read the
 * port from it; parse it with parseListeningLine.
 */
export const LISTENING_LINE_FORMAT = '<name> listening on <url>';
export const LISTENING_LINE_RE = /^([a-z][a-z0-9-]*) listening on (https?:\/\/\S+)$/;

export function formatListeningLine(name: string, url: string): string {
  return `${name} listening on ${url}`;
}

/** `{ name, url }` when `line` is a listening line (surrounding whitespace ignored), else undefined. */
export function parseListeningLine(line: string): { name: string; url: string } | undefined {
  const m = LISTENING_LINE_RE.exec(line.trim());
  return m ? { name: m[1] as string, url: m[2] as string } : undefined;
}

/** The base URL a client uses to reach this address (wildcards become loopback). */
export function addressUrl(addr: AddressInfo, protocol: 'http' | 'https' = 'http'): string {
  let host = addr.address;
  if (host === '0.0.0.0') host = '127.0.0.1';
  else if (host === '::') host = '::1';
  if (host.includes(':')) host = `[${host}]`;
  return `${protocol}://${host}:${addr.port}`;
}

/** Starts listening and returns the actual base URL (the real port when `port` is 0). */
export async function listen(
  server: Server,
  where: { host: string; port: number },
): Promise<string> {
  await server.listen({
    host: where.host,
    port: where.port,
    listenTextResolver: (address) => `${INTERFACE_LOG_PREFIX}${address}`,
  });
  const addr = server.server.address();
  if (addr === null || typeof addr === 'string')
    throw new Error('server is not listening on a TCP port');
  return addressUrl(addr);
}

/** Prints the listening line (see LISTENING_LINE_FORMAT) to stdout. */
export function announceListening(name: string, url: string): void {
  process.stdout.write(`${formatListeningLine(name, url)}\n`);
}
