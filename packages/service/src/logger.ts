// pino logging for every service: readable one-line logs on a terminal, JSON lines when
// stdout is a pipe or a file (scripts, tests, log collectors).

import { pino, type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import type { LogFormat, LogLevel } from './config.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** Service name, shown on every line (`name` field). */
  name: string;
  level?: LogLevel;
  /** `auto` (default): pretty when stdout is a TTY, JSON otherwise. */
  format?: LogFormat;
  /** Where JSON lines go (default: stdout, synchronously). Mostly for tests. */
  destination?: DestinationStream;
}

/** Prefix of fastify's per-interface "listening" lines, which we demote to debug. */
export const INTERFACE_LOG_PREFIX = 'bound to ';

export function usePrettyLogs(format: LogFormat = 'auto'): boolean {
  return format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
}

export function createLogger(opts: LoggerOptions): Logger {
  const options = {
    name: opts.name,
    level: opts.level ?? 'info',
    base: { pid: process.pid },
    hooks: {
      // Fastify logs every bound interface at info; the service prints its own single
      // listening line, so these go to debug.
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void, level: number) {
        const msg = args.find((a) => typeof a === 'string');
        if (level === 30 && typeof msg === 'string' && msg.startsWith(INTERFACE_LOG_PREFIX)) {
          if (this.isLevelEnabled('debug')) (this.debug as (...a: unknown[]) => void)(...args);
          return;
        }
        method.apply(this, args);
      },
    },
  };
  if (opts.destination) return pino(options, opts.destination);
  if (usePrettyLogs(opts.format)) {
    const stream = pinoPretty({
      colorize: process.stdout.isTTY === true && !process.env.NO_COLOR,
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      sync: true,
    });
    return pino(options, stream);
  }
  return pino(options, pino.destination({ dest: 1, sync: true }));
}
