// Graceful shutdown: on SIGINT/SIGTERM, close the HTTP server (stop accepting, let
// in-flight requests finish), then run the registered cleanup hooks in reverse order of
// registration, each bounded by a timeout, then exit: 0 when every step finished, 1 when
// one failed or timed out. A second signal exits at once (130 for SIGINT, 143 for SIGTERM).

import type { Logger } from './logger.js';

export const DEFAULT_STEP_TIMEOUT_MS = 5_000;

export interface LifecycleOptions {
  logger?: Logger;
  /** Per step (server close, each hook) in ms; default 5 s. */
  stepTimeoutMs?: number;
  /** Process exit, injectable for tests. */
  exit?: (code: number) => void;
}

interface Hook {
  name: string;
  fn: () => unknown;
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export class Lifecycle {
  private readonly hooks: Hook[] = [];
  private closeServer: (() => Promise<unknown>) | undefined;
  private running: Promise<number> | undefined;
  private signalHandlers: [NodeJS.Signals, () => void][] = [];
  private readonly stepTimeoutMs: number;
  private readonly exit: (code: number) => void;
  private readonly log: Logger | undefined;

  constructor(opts: LifecycleOptions = {}) {
    this.stepTimeoutMs = opts.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    this.exit = opts.exit ?? ((code) => process.exit(code));
    this.log = opts.logger;
  }

  /** True once shutdown has begun. */
  get stopping(): boolean {
    return this.running !== undefined;
  }

  /** The server to close first on shutdown (createServer's instance: `() => server.close()`). */
  setServer(close: () => Promise<unknown>): void {
    this.closeServer = close;
  }

  /** A cleanup step; steps run after the server is closed, last registered first. */
  onShutdown(name: string, fn: () => unknown): void {
    this.hooks.push({ name, fn });
  }

  /**
   * Runs the shutdown once (later calls return the same promise) and resolves with the
   * exit code it computed; it does not exit (see shutdownAndExit).
   */
  shutdown(reason = 'shutdown'): Promise<number> {
    this.running ??= this.run(reason);
    return this.running;
  }

  /** shutdown(), then exit with its code. */
  async shutdownAndExit(reason = 'shutdown'): Promise<void> {
    const code = await this.shutdown(reason);
    this.exit(code);
  }

  /** SIGINT/SIGTERM → shutdownAndExit; a second signal exits at once. */
  installSignalHandlers(signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): void {
    for (const sig of signals) {
      const handler = (): void => {
        if (this.stopping) {
          this.log?.warn({ signal: sig }, 'second signal: exiting now');
          this.exit(SIGNAL_EXIT[sig] ?? 1);
          return;
        }
        this.log?.info({ signal: sig }, 'shutting down');
        void this.shutdownAndExit(sig);
      };
      process.on(sig, handler);
      this.signalHandlers.push([sig, handler]);
    }
  }

  removeSignalHandlers(): void {
    for (const [sig, handler] of this.signalHandlers) process.off(sig, handler);
    this.signalHandlers = [];
  }

  private async run(reason: string): Promise<number> {
    let ok = true;
    const steps: Hook[] = [];
    if (this.closeServer) steps.push({ name: 'http server', fn: this.closeServer });
    steps.push(...[...this.hooks].reverse());
    for (const step of steps) {
      const result = await runStep(step, this.stepTimeoutMs);
      if (result === 'ok') {
        this.log?.debug({ step: step.name }, 'shutdown step done');
      } else if (result === 'timeout') {
        ok = false;
        this.log?.warn(
          { step: step.name, timeoutMs: this.stepTimeoutMs },
          'shutdown step timed out',
        );
      } else {
        ok = false;
        this.log?.error({ step: step.name, err: result.error }, 'shutdown step failed');
      }
    }
    this.log?.info({ reason, clean: ok }, 'stopped');
    this.log?.flush?.();
    return ok ? 0 : 1;
  }
}

async function runStep(
  step: Hook,
  timeoutMs: number,
): Promise<'ok' | 'timeout' | { error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  try {
    const work = Promise.resolve()
      .then(step.fn)
      .then(
        () => 'ok' as const,
        (error: unknown) => ({ error }),
      );
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
