// The node processes of a real run: their state as the runner tracks it, their command
// lines, and what the runner learns from their JSON logs (who mined which block and when,
// when each node connected each block, what an attacker did).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NetworkModel, Scenario } from '@chainlab/sim';
import type { Service } from './process.js';

export interface NodeState {
  id: string;
  j: number;
  share: number;
  /** The scenario's strategy for this node (honest, selfish, double-spend) and its params. */
  strategy: Scenario['nodes'][number]['strategy'];
  delayMs: number;
  dataDir: string;
  port: number;
  service: Service | null;
  online: boolean;
  everKilled: boolean;
  /** hash → ms epoch the node connected it (first time). */
  connected: Map<string, number>;
  /**
   * Blocks this process acknowledged: it logs 'block connected' only after the block is
   * stored, right before relaying it (and 'mined a block' after storing its own).
   */
  acknowledged: Set<string>;
  hashrates: number[];
}

/**
 * The nodes' states and how their links are delayed: one delay on every link is each
 * node's own --gossip-delay-ms; per-pair delays (network.links, uniform draws) are held by
 * the runner's pair proxies instead (network.ts), `pairDelaysMs[i][j]` ms one way.
 */
export function nodeStates(
  scenario: Scenario,
  network: NetworkModel,
): { states: NodeState[]; pairDelaysMs: number[][] | null } {
  const real = scenario.real;
  const n = scenario.nodes.length;
  const delays: number[][] = [];
  for (let j = 0; j < n; j++) {
    const row: number[] = [];
    for (let k = 0; k < n; k++)
      row.push(j === k ? 0 : real.delayMs !== null ? real.delayMs : network.linkDelay(j, k) * 1000);
    delays.push(row);
  }
  const first = n > 1 ? delays[0]![1]! : 0;
  const uniform = delays.every((row, j) =>
    row.every((d, k) => j === k || Math.abs(d - first) < 1e-9),
  );
  const states = scenario.nodes.map((node, j) => ({
    id: node.id,
    j,
    share: node.hashShare,
    strategy: node.strategy,
    delayMs: uniform ? first : 0,
    dataDir: mkdtempSync(path.join(tmpdir(), `chainlab-exp-${node.id}-`)),
    port: 0,
    service: null,
    online: false,
    everKilled: false,
    connected: new Map(),
    acknowledged: new Set<string>(),
    hashrates: [],
  }));
  return { states, pairDelaysMs: uniform ? null : delays };
}

/** The node's command line: one thread, capped hash rate, its strategy. */
export function nodeArgs(
  s: NodeState,
  ctx: {
    specFile: string;
    trackerUrl: string;
    mempoolUrl: string | null;
    totalHashrate: number;
    pollIntervalMs: number;
  },
): string[] {
  const args = [
    '--port',
    String(s.port),
    '--spec',
    ctx.specFile,
    '--data-dir',
    s.dataDir,
    '--tracker',
    ctx.trackerUrl,
    '--threads',
    '1',
    '--poll-interval',
    String(ctx.pollIntervalMs),
    '--log-level',
    'debug',
    '--no-mine',
  ];
  if (ctx.mempoolUrl) args.push('--mempool', ctx.mempoolUrl);
  if (s.share > 0)
    args.push('--max-hashrate', String(Math.max(1, Math.round(ctx.totalHashrate * s.share))));
  if (s.delayMs > 0) args.push('--gossip-delay-ms', String(Math.round(s.delayMs)));
  const st = s.strategy;
  if (st.type !== 'honest') args.push('--strategy', st.type);
  if (st.type === 'double-spend')
    args.push(
      '--confirmations',
      String(st.confirmations as number),
      '--give-up-behind',
      String(st.giveUpBehind as number),
    );
  return args;
}

/** A selfish release that matched an honest block: a tie the rest of the network resolves. */
export interface SelfishRace {
  /** The pool's block at the tie height. */
  pool: string;
  /** The honest block it matched. */
  honest: string;
}

export interface DoubleSpendAttempt {
  attempt: number;
  j: number;
  /** The first private block (it holds the conflicting tx). */
  hash: string;
  forkHeight: number;
  payment: string;
  conflict: string;
  outcome: 'published' | 'gave up' | null;
  paymentConfirmations: number | null;
}

/** What the runner reads from the nodes' logs. */
export class LogBook {
  /** hash → who mined it and when (ms epoch); private blocks included. */
  readonly mined = new Map<string, { j: number; at: number }>();
  /** Blocks an attacker mined and has not published (yet, or ever: an abandoned branch). */
  readonly withheld = new Set<string>();
  readonly races: SelfishRace[] = [];
  readonly attempts = new Map<string, DoubleSpendAttempt>();

  constructor(private readonly states: NodeState[]) {}

  /**
   * Blocks mined that are public — what `stop.blocks` counts on a real run: an attacker's
   * block counts from its release, a block it never releases never counts.
   */
  get publicMined(): number {
    return this.mined.size - this.withheld.size;
  }

  private withhold(r: Record<string, unknown>): void {
    if (typeof r.hash === 'string') this.withheld.add(r.hash);
  }

  private released(r: Record<string, unknown>): void {
    if (Array.isArray(r.hashes)) for (const h of r.hashes) this.withheld.delete(h as string);
  }

  private minedBy(j: number, r: Record<string, unknown>): void {
    if (typeof r.hash === 'string' && !this.mined.has(r.hash))
      this.mined.set(r.hash, { j, at: typeof r.time === 'number' ? r.time : Date.now() });
  }

  /** The log-record handler for node j. */
  reader(j: number): (r: Record<string, unknown>) => void {
    const s = this.states[j]!;
    return (r) => {
      switch (r.msg) {
        case 'mined a block':
          this.minedBy(j, r);
          if (typeof r.hash === 'string') s.acknowledged.add(r.hash);
          return;
        case 'block connected':
          if (typeof r.hash === 'string' && typeof r.at === 'number') {
            if (!s.connected.has(r.hash)) s.connected.set(r.hash, r.at);
            s.acknowledged.add(r.hash);
          }
          return;
        case 'selfish: withheld a block':
        case 'double-spend: withheld a block':
          this.withhold(r);
          return this.minedBy(j, r);
        case 'selfish: published':
          this.released(r);
          if (r.tie === true && typeof r.race === 'string' && Array.isArray(r.hashes))
            this.races.push({ pool: r.hashes[r.hashes.length - 1] as string, honest: r.race });
          return;
        case 'double-spend: paid':
          this.withhold(r);
          this.minedBy(j, r);
          this.attempts.set(`${j}:${String(r.attempt)}`, {
            attempt: r.attempt as number,
            j,
            hash: r.hash as string,
            forkHeight: r.forkHeight as number,
            payment: r.payment as string,
            conflict: r.conflict as string,
            outcome: null,
            paymentConfirmations: null,
          });
          return;
        case 'double-spend: published':
        case 'double-spend: gave up': {
          const a = this.attempts.get(`${j}:${String(r.attempt)}`);
          if (!a) return;
          a.outcome = r.msg === 'double-spend: published' ? 'published' : 'gave up';
          if (a.outcome === 'published') this.released(r);
          a.paymentConfirmations =
            typeof r.paymentConfirmations === 'number' ? r.paymentConfirmations : null;
          return;
        }
      }
    };
  }
}
