// Two guards every service carries, so one client cannot take a service down for others:
// - the write routes (POST /block, /data, /pushtx, /register) are rate limited per client
//   address: 429 RATE_LIMITED with Retry-After beyond `rateLimit` requests per minute;
// - while the event loop lags more than `maxEventLoopDelay` ms, requests are answered
//   503 SERVER_BUSY with Retry-After at once instead of queueing behind the backlog.
// Both defaults are generous; loopback clients are not rate limited unless asked (a devnet's
// own scripts, tests and benches send thousands of txs from 127.0.0.1).

import fastifyRateLimit from '@fastify/rate-limit';
import fastifyUnderPressure from '@fastify/under-pressure';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';
import type { Server } from './server.js';

/** The routes that change state: the ones a flood would hurt. */
export const RATE_LIMITED_ROUTES: readonly string[] = [
  'POST /block',
  'POST /data',
  'POST /pushtx',
  'POST /register',
];

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;
export const DEFAULT_MAX_EVENT_LOOP_DELAY_MS = 10_000;
export const BUSY_RETRY_AFTER_SECONDS = 5;

export interface ProtectionOptions {
  /** Write requests per minute per client address; 0 turns the limit off. */
  rateLimit?: number;
  /** Limit loopback clients too (default: they are exempt). */
  rateLimitLoopback?: boolean;
  /** Event-loop delay (ms) that makes the service answer 503 SERVER_BUSY; 0: never. */
  maxEventLoopDelay?: number;
  /** `METHOD /path` of the rate-limited routes (default RATE_LIMITED_ROUTES). */
  routes?: readonly string[];
}

export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

export function registerProtection(server: Server, opts: ProtectionOptions): void {
  const perMinute = opts.rateLimit ?? DEFAULT_RATE_LIMIT_PER_MINUTE;
  const limited = new Set(opts.routes ?? RATE_LIMITED_ROUTES);
  if (perMinute > 0) {
    void server.register(fastifyRateLimit, {
      global: true,
      max: perMinute,
      timeWindow: 60_000,
      allowList: (req: FastifyRequest) =>
        !limited.has(`${req.method} ${req.routeOptions.url ?? ''}`) ||
        (!opts.rateLimitLoopback && isLoopback(req.ip)),
      errorResponseBuilder: (_req, ctx) =>
        new HttpError(
          429,
          'RATE_LIMITED',
          `more than ${ctx.max} write requests per minute from this address; retry in ${ctx.after}`,
        ),
    });
  }
  const maxDelay = opts.maxEventLoopDelay ?? DEFAULT_MAX_EVENT_LOOP_DELAY_MS;
  if (maxDelay > 0) {
    void server.register(fastifyUnderPressure, {
      maxEventLoopDelay: maxDelay,
      retryAfter: BUSY_RETRY_AFTER_SECONDS,
      exposeStatusRoute: false,
      // Thrown through the server's error handler: 503 SERVER_BUSY in the usual error shape.
      customError: class ServerBusyError extends HttpError {
        constructor() {
          super(
            503,
            'SERVER_BUSY',
            `the service is overloaded (its event loop lags more than ${maxDelay} ms); retry in ${BUSY_RETRY_AFTER_SECONDS} s`,
          );
        }
      },
    });
  }
}
