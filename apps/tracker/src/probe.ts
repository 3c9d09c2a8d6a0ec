// Optional health probe (--probe): every interval, GET <url>/running on each live node
// (a few at a time, each with a timeout); a node failing twice in a row is dropped.

import { isRunning, type Logger } from '@chainlab/service';
import type { NodeRegistry } from './registry.js';

export interface ProberOptions {
  registry: NodeRegistry;
  intervalMs: number;
  /** Per probe (default 2000 ms). */
  timeoutMs?: number;
  /** Probes in flight at once (default 16). */
  concurrency?: number;
  /** Health check (default: GET /running answers `running`). */
  check?: (url: string, timeoutMs: number) => Promise<boolean>;
  logger?: Logger;
}

export class Prober {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = true;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly check: (url: string, timeoutMs: number) => Promise<boolean>;

  constructor(private readonly opts: ProberOptions) {
    this.timeoutMs = opts.timeoutMs ?? 2_000;
    this.concurrency = opts.concurrency ?? 16;
    this.check = opts.check ?? isRunning;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** Stops probing; resolves once a round in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.runOnce().finally(() => {
        this.round = undefined;
        this.schedule();
      });
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  /** Probes every live node once. */
  async runOnce(): Promise<void> {
    const queue = this.opts.registry.list();
    const worker = async (): Promise<void> => {
      for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
        let ok = false;
        try {
          ok = await this.check(url, this.timeoutMs);
        } catch {
          ok = false;
        }
        const outcome = this.opts.registry.recordProbe(url, ok);
        if (outcome === 'dropped')
          this.opts.logger?.info({ url }, 'node dropped: failed its health probes');
        else if (!ok) this.opts.logger?.debug({ url }, 'node failed a health probe');
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
  }
}
