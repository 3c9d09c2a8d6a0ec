// The whole life of a service process in one call, so each app's main.ts is a few lines:
// parse config (exit 2 on usage errors) → logger → server → app setup → listen → print
// the listening line → on SIGINT/SIGTERM shut down gracefully.

import type { HttpError } from './errors.js';
import {
  EXIT_USAGE,
  loadServiceConfig,
  UsageError,
  type OptionDefs,
  type ServiceCliSpec,
  type ServiceConfig,
} from './config.js';
import { Lifecycle } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { announceListening, createServer, listen, type Server } from './server.js';

export interface ServiceContext<C> {
  config: C;
  server: Server;
  logger: Logger;
  lifecycle: Lifecycle;
}

export interface RunServiceOptions<X extends OptionDefs> {
  cli: ServiceCliSpec<X>;
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  mapError?: (err: unknown) => HttpError | undefined;
  /** Before listening: register routes, open storage, register shutdown hooks. */
  setup(ctx: ServiceContext<ServiceConfig<X>>): void | Promise<void>;
  /** After listening (the actual URL is known): start timers, register with the tracker... */
  started?(ctx: ServiceContext<ServiceConfig<X>> & { url: string }): void | Promise<void>;
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
}

export interface RunningService<C> extends ServiceContext<C> {
  url: string;
}

/**
 * Runs a service until a signal stops it. A UsageError thrown by `setup` (a flag value
 * that only the service can check) prints `<name>: error: <message>` and exits 2; any
 * other failure before the service is up is logged and exits 1, after running the
 * shutdown hooks registered so far.
 */
export async function runService<X extends OptionDefs>(
  opts: RunServiceOptions<X>,
): Promise<RunningService<ServiceConfig<X>>> {
  const config = loadServiceConfig(opts.cli, opts.argv, opts.env);
  const name = opts.cli.name;
  const logger = createLogger({ name, level: config.logLevel, format: config.logFormat });
  const lifecycle = new Lifecycle({ logger });

  const die = (err: unknown, what: string): never => {
    logger.fatal({ err }, what);
    logger.flush?.();
    process.exit(1);
  };
  process.on('uncaughtException', (err) => die(err, 'uncaught exception'));
  process.on('unhandledRejection', (err) => die(err, 'unhandled rejection'));

  /** Startup failed: clean up what setup opened, then exit. */
  const fail = async (err: unknown, what: string, withStack = true): Promise<never> => {
    if (err instanceof UsageError) {
      process.stderr.write(`${name}: error: ${err.message}\n(run with --help for usage)\n`);
    } else if (withStack) {
      logger.fatal({ err }, what);
    } else {
      logger.fatal({ code: (err as { code?: unknown }).code }, what);
    }
    await lifecycle.shutdown(what);
    logger.flush?.();
    process.exit(err instanceof UsageError ? EXIT_USAGE : 1);
  };

  const server = createServer({
    name,
    logger,
    ...(opts.bodyLimit !== undefined ? { bodyLimit: opts.bodyLimit } : {}),
    ...(opts.mapError ? { mapError: opts.mapError } : {}),
    description: opts.cli.description,
    protection: {
      rateLimit: config.rateLimit,
      rateLimitLoopback: config.rateLimitLoopback,
      maxEventLoopDelay: config.maxEventLoopDelay,
    },
  });
  // Load the plugins createServer queued (OpenAPI, rate limit, ...) before any route is
  // declared, so they see every route.
  await server.after();
  lifecycle.setServer(() => server.close());
  lifecycle.installSignalHandlers();

  const ctx: ServiceContext<ServiceConfig<X>> = { config, server, logger, lifecycle };
  try {
    await opts.setup(ctx);
  } catch (err) {
    return fail(err, `${name} setup failed`);
  }

  let url: string;
  try {
    url = await listen(server, { host: config.host, port: config.port });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const hint =
      code === 'EADDRINUSE'
        ? `port ${config.port} on ${config.host} is already in use (use --port 0 for a free port)`
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
          ? `cannot listen on host ${config.host}`
          : code === 'EACCES'
            ? `no permission to listen on port ${config.port}`
            : `cannot listen on ${config.host}:${config.port}`;
    process.stderr.write(`${name}: ${hint}\n`);
    return fail(err, hint, code === undefined);
  }
  logger.debug({ url }, 'listening');
  announceListening(name, url);

  try {
    await opts.started?.({ ...ctx, url });
  } catch (err) {
    return fail(err, `${name} start failed`);
  }
  return { ...ctx, url };
}
