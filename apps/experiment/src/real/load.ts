// The scenario's load on a level-1 chain: data items at load.txPerSecond, sent round-robin
// to the online mining nodes (POST /data). Each 202 is remembered: an acknowledged item
// must end up on the main chain unless its node crashed (checked in report.ts).
import type { Scenario } from '@chainlab/sim';
import type { Cluster } from './cluster.js';
import { postJson } from './http.js';

export interface AckedItem {
  item: string;
  /** The node that acknowledged it. */
  j: number;
  at: number;
}

export class DataLoad {
  readonly acked: AckedItem[] = [];
  private timer: NodeJS.Timeout | null = null;
  private seq = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly load: Scenario['load'],
  ) {}

  /** Sends items every 100 ms, as many as are owed by then. */
  start(): void {
    const tick = 100;
    let owed = 0;
    this.timer = setInterval(() => {
      owed += (this.load.txPerSecond * tick) / 1000;
      const targets = this.cluster.online().filter((s) => s.share > 0);
      while (owed >= 1 && targets.length > 0) {
        owed -= 1;
        const s = targets[this.seq % targets.length]!;
        const head = `tx-${this.seq++}-${s.id}-`;
        const item = head + 'x'.repeat(Math.max(0, this.load.txBytes - head.length));
        postJson(`${s.service!.url}/data`, { data: item })
          .then((status) => {
            if (status === 202) this.acked.push({ item, j: s.j, at: Date.now() });
          })
          .catch(() => undefined);
      }
    }, tick);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
