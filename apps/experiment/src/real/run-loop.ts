// The measured part of a real run: every 250 ms the nodes' tips give the network's height
// (which triggers height faults), every 2 s their hash rates are sampled, until the
// scenario's stop condition (height, public blocks mined or seconds) or real.timeoutSeconds.
import type { Scenario } from '@chainlab/sim';
import type { ProgressBar } from '../progress.js';
import type { Cluster } from './cluster.js';
import type { FaultInjector } from './faults.js';
import { getJson, sleep } from './http.js';

export interface RunOutcome {
  stoppedBy: 'stop condition' | 'timeout';
  /** Seconds from the start of mining to the stop. */
  duration: number;
}

export async function runUntilStop(ctx: {
  real: Scenario['real'];
  cluster: Cluster;
  faults: FaultInjector;
  bar: ProgressBar;
  elapsed: () => number;
  warnings: string[];
}): Promise<RunOutcome> {
  const { real, cluster, faults, bar, elapsed } = ctx;
  const stop = real.stop;
  const book = cluster.book;
  let maxHeight = 0;
  let lastSample = 0;
  for (;;) {
    const tips = await Promise.all(cluster.online().map((s) => cluster.tipOf(s).catch(() => null)));
    for (const t of tips) if (t && t.height > maxHeight) maxHeight = t.height;
    faults.reachedHeight(maxHeight);
    if (Date.now() - lastSample > 2000) {
      lastSample = Date.now();
      await sampleHashrates(cluster);
    }
    const fraction = Math.max(
      stop.height ? maxHeight / stop.height : 0,
      stop.blocks ? book.publicMined / stop.blocks : 0,
      stop.seconds ? elapsed() / stop.seconds : 0,
    );
    bar.update(Math.min(1, fraction), `height ${maxHeight}, ${book.publicMined} public blocks`);
    if (fraction >= 1) return { stoppedBy: 'stop condition', duration: elapsed() };
    if (elapsed() > real.timeoutSeconds) {
      ctx.warnings.push(
        `stopped by real.timeoutSeconds (${real.timeoutSeconds} s) before the stop condition`,
      );
      return { stoppedBy: 'timeout', duration: elapsed() };
    }
    await sleep(250);
  }
}

/** Each mining node's current hash rate (GET /status, a 3 s average), kept per node. */
async function sampleHashrates(cluster: Cluster): Promise<void> {
  await Promise.all(
    cluster.online().map(async (s) => {
      const st = await getJson<{ hashrate: number; mining: boolean }>(
        `${s.service!.url}/status`,
      ).catch(() => null);
      if (st?.mining && st.hashrate > 0) s.hashrates.push(st.hashrate);
    }),
  );
}
