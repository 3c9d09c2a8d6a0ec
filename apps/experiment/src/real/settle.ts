// The end of a real run, before anything is measured: the nodes drain their queued data
// into blocks, stop mining and converge on one tip, so the checks (one tip, most work, no
// acknowledged item lost) speak of a network at rest, not of a race still running.
import type { ProgressBar } from '../progress.js';
import type { Cluster } from './cluster.js';
import { getJson, postJson, sleep } from './http.js';

/** Drains, stops mining and waits for one tip; true when every online node is on it. */
export async function settle(ctx: {
  cluster: Cluster;
  drainSeconds: number;
  partitioned: boolean;
  bar: ProgressBar;
  warnings: string[];
}): Promise<boolean> {
  const { cluster, partitioned } = ctx;
  ctx.bar.update(1, 'draining');
  await drain(cluster, ctx.drainSeconds);
  for (const s of cluster.online())
    await postJson(`${s.service!.url}/dev/mining`, { on: false }).catch(() => undefined);
  // A run that ends partitioned cannot converge: don't wait long for it.
  if (partitioned)
    ctx.warnings.push(
      'the run ended with the network partitioned (no heal before the stop condition)',
    );
  const converge = () => waitForOneTip(cluster, partitioned ? 3_000 : 30_000);
  let converged = await converge();
  // An attack can end on an open tie (a selfish pool's block and an honest one at one
  // height, each side keeping the first it saw): one more honest block settles it, as the
  // next block would on a live network. At most three rounds, one honest node each.
  const honestMiners = () =>
    cluster.online().filter((s) => s.strategy.type === 'honest' && s.share > 0);
  for (let round = 0; !converged && !partitioned && round < 3; round++) {
    const h = honestMiners()[round % Math.max(1, honestMiners().length)];
    if (!h) break;
    await postJson(`${h.service!.url}/dev/mine`, { blocks: 1 }, 60_000).catch(() => undefined);
    converged = await converge();
  }
  // A block carrying queued data can lose a last race: its items go back to their node's
  // queue, which no longer mines. Such a node mines one block on request, and the network
  // converges again (one node per round, a few rounds at most), so acknowledged data is not counted lost.
  for (let round = 0; converged && !partitioned && round < 6; round++) {
    const holding = [];
    for (const s of cluster.online()) {
      const st = await getJson<{ pending: number }>(`${s.service!.url}/status`).catch(() => null);
      if (st && st.pending > 0) holding.push(s);
    }
    if (holding.length === 0) break;
    // One node per round: two mining at once could fork again with equal work.
    await postJson(`${holding[0]!.service!.url}/dev/mine`, { blocks: 1 }).catch(() => undefined);
    converged = await converge();
  }
  return converged;
}

/** Keeps mining a little so queued data gets into blocks (20 s at most for the queues to empty). */
async function drain(cluster: Cluster, drainSeconds: number): Promise<void> {
  await sleep(drainSeconds * 1000);
  const pendingDeadline = Date.now() + 20_000;
  while (Date.now() < pendingDeadline) {
    const pending = await Promise.all(
      cluster
        .online()
        .filter((s) => s.share > 0)
        .map((s) =>
          getJson<{ pending: number }>(`${s.service!.url}/status`)
            .then((x) => x.pending)
            .catch(() => 0),
        ),
    );
    if (pending.every((p) => p === 0)) break;
    await sleep(250);
  }
}

async function waitForOneTip(cluster: Cluster, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const tips = await Promise.all(cluster.online().map((s) => cluster.tipOf(s)));
    if (tips.every((t) => t.hash === tips[0]!.hash)) return true;
    await sleep(250);
  }
  return false;
}
