// One `pnpm experiment -- run`: load the scenario, apply --set/--seed, expand the sweep,
// run every point (simulator or real processes), write each point's outputs, then the
// sweep-level comparison with the published closed forms.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  ScenarioError,
  applyRealScenario,
  applySets,
  expandSweep,
  parseScenario,
  strategyDef,
  type BlockRecord,
  type Scenario,
  type Summary,
} from '@chainlab/sim';
import { analyse, type Analysis, type RunOutcome } from './analysis.js';
import { realAttackAnalysis } from './real-attack-analysis.js';
import { diskUsage, formatBytes, wantsBlocksCsv, writeBlocksCsv } from './outputs.js';
import { defaultWorkers, runSimPoints } from './parallel.js';
import { runPlots } from './plots.js';
import { runSimPoint, type SimPointOutput } from './sim-point.js';
import { ProgressBar } from './progress.js';
import { EXPERIMENTS_DIR, REPO_ROOT } from './paths.js';
import { runReal } from './real/runner.js';

export { REPO_ROOT, EXPERIMENTS_DIR };

/** A usage or scenario problem: exit code 2, message for the user as is. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface RunOptions {
  scenario: string;
  mode: 'sim' | 'real';
  seed?: number;
  out?: string;
  /** --set key=value pairs, values already parsed. */
  sets?: [string, unknown][];
  /** Simulator: every node owns a core Chain and the fast views are checked against it. */
  verify?: boolean;
  /** Print progress and results (default true). */
  log?: (line: string) => void;
  /** Real mode: echo the processes' output. */
  echo?: boolean;
  /** Per-block CSV: true for every sweep point, false never, default a single run only. */
  blocksCsv?: boolean;
  /** Simulator sweeps: worker threads (default: one per core, at most one per point). */
  workers?: number;
}

export interface PointResult {
  label: string;
  params: Record<string, unknown>;
  outDir: string;
  summary: Summary;
}

export interface ExperimentResult {
  outDir: string;
  points: PointResult[];
  analysis: Analysis | null;
}

/** A built-in name (experiments/<name>.yaml) or a file path → its path. */
export function resolveScenarioFile(ref: string): string {
  if (existsSync(ref) && !ref.endsWith('/')) return path.resolve(ref);
  for (const ext of ['.yaml', '.yml', '.json']) {
    const p = path.join(EXPERIMENTS_DIR, ref + ext);
    if (existsSync(p)) return p;
  }
  throw new UsageError(
    `no scenario file ${JSON.stringify(ref)} (and no built-in experiments/${ref}.yaml); see pnpm experiment -- list`,
  );
}

export function readScenarioFile(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new UsageError(
      `${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`,
    );
  }
}

/** The value of --set key=value: YAML, so 0.3, true, [1, 2] and {rule: lwma} work; else a string. */
export function parseSetValue(raw: string): unknown {
  try {
    return parseYaml(raw);
  } catch {
    return raw;
  }
}

