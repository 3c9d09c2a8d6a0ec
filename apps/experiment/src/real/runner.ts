// --real: the scenario on real processes — one tracker and one node per scenario node,
// built JS from apps/*/dist, on this machine.
//
// - Hash shares: every node mines with one thread, capped at totalHashrate × share H/s
//   (the node's hidden --max-hashrate flag); the genesis difficulty is totalHashrate ×
//   block interval hashes, so the network starts at the target interval.
// - Link delays: each node holds the blocks it sends by its link delay (hidden
//   --gossip-delay-ms). Real mode has one delay per sending node: for per-pair delays it
//   uses the mean of the node's links (and says so).
// - Faults: kill -9 and restart (same port, same data dir), partition and heal (the
//   runner's per-node tracker views and pair proxies, network.ts), hash-share changes
//   (mining off, or a restart with a new cap).
// - Measurements come from the nodes themselves: their JSON logs ('mined a block',
//   'block connected' with its time) and their block trees (GET /tree).
// - Checks at the end: all nodes on one tip, that tip has the most work of any block any
//   node knows, no block a node had stored was missing after its restart, and every data
//   item a node acknowledged (202) and never lost in a crash is on the main chain.
//
// The parts, in the order runReal uses them: cluster.ts (the processes), faults.ts,
// load.ts, run-loop.ts (to the stop condition), settle.ts (drain, converge), collect.ts
// (the block trees read back), report.ts (checks, figures, the summary).
import type { ChainSpec } from '@chainlab/core';
import { NetworkModel, type BlockRecord, type Scenario, type Summary } from '@chainlab/sim';
import type { ProgressBar } from '../progress.js';
import { Cluster } from './cluster.js';
import { collectChain } from './collect.js';
import { FaultInjector } from './faults.js';
import { DataLoad } from './load.js';
import { report } from './report.js';
import { runUntilStop } from './run-loop.js';
import { settle } from './settle.js';
import { realChain } from './spec.js';

export interface RealOptions {
  outDir: string;
  bar: ProgressBar;
  log: (line: string) => void;
  echo: boolean;
  params?: Record<string, unknown>;
}

export interface RealResult {
  records: BlockRecord[];
  summary: Summary;
  mainTip: string;
  spec: ChainSpec;
  genesisWork: number;
  faults: { time: number; event: string }[];
  info: Record<string, unknown>;
}

/** Start the processes → mine until the stop condition (faults, load) → settle → measure → report. */
export async function runReal(scenario: Scenario, opts: RealOptions): Promise<RealResult> {
  const { spec, specFile, genesisWork, transfers } = realChain(scenario, opts.outDir);
  const warnings = simulatorOnlyWarnings(scenario, transfers);
  const echo = opts.echo ? (line: string) => process.stderr.write(line + '\n') : undefined;
  const network = new NetworkModel(scenario, scenario.seed);
  const cluster = new Cluster(scenario, network, { specFile, transfers, echo });
  let t0 = Date.now();
  const elapsed = () => (Date.now() - t0) / 1000;
  const faults = new FaultInjector(cluster, scenario.faults, elapsed, opts.log);
  const load = new DataLoad(cluster, scenario.load);

  // Ctrl-C (or SIGTERM) during a real run: stop the processes we started, then exit.
  const onSignal = (signal: NodeJS.Signals) => {
    opts.log(`\n${signal}: stopping the tracker and nodes`);
    cluster.abort();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await cluster.startServices();
    // The explorer can follow the run live through the tracker (docs/experiments.md).
    opts.log(
      `  watch it live: pnpm start:explorer -- --port 7000 --tracker ${cluster.trackerUrl} --spec ${specFile}` +
        (cluster.mempoolUrl ? ` --mempool ${cluster.mempoolUrl}` : ''),
    );
    opts.bar.update(0, 'starting nodes');
    await cluster.startNodes();
    t0 = Date.now();
    await cluster.startMining();
    faults.scheduleTimed();
    if (scenario.load.txPerSecond > 0 && !transfers) load.start();

    const { stoppedBy, duration } = await runUntilStop({
      real: scenario.real,
      cluster,
      faults,
      bar: opts.bar,
      elapsed,
      warnings,
    });
    load.stop();
    await faults.finish();

    const converged = await settle({
      cluster,
      drainSeconds: scenario.real.drainSeconds,
      partitioned: faults.partitioned,
      bar: opts.bar,
      warnings,
    });
    const chain = await collectChain(cluster, spec, t0);
    return await report({
      scenario,
      spec,
      genesisWork,
      cluster,
      faults,
      acked: load.acked,
      chain,
      converged,
      duration,
      stoppedBy,
      warnings,
      params: opts.params,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    load.stop();
    faults.clearTimers();
    await cluster.stop();
  }
}

/** What a scenario asks for that real processes cannot do: said in the summary, not refused. */
function simulatorOnlyWarnings(scenario: Scenario, transfers: boolean): string[] {
  const warnings: string[] = [];
  if (scenario.network.topology.kind !== 'mesh')
    warnings.push(
      'real mode: nodes find each other through the tracker (a full mesh); the random topology is simulator-only',
    );
  if (scenario.network.bandwidthBytesPerSecond)
    warnings.push('real mode: network.bandwidthBytesPerSecond is simulator-only');
  if (transfers && scenario.load.txPerSecond > 0)
    warnings.push(
      'real mode: load (data items) needs a level-1 chain; a double-spend run has none',
    );
  return warnings;
}
