// The scenario's faults in the simulator: kill/restart, partition/heal and hash-share
// changes. Each changes who is up, who is linked or who mines; the views then rebuild the
// topology from every node's tip just before the fault.
import { RANK_FAULT, type EventQueue } from './events.js';
import type { MinerTable } from './miners.js';
import type { Fault } from './scenario.js';
import type { NodeViews } from './views.js';

export interface FaultRecord {
  time: number;
  height: number;
  description: string;
}

/** What the faults read of the running simulation, and the topology rebuild they trigger. */
export interface FaultHost {
  now(): number;
  /** The highest published block's height. */
  publicHeight(): number;
  stopped(): boolean;
  /** Rebuilds the topology from the tips taken just before the fault. */
  rebuildTopology(snapshot: ReturnType<NodeViews['snapshot']>): void;
}

/** The height-triggered faults, lowest height first (the simulator and real mode alike). */
export function heightFaultsInOrder(faults: readonly Fault[]): Fault[] {
  return faults
    .filter((f) => 'height' in f.at)
    .sort((a, b) => (a.at as { height: number }).height - (b.at as { height: number }).height);
}

export class SimFaults {
  readonly log: FaultRecord[] = [];
  private readonly heightFaults: Fault[];
  private readonly pendingRestarts: { height: number; nodes: number[] }[] = [];

  constructor(
    private readonly faults: readonly Fault[],
    private readonly ids: readonly string[],
    private readonly views: NodeViews,
    private readonly miners: MinerTable,
    private readonly events: EventQueue,
    private readonly host: FaultHost,
  ) {
    this.heightFaults = heightFaultsInOrder(faults);
  }

  /** Puts the time-triggered faults in the event queue. */
  scheduleTimed(): void {
    for (const f of this.faults)
      if ('seconds' in f.at)
        this.events.push({ kind: 'fault', fault: f, time: f.at.seconds, rank: RANK_FAULT });
  }

  /** The height-triggered faults and restarts due at the current public height. */
  applyDue(): void {
    const height = this.host.publicHeight();
    while (
      this.heightFaults.length > 0 &&
      (this.heightFaults[0]!.at as { height: number }).height <= height
    ) {
      this.apply(this.heightFaults.shift()!);
    }
    for (let i = 0; i < this.pendingRestarts.length;) {
      const r = this.pendingRestarts[i]!;
      if (r.height <= height) {
        this.pendingRestarts.splice(i, 1);
        this.restart(r.nodes);
      } else i++;
    }
  }

  apply(f: Fault): void {
    if (this.host.stopped()) return;
    const { online, partitionOf } = this.views;
    switch (f.kind) {
      case 'kill': {
        const nodes = f.nodes.map((id) => this.index(id)).filter((j) => online[j]);
        if (nodes.length === 0) return;
        this.record(`kill ${nodes.map((j) => this.ids[j]).join(', ')}`);
        const snapshot = this.views.snapshot(this.host.now());
        for (const j of nodes) online[j] = 0;
        this.host.rebuildTopology(snapshot);
        this.miners.rebuild(online);
        if (f.restartAfter) {
          if ('seconds' in f.restartAfter)
            this.events.push({
              kind: 'restart',
              nodes,
              time: this.host.now() + f.restartAfter.seconds,
              rank: RANK_FAULT,
            });
          else
            this.pendingRestarts.push({
              height: this.host.publicHeight() + f.restartAfter.blocks,
              nodes,
            });
        }
        return;
      }
      case 'partition': {
        this.record(`partition ${f.groups.map((g) => `[${g.join(', ')}]`).join(' ')}`);
        const snapshot = this.views.snapshot(this.host.now());
        partitionOf.fill(f.groups.length);
        f.groups.forEach((members, k) => {
          for (const id of members) partitionOf[this.index(id)] = k;
        });
        this.host.rebuildTopology(snapshot);
        return;
      }
      case 'heal': {
        this.record('heal');
        const snapshot = this.views.snapshot(this.host.now());
        partitionOf.fill(0);
        this.host.rebuildTopology(snapshot);
        return;
      }
      case 'hashShare': {
        this.record(
          `hash share ${Object.entries(f.shares)
            .map(([id, s]) => `${id}=${s}`)
            .join(', ')}`,
        );
        for (const [id, s] of Object.entries(f.shares)) this.miners.share[this.index(id)] = s;
        this.miners.rebuild(online);
        return;
      }
    }
  }

  restart(nodes: number[]): void {
    if (this.host.stopped()) return;
    const online = this.views.online;
    const down = nodes.filter((j) => !online[j]);
    if (down.length === 0) return;
    this.record(`restart ${down.map((j) => this.ids[j]).join(', ')}`);
    const snapshot = this.views.snapshot(this.host.now());
    for (const j of down) online[j] = 1;
    this.host.rebuildTopology(snapshot);
    this.miners.rebuild(online);
  }

  private index(id: string): number {
    return this.ids.indexOf(id);
  }

  private record(description: string): void {
    this.log.push({ time: this.host.now(), height: this.host.publicHeight(), description });
  }
}
