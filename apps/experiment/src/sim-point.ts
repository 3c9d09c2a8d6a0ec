// One simulated sweep point, as plain data: what run.ts writes and analyses. Runs in the
// main thread or in a worker (sim-worker.ts); the result depends only on the scenario, so
// points give the same output whatever thread runs them and in whatever order.
import {
  simRecords,
  simSummary,
  simulate,
  type BlockRecord,
  type Scenario,
  type SimProgress,
  type Summary,
} from '@chainlab/sim';

export interface SimPointInput {
  scenario: Scenario;
  verify?: boolean;
  /** Sweep parameters, added to the summary (null for a single run). */
  params: Record<string, unknown> | null;
}

export interface SimPointOutput {
  records: BlockRecord[];
  summary: Summary;
  mainTip: string;
  interval: number;
  genesisWork: number;
  faults: { time: number; event: string }[];
  runInfo: Record<string, unknown>;
}

export function runSimPoint(
  input: SimPointInput,
  onProgress?: (p: SimProgress) => void,
): SimPointOutput {
  const started = Date.now();
  const result = simulate(input.scenario, { verify: input.verify, onProgress });
  return {
    records: simRecords(result),
    summary: simSummary(result, input.params ? { params: input.params } : {}),
    mainTip: result.mainTip.hash,
    interval: result.spec.targetBlockTimeSeconds,
    genesisWork: result.blocks[0]!.work,
    faults: result.faults.map((f) => ({ time: f.time, event: f.description })),
    runInfo: {
      mode: 'sim',
      wallSeconds: (Date.now() - started) / 1000,
      stats: result.stats,
      verify: input.verify ?? input.scenario.sim.verify,
    },
  };
}
