// The processes of one real run: a tracker, the runner's network control in front of it
// (per-node tracker views and pair proxies, network.ts), a mempool for a level-2 run, and
// one node per scenario node. Starting, querying and stopping them lives here so the
// runner, the faults and the measurements share one picture of who is up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NetworkModel, Scenario } from '@chainlab/sim';
import { REPO_ROOT } from '../paths.js';
import { getJson, postJson, sleep } from './http.js';
import { NetworkControl } from './network.js';
import { LogBook, nodeArgs, nodeStates, type NodeState } from './nodes.js';
import { appScript, startService, type Service } from './process.js';

/** A block as GET /tree lists it. */
export interface TreeBlock {
  hash: string;
  height: number;
  prevHash: string;
  time: number;
  bits: number;
  chainwork: string;
}

export interface Tip {
  height: number;
  hash: string;
  chainwork: string;
}

export class Cluster {
  readonly states: NodeState[];
  readonly book: LogBook;
  private readonly pairDelaysMs: number[][] | null;
  private readonly nodeScript: string;
  private readonly trackerScript: string;
  private tracker: Service | null = null;
  // A double-spend run is a level-2 chain: the payment goes to a real mempool, as a user's would.
  private mempool: Service | null = null;
  private readonly mempoolDir: string | null;
  private control: NetworkControl | null = null;
  /** Set once the run mines: a node (re)started from then on starts mining at once. */
  private miningPhase = false;

  constructor(
    private readonly scenario: Scenario,
    network: NetworkModel,
    private readonly ctx: {
      specFile: string;
      /** The chain takes transfers (level 2): start a mempool. */
      transfers: boolean;
      echo?: (line: string) => void;
    },
  ) {
    // The scripts first: a missing build fails before any data dir is made.
    this.nodeScript = appScript(REPO_ROOT, 'node');
    this.trackerScript = appScript(REPO_ROOT, 'tracker');
    const { states, pairDelaysMs } = nodeStates(scenario, network);
    this.states = states;
    this.pairDelaysMs = pairDelaysMs;
    this.book = new LogBook(states);
    this.mempoolDir = ctx.transfers
      ? mkdtempSync(path.join(tmpdir(), 'chainlab-exp-mempool-'))
      : null;
  }

  /** The real tracker's URL (once started): what an explorer follows to watch the run. */
  get trackerUrl(): string {
    return this.tracker!.url;
  }

  /** The mempool's URL on a level-2 run, else null. */
  get mempoolUrl(): string | null {
    return this.mempool?.url ?? null;
  }

  /** The network control: partitions and heals go through it. */
  get network(): NetworkControl {
    return this.control!;
  }

  online(): NodeState[] {
    return this.states.filter((s) => s.online);
  }

  /** The tracker, the network control and (level 2) the mempool: what the nodes connect to. */
  async startServices(): Promise<void> {
    const echo = this.ctx.echo;
    this.tracker = await startService(
      'tracker',
      this.trackerScript,
      ['--port', '0', '--ttl', '5'],
      { echo },
    );
    this.control = new NetworkControl(
      this.tracker.url,
      this.scenario.nodes.length,
      this.pairDelaysMs,
    );
    await this.control.start();
    if (this.mempoolDir)
      this.mempool = await startService(
        'mempool',
        appScript(REPO_ROOT, 'mempool'),
        [
          '--port',
          '0',
          '--spec',
          this.ctx.specFile,
          '--tracker',
          this.tracker.url,
          '--data-dir',
          this.mempoolDir,
        ],
        { echo },
      );
  }

  /** Starts (or restarts: same port, same data dir) node `s`. */
  async startNode(s: NodeState): Promise<void> {
    const real = this.scenario.real;
    const args = nodeArgs(s, {
      specFile: this.ctx.specFile,
      trackerUrl: this.control!.viewUrls[s.j]!,
      mempoolUrl: this.mempool?.url ?? null,
      totalHashrate: real.totalHashrate,
      pollIntervalMs: real.pollIntervalMs,
    });
    const svc = await startService(s.id, this.nodeScript, args, {
      onRecord: this.book.reader(s.j),
      echo: this.ctx.echo,
    });
    s.service = svc;
    s.port = svc.port;
    s.online = true;
    this.control!.setNode(s.j, svc.url);
    if (this.miningPhase && s.share > 0) await postJson(`${svc.url}/dev/mining`, { on: true });
  }

  /** Every node, then a wait (30 s at most) until each has a peer: nobody mines alone. */
  async startNodes(): Promise<void> {
    for (const s of this.states) await this.startNode(s);
    const want = Math.min(1, this.states.length - 1);
    const meshDeadline = Date.now() + 30_000;
    while (Date.now() < meshDeadline) {
      const peers = await Promise.all(
        this.states.map((s) =>
          getJson<{ peers: string[] }>(`${s.service!.url}/status`)
            .then((x) => x.peers.length)
            .catch(() => 0),
        ),
      );
      if (peers.every((p) => p >= want)) break;
      await sleep(250);
    }
  }

  /** Mining on for every node with a hash share; nodes started later mine at once too. */
  async startMining(): Promise<void> {
    this.miningPhase = true;
    for (const s of this.states)
      if (s.share > 0) await postJson(`${s.service!.url}/dev/mining`, { on: true });
  }

  tipOf(s: NodeState): Promise<Tip> {
    return getJson<Tip>(`${s.service!.url}/tip`);
  }

  async treeOf(s: NodeState): Promise<TreeBlock[]> {
    return (await getJson<{ blocks: TreeBlock[] }>(`${s.service!.url}/tree?fromHeight=0`, 30_000))
      .blocks;
  }

  /** Ctrl-C: SIGTERM to every process at once and the data dirs removed, without waiting. */
  abort(): void {
    for (const s of this.states) if (s.online) s.service!.proc.kill('SIGTERM');
    this.tracker?.proc.kill('SIGTERM');
    this.mempool?.proc.kill('SIGTERM');
    void this.control?.close();
    for (const s of this.states) rmSync(s.dataDir, { recursive: true, force: true });
  }

  /** Stops every process (SIGTERM, then SIGKILL) and removes the data dirs. */
  async stop(): Promise<void> {
    await Promise.all(this.states.map((s) => (s.online ? s.service!.stop() : Promise.resolve())));
    await this.mempool?.stop();
    await this.tracker?.stop();
    await this.control?.close();
    for (const s of this.states) rmSync(s.dataDir, { recursive: true, force: true });
    if (this.mempoolDir) rmSync(this.mempoolDir, { recursive: true, force: true });
  }
}
