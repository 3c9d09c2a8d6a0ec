// The command line of pnpm experiment (main.ts runs it).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import {
  EXPERIMENTS_DIR,
  UsageError,
  parseSetValue,
  prepare,
  readScenarioFile,
  runExperiment,
} from './run.js';

const EXIT_USAGE = 2;

function collectSet(value: string, previous: [string, unknown][]): [string, unknown][] {
  const eq = value.indexOf('=');
  if (eq <= 0)
    throw new InvalidArgumentError(
      `expected key=value (e.g. nodes.pool.hashShare=0.3), got ${JSON.stringify(value)}`,
    );
  return [...previous, [value.slice(0, eq).trim(), parseSetValue(value.slice(eq + 1))]];
}

function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError(`expected a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 256)
    throw new InvalidArgumentError(
      `expected a number of threads 1..256, got ${JSON.stringify(value)}`,
    );
  return n;
}

export function buildProgram(): Command {
  const program = new Command('experiment')
    .description(
      'Run chainlab experiments: scenarios in the simulator (--sim) or on real node processes (--real).',
    )
    .exitOverride()
    .showHelpAfterError();

  program
    .command('run')
    .description('run a scenario (a built-in name from experiments/, or a .yaml/.json file)')
    .argument('<scenario>', 'e.g. selfish-mining, or ./my-scenario.yaml')
    .option('--sim', 'run in the deterministic simulator (default)')
    .option('--real', 'run real tracker and node processes')
    .option('--seed <n>', 'seed (overrides the scenario)', parseSeed)
    .option('--out <dir>', 'output directory (default experiments/out/<scenario>-<mode>-<time>)')
    .option(
      '--set <key=value>',
      'override a scenario field, e.g. --set nodes.pool.hashShare=0.3 (repeatable; a swept key replaces its sweep)',
      collectSet,
      [],
    )
    .option(
      '--verify',
      'simulator: every node also owns a full core Chain, checked against the fast views (slow)',
    )
    .option('--echo', "real: show the processes' output")
    .option(
      '--blocks-csv',
      'write the per-block CSV for sweep points and long runs too (default: single runs of up to 100,000 blocks; gzip above)',
    )
    .option('--no-blocks-csv', 'write no per-block CSV')
    .option(
      '--workers <n>',
      'simulator sweeps: worker threads running points in parallel (default: one per core)',
      parseWorkers,
    )
    .addHelpText(
      'after',
      `
Examples:
  pnpm experiment -- run selfish-mining
  pnpm experiment -- run stale-rate --set network.delayMs=5000 --seed 7
  pnpm experiment -- run partition-heal --real --out /tmp/ph
  pnpm experiment -- list`,
    )
    .action(
      async (
        scenario: string,
        o: {
          sim?: boolean;
          real?: boolean;
          seed?: number;
          out?: string;
          set: [string, unknown][];
          verify?: boolean;
          echo?: boolean;
          blocksCsv?: boolean;
          workers?: number;
        },
      ) => {
        if (o.sim && o.real) throw new UsageError('choose one of --sim and --real');
        await runExperiment({
          scenario,
          mode: o.real ? 'real' : 'sim',
          seed: o.seed,
          out: o.out,
          sets: o.set,
          verify: o.verify,
          echo: o.echo,
          blocksCsv: o.blocksCsv,
          workers: o.workers,
        });
      },
    );

  program
    .command('validate')
    .description('check a scenario file and show what it would run')
    .argument('<scenario>')
    .option('--real', 'check it for --real')
    .option('--set <key=value>', 'as for run', collectSet, [])
    .action((scenario: string, o: { real?: boolean; set: [string, unknown][] }) => {
      const p = prepare({ scenario, mode: o.real ? 'real' : 'sim', sets: o.set });
      const s = p.points[0]!.scenario;
      process.stdout.write(
        `${p.file}: ok — ${s.nodes.length} nodes, ${p.points.length} run(s)` +
          `${p.points.length > 1 ? `: ${p.points.map((x) => x.label).join(', ')}` : ''}\n`,
      );
    });

  program
    .command('list')
    .description('list the built-in scenarios in experiments/')
    .action(() => {
      for (const f of readdirSync(EXPERIMENTS_DIR)
        .filter((x) => /\.(ya?ml|json)$/.test(x))
        .sort()) {
        const raw = readScenarioFile(path.join(EXPERIMENTS_DIR, f)) as { description?: string };
        process.stdout.write(
          `${f.replace(/\.(ya?ml|json)$/, '').padEnd(18)} ${(raw.description ?? '').split('\n')[0]}\n`,
        );
      }
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const program = buildProgram();
  if (args.length === 0) {
    program.outputHelp({ error: true });
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError)
      return e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.help' ||
        e.code === 'commander.version'
        ? 0
        : EXIT_USAGE;
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`experiment failed: ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}
