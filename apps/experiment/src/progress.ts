// A one-line progress bar on stderr, only when stderr is a terminal (never in logs or CI).

export class ProgressBar {
  private last = 0;
  private readonly enabled: boolean;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    stream: NodeJS.WriteStream = process.stderr,
    private readonly out = stream,
  ) {
    this.enabled = stream.isTTY === true && process.env.CI === undefined;
  }

  /** fraction 0..1 and a short status text; redrawn at most 10 times a second. */
  update(fraction: number, status: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && fraction < 1) return;
    this.last = now;
    const width = 28;
    const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
    const secs = ((now - this.started) / 1000).toFixed(1);
    const line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${status} ${secs}s`;
    const cols = this.out.columns ?? 120;
    this.out.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length))}\x1b[K`);
  }

  done(): void {
    if (this.enabled) this.out.write('\r\x1b[K');
  }
}