function timestamp(): string {
  return new Date().toISOString().replace(/\..*$/, '').replace(/:/g, '-');
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

interface Prepared {
  file: string;
  name: string;
  points: {
    label: string;
    params: Record<string, unknown>;
    raw: Record<string, unknown>;
    scenario: Scenario;
  }[];
}

/** Loads and validates everything before anything runs. */
export function prepare(opts: Pick<RunOptions, 'scenario' | 'seed' | 'sets' | 'mode'>): Prepared {
  const file = resolveScenarioFile(opts.scenario);
  let raw = readScenarioFile(file);
  try {
    // real.scenario first, so that --set stop.height=… applies to the real run; and again
    // after, for a --set of real.scenario itself.
    if (opts.mode === 'real') raw = applyRealScenario(raw);
    raw = applySets(raw, opts.sets ?? []);
    if (opts.mode === 'real') raw = applyRealScenario(raw);
    if (opts.seed !== undefined) raw = applySets(raw, [['seed', opts.seed]]);
    const points = expandSweep(raw).map((p) => {
      const scenario = parseScenario(p.raw);
      if (opts.mode === 'real') {
        for (const n of scenario.nodes) {
          if (!strategyDef(n.strategy.type).real) {
            throw new ScenarioError(
              `nodes.${n.group}.strategy`,
              `strategy ${n.strategy.type} runs only in the simulator (--sim): real nodes mine honestly`,
            );
          }
        }
      }
      return { ...p, scenario };
    });
    return { file, name: points[0]!.scenario.name, points };
  } catch (e) {
    if (e instanceof ScenarioError)
      throw new UsageError(`${path.relative(process.cwd(), file) || file}: ${e.message}`);
    throw e;
  }
}

export async function runExperiment(opts: RunOptions): Promise<ExperimentResult> {
  const log = opts.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const prepared = prepare(opts);
  const outDir = path.resolve(
    opts.out ?? path.join(EXPERIMENTS_DIR, 'out', `${prepared.name}-${opts.mode}-${timestamp()}`),
  );
  mkdirSync(outDir, { recursive: true });
  const sweep = prepared.points.length > 1;
  log(
    `${prepared.name}: ${prepared.points.length} run${sweep ? 's' : ''} (${opts.mode}), output in ${outDir}`,
  );

  const points: PointResult[] = [];
  const outcomes: RunOutcome[] = [];
  // A simulated sweep runs its points on worker threads first, then writes them in order.
  let parallel: SimPointOutput[] | null = null;
  let parallelInfo: Record<string, unknown> | null = null;
  if (opts.mode === 'sim' && sweep) {
    const workers = opts.workers ?? defaultWorkers(prepared.points.length);
    const started = Date.now();
    let done = 0;
    const bar = new ProgressBar(
      `${prepared.points.length} points on ${workers} worker${workers > 1 ? 's' : ''}`,
    );
    parallel = await runSimPoints(
      prepared.points.map((p) => ({ scenario: p.scenario, verify: opts.verify, params: p.params })),
      workers,
      () => bar.update(++done / prepared.points.length, `${done} done`),
    );
    bar.done();
    const wallSeconds = (Date.now() - started) / 1000;
    const pointSeconds = parallel.reduce((a, o) => a + (o.runInfo.wallSeconds as number), 0);
    parallelInfo = {
      workers,
      wallSeconds,
      pointSecondsTotal: Number(pointSeconds.toFixed(3)),
      speedUp: Number((pointSeconds / Math.max(wallSeconds, 1e-3)).toFixed(2)),
    };
    log(
      `${prepared.points.length} points on ${workers} worker threads: ${wallSeconds.toFixed(1)} s ` +
        `(the points took ${pointSeconds.toFixed(1)} s in all: speed-up ${parallelInfo.speedUp as number}×)`,
    );
  }
  for (const [i, p] of prepared.points.entries()) {
    const dir = sweep ? path.join(outDir, `${String(i + 1).padStart(2, '0')}-${p.label}`) : outDir;
    mkdirSync(dir, { recursive: true });
    const label = sweep ? `[${i + 1}/${prepared.points.length}] ${p.label}` : prepared.name;
    const bar = new ProgressBar(label);
    const started = Date.now();
    let records: BlockRecord[];
    let summary: Summary;
    let mainTip: string;
    let interval: number;
    let genesisWork: number;
    let runInfo: Record<string, unknown>;
    let faults: { time: number; event: string }[];
    if (opts.mode === 'sim') {
      const out =
        parallel?.[i] ??
        runSimPoint(
          { scenario: p.scenario, verify: opts.verify, params: sweep ? p.params : null },
          (pr) => bar.update(pr.fraction, `${pr.blocks} blocks, height ${pr.height}`),
        );
      ({ records, summary, mainTip, interval, genesisWork, faults, runInfo } = out);
    } else {
      const result = await runReal(p.scenario, {
        outDir: dir,
        bar,
        log,
        echo: opts.echo ?? false,
        params: sweep ? p.params : undefined,
      });
      records = result.records;
      summary = result.summary;
      mainTip = result.mainTip;
      interval = result.spec.targetBlockTimeSeconds;
      genesisWork = result.genesisWork;
      faults = result.faults;
      runInfo = { mode: 'real', wallSeconds: (Date.now() - started) / 1000, ...result.info };
    }
    bar.done();
    writeJson(path.join(dir, 'summary.json'), summary);
    if (wantsBlocksCsv(opts.blocksCsv, sweep, records.length))
      await writeBlocksCsv(dir, records, mainTip, genesisWork);
    writeJson(path.join(dir, 'scenario.json'), p.raw);
    writeJson(path.join(dir, 'run.json'), {
      scenarioFile: prepared.file,
      params: p.params,
      ...runInfo,
    });
    const plots = runPlots({
      records,
      mainTip,
      summary,
      interval,
      genesisWork,
      faults,
      clock: opts.mode === 'sim' ? 'simulated' : 'wall-clock',
    });
    for (const [name, svg] of Object.entries(plots)) writeFileSync(path.join(dir, name), svg);
    points.push({ label: p.label, params: p.params, outDir: dir, summary });
    outcomes.push({
      label: p.label,
      params: p.params,
      scenario: p.scenario,
      summary,
      records,
      mainTip,
      interval,
      genesisWork,
    });
    log(
      `${label}: ${summary.blocks} blocks, main chain ${String(summary.mainChainLength)}, stale rate ${summary.staleRate}, ` +
        `propagation p50 ${summary.propagation.p50 ?? '-'} s, ${(runInfo.wallSeconds as number).toFixed(1)} s`,
    );
  }

  if (sweep)
    writeJson(path.join(outDir, 'summary.json'), {
      scenario: prepared.name,
      mode: opts.mode,
      ...(parallelInfo ? { parallel: parallelInfo } : {}),
      points: points.map((p) => ({
        label: p.label,
        params: p.params,
        dir: path.basename(p.outDir),
        summary: p.summary,
      })),
    });
  let analysis: Analysis | null = null;
  const kind = prepared.points[0]!.scenario.analysis;
  if (kind) {
    analysis =
      opts.mode === 'real' && (kind === 'selfish-mining' || kind === 'double-spend')
        ? realAttackAnalysis(kind, outcomes)
        : analyse(kind, outcomes);
    writeJson(path.join(outDir, 'comparison.json'), { analysis: kind, rows: analysis.rows });
    for (const [name, svg] of Object.entries(analysis.plots))
      writeFileSync(path.join(outDir, name), svg);
    log(`\n${kind}: measured vs published\n${analysis.table}`);
  }
  const usage = diskUsage(outDir);
  log(`\nwrote ${outDir} (${usage.files} files, ${formatBytes(usage.bytes)})`);
  return { outDir, points, analysis };
}
