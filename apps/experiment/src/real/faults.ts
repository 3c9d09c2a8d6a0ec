// The scenario's faults on real processes, one at a time and in order: kill -9 and restart
// (same port, same data dir, and a check that nothing the node had stored is missing),
// partition and heal (the runner's per-node tracker views and pair proxies, network.ts),
// hash-share changes (mining off, or a restart with a new cap).
import { heightFaultsInOrder, type Fault } from '@chainlab/sim';
import type { Cluster } from './cluster.js';
import { postJson } from './http.js';
import type { NodeState } from './nodes.js';

/** Per killed node, the blocks it had acknowledged before the crash. */
type Snapshots = Map<string, string[]>;

export interface FaultChecks {
  /** Blocks a node had acknowledged before a crash and no longer had after its restart. */
  lostBlocks: number;
  restartsChecked: number;
  /** Faults that failed (a process that would not stop or start, a request that failed). */
  errors: string[];
}

export class FaultInjector {
  /** What happened when (seconds since mining started), for the summary. */
  readonly log: { time: number; event: string }[] = [];
  /** ms epoch of every fault: propagation delays across one are not counted. */
  readonly times: number[] = [];
  readonly checks: FaultChecks = { lostBlocks: 0, restartsChecked: 0, errors: [] };
  partitioned = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly timedRestarts: { done: boolean; nodes: NodeState[]; snapshots: Snapshots }[] =
    [];
  private readonly pendingRestarts: { height: number; nodes: NodeState[]; snapshots: Snapshots }[] =
    [];
  private readonly heightFaults: Fault[];
  private readonly byId: Map<string, NodeState>;
  private maxHeight = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly faults: readonly Fault[],
    private readonly elapsed: () => number,
    private readonly say: (line: string) => void,
  ) {
    this.byId = new Map(cluster.states.map((s) => [s.id, s]));
    this.heightFaults = heightFaultsInOrder(faults);
  }

  /** Schedules the time-triggered faults, counted from now (mining starts). */
  scheduleTimed(): void {
    for (const f of this.faults)
      if ('seconds' in f.at)
        this.timers.push(setTimeout(() => this.enqueue(() => this.apply(f)), f.at.seconds * 1000));
  }

  /** The network reached `maxHeight`: the height-triggered faults and restarts now due. */
  reachedHeight(maxHeight: number): void {
    this.maxHeight = maxHeight;
    while (
      this.heightFaults.length > 0 &&
      (this.heightFaults[0]!.at as { height: number }).height <= maxHeight
    ) {
      const f = this.heightFaults.shift()!;
      this.enqueue(() => this.apply(f));
    }
    for (let i = 0; i < this.pendingRestarts.length;) {
      const r = this.pendingRestarts[i]!;
      if (r.height <= maxHeight) {
        this.pendingRestarts.splice(i, 1);
        this.enqueue(() => this.restart(r.nodes, r.snapshots));
      } else i++;
    }
  }

  /** The run stopped: no new faults; waits for the running one, carries out restarts still due. */
  async finish(): Promise<void> {
    this.clearTimers();
    await this.chain;
    // Restarts still due are carried out, so every crash is checked.
    for (const r of this.pendingRestarts.splice(0)) await this.restart(r.nodes, r.snapshots);
    for (const r of this.timedRestarts) {
      if (r.done) continue;
      r.done = true;
      await this.restart(r.nodes, r.snapshots);
    }
  }

  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
  }

  private enqueue(fn: () => Promise<void>): void {
    this.chain = this.chain.then(fn).catch((e: Error) => {
      this.checks.errors.push(e.message);
    });
  }

  private record(event: string): void {
    this.log.push({ time: this.elapsed(), event });
    this.times.push(Date.now());
    this.say(`  t=${this.elapsed().toFixed(1)}s ${event}`);
  }

  private async restart(nodes: NodeState[], snapshots: Snapshots): Promise<void> {
    const down = nodes.filter((s) => !s.online);
    if (down.length === 0) return;
    for (const s of down) await this.cluster.startNode(s);
    this.record(`restart ${down.map((s) => s.id).join(', ')}`);
    // Nothing it had stored may be missing after the crash.
    for (const s of down) {
      for (const hash of snapshots.get(s.id) ?? []) {
        const res = await fetch(`${s.service!.url}/block/hash/${hash}`, {
          signal: AbortSignal.timeout(5000),
        });
        await res.text();
        if (res.status !== 200) this.checks.lostBlocks++;
      }
      this.checks.restartsChecked++;
    }
  }

  private async apply(f: Fault): Promise<void> {
    switch (f.kind) {
      case 'kill':
        return this.kill(f);
      case 'partition': {
        const groups = this.cluster.states.map(() => f.groups.length);
        f.groups.forEach((g, k) => g.forEach((id) => (groups[this.byId.get(id)!.j] = k)));
        this.cluster.network.setGroups(groups);
        this.partitioned = true;
        this.record(`partition ${f.groups.map((g) => `[${g.join(', ')}]`).join(' ')}`);
        return;
      }
      case 'heal':
        this.cluster.network.setGroups(this.cluster.states.map(() => 0));
        this.partitioned = false;
        this.record('heal');
        return;
      case 'hashShare': {
        for (const [id, share] of Object.entries(f.shares)) {
          const s = this.byId.get(id)!;
          s.share = share;
          if (!s.online) continue;
          if (share === 0) await postJson(`${s.service!.url}/dev/mining`, { on: false });
          else {
            await s.service!.stop();
            s.online = false;
            await this.cluster.startNode(s); // a new --max-hashrate
          }
        }
        this.record(
          `hash share ${Object.entries(f.shares)
            .map(([id, v]) => `${id}=${v}`)
            .join(', ')}`,
        );
        return;
      }
    }
  }

  private async kill(f: Extract<Fault, { kind: 'kill' }>): Promise<void> {
    const nodes = f.nodes.map((id) => this.byId.get(id)!).filter((s) => s.online);
    const snapshots: Snapshots = new Map();
    for (const s of nodes) {
      await s.service!.kill9();
      // Read after the process is dead: everything it acknowledged before the crash.
      snapshots.set(s.id, [...s.acknowledged]);
      s.online = false;
      s.everKilled = true;
    }
    this.record(`kill -9 ${nodes.map((s) => s.id).join(', ')}`);
    if (!f.restartAfter) return;
    if ('seconds' in f.restartAfter) {
      // Remembered beside its timer: a run that stops first still restarts the node.
      const entry = { done: false, nodes, snapshots };
      this.timedRestarts.push(entry);
      this.timers.push(
        setTimeout(() => {
          entry.done = true;
          this.enqueue(() => this.restart(nodes, snapshots));
        }, f.restartAfter.seconds * 1000),
      );
    } else
      this.pendingRestarts.push({
        height: this.maxHeight + f.restartAfter.blocks,
        nodes,
        snapshots,
      });
  }
}
