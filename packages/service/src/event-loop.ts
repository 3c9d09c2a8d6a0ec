// How late the event loop runs timers: what every request to a service waits on top of
// its own work. perf_hooks samples the loop's delay into a histogram; it is read in
// windows (GET /status `eventLoop`), so a stall shows up for a while and then leaves.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface EventLoopWindow {
  /** Length of the window the figures describe, in seconds. */
  windowSeconds: number;
  /** Delay percentiles and maximum in that window, in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const RESOLUTION_MS = 10;
/** The histogram holds each sample's whole interval: the delay is what exceeds it. */
const ms = (v: number) => Math.max(0, Math.round((v / 1e6 - RESOLUTION_MS) * 100) / 100);

/**
 * Samples every 10 ms; `window()` reports the last complete window of `windowMs` (the
 * current one until the first has ended).
 */
export class EventLoopMonitor {
  private readonly histogram: IntervalHistogram;
  private last: EventLoopWindow | null = null;
  private started = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly windowMs = 5_000) {
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
    this.timer = setInterval(() => this.rotate(), windowMs);
    this.timer.unref();
  }

  window(): EventLoopWindow {
    return this.last ?? this.snapshot();
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }

  private snapshot(): EventLoopWindow {
    const h = this.histogram;
    const empty = h.count === 0;
    return {
      windowSeconds: Math.round((Date.now() - this.started) / 100) / 10,
      p50Ms: empty ? 0 : ms(h.percentile(50)),
      p99Ms: empty ? 0 : ms(h.percentile(99)),
      maxMs: empty ? 0 : ms(h.max),
    };
  }

  private rotate(): void {
    this.last = this.snapshot();
    this.histogram.reset();
    this.started = Date.now();
  }
}
