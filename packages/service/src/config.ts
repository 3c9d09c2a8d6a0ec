// Command line + environment configuration shared by every service (docs/services.md).
//
// Every option `--some-flag` can also be set with the environment variable
// `CHAINLAB_SOME_FLAG`. Precedence: command line, then environment, then default.
// Usage errors (unknown flag, bad value, bad env value) exit with code 2; --help exits 0.

import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { checkServiceUrl } from './url.js';

export const ENV_PREFIX = 'CHAINLAB_';
export const EXIT_USAGE = 2;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `auto`: pretty one-line logs when stdout is a terminal, JSON lines otherwise. */
export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A usage error: bad flag or value. Its message is meant for the user as is. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = EXIT_USAGE;
}

// ---------------------------------------------------------------------------------------
// Option definitions
// ---------------------------------------------------------------------------------------

/**
 * One command line option (and its env variable). `T` is the parsed value's type;
 * it includes `undefined` when the option has no default.
 */
export interface OptionDef<T> {
  /** Commander flags: `--ttl <seconds>` for a value, `--probe` for a switch. */
  readonly flags: string;
  readonly description: string;
  /** Value when neither the command line nor the environment sets it. */
  readonly default: T;
  /** How --help shows the default (defaults to the value itself). */
  readonly defaultDescription?: string;
  /** Value options: parse and validate the raw string; throw an Error whose message says why. */
  readonly parse: (raw: string) => T;
  /** A switch without value (`--probe`). With `negatable`, `--no-<name>` is added too. */
  readonly switch?: boolean;
  readonly negatable?: boolean;
  /** Env variable name; default `CHAINLAB_<FLAG>`; `false` for none. */
  readonly env?: string | false;
  /** Accepted but not listed by --help. */
  readonly hidden?: boolean;
}

export type OptionDefs = Record<string, OptionDef<unknown>>;
export type OptionValues<X extends OptionDefs> = {
  -readonly [K in keyof X]: X[K] extends OptionDef<infer T> ? T : never;
};

interface Bounds {
  min?: number;
  max?: number;
}

function describeBounds(b: Bounds): string {
  if (b.min !== undefined && b.max !== undefined) return `an integer in ${b.min}..${b.max}`;
  if (b.min !== undefined) return `an integer >= ${b.min}`;
  if (b.max !== undefined) return `an integer <= ${b.max}`;
  return 'an integer';
}

export function parseInteger(raw: string, bounds: Bounds = {}): number {
  const s = raw.trim();
  const n = /^[+-]?\d+$/.test(s) ? Number(s) : NaN;
  if (
    !Number.isSafeInteger(n) ||
    (bounds.min !== undefined && n < bounds.min) ||
    (bounds.max !== undefined && n > bounds.max)
  ) {
    throw new Error(`expected ${describeBounds(bounds)}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export function parseBoolean(raw: string): boolean {
  const s = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  throw new Error(`expected true/false, 1/0, yes/no or on/off, got ${JSON.stringify(raw)}`);
}

type Extra = Pick<OptionDef<unknown>, 'env' | 'hidden' | 'defaultDescription'>;

/** An integer option. */
export function intOption(
  flags: string,
  description: string,
  opts: Bounds & Extra & { default: number },
): OptionDef<number>;
export function intOption(
  flags: string,
  description: string,
  opts?: Bounds & Extra,
): OptionDef<number | undefined>;
export function intOption(
  flags: string,
  description: string,
  opts: Bounds & Extra & { default?: number } = {},
): OptionDef<number | undefined> {
  const { min, max, default: def, ...extra } = opts;
  return {
    flags,
    description,
    default: def,
    parse: (raw) => parseInteger(raw, { min, max }),
    ...extra,
  };
}

/** A string option; `validate` returns an error message or undefined. */
export function stringOption(
  flags: string,
  description: string,
  opts: Extra & { default: string; validate?: (s: string) => string | undefined },
): OptionDef<string>;
export function stringOption(
  flags: string,
  description: string,
  opts?: Extra & { validate?: (s: string) => string | undefined },
): OptionDef<string | undefined>;
export function stringOption(
  flags: string,
  description: string,
  opts: Extra & { default?: string; validate?: (s: string) => string | undefined } = {},
): OptionDef<string | undefined> {
  const { validate, default: def, ...extra } = opts;
  return {
    flags,
    description,
    default: def,
    parse: (raw) => {
      if (raw.trim() === '') throw new Error('expected a non-empty value');
      const problem = validate?.(raw);
      if (problem !== undefined) throw new Error(problem);
      return raw;
    },
    ...extra,
  };
}

/** One of a fixed list of strings; --help lists them. */
export function choiceOption<C extends string>(
  flags: string,
  description: string,
  choices: readonly C[],
  def: C,
  extra: Extra = {},
): OptionDef<C> {
  return {
    flags,
    description: `${description}; one of ${choices.join(', ')}`,
    default: def,
    parse: (raw) => {
      const s = raw.trim().toLowerCase();
      if (!(choices as readonly string[]).includes(s)) {
        throw new Error(`expected one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`);
      }
      return s as C;
    },
    ...extra,
  };
}

/** A service base URL (`http://host:port`), normalized; see checkServiceUrl. */
export function urlOption(
  flags: string,
  description: string,
  opts: Extra & { default: string },
): OptionDef<string>;
export function urlOption(
  flags: string,
  description: string,
  opts?: Extra,
): OptionDef<string | undefined>;
export function urlOption(
  flags: string,
  description: string,
  opts: Extra & { default?: string } = {},
): OptionDef<string | undefined> {
  const { default: def, ...extra } = opts;
  const parse = (raw: string): string => {
    const r = checkServiceUrl(raw);
    if (!r.ok)
      throw new Error(`${r.reason} (expected http://host:port, got ${JSON.stringify(raw)})`);
    return r.url;
  };
  return {
    flags,
    description,
    default: def === undefined ? undefined : parse(def),
    parse,
    ...extra,
  };
}

/**
 * A switch: `--probe`; with `negatable`, also `--no-probe`. Its env variable takes
 * true/false, 1/0, yes/no, on/off.
 */
export function switchOption(
  flags: string,
  description: string,
  opts: Extra & { default?: boolean; negatable?: boolean } = {},
): OptionDef<boolean> {
  const { default: def = false, negatable = false, ...extra } = opts;
  return {
    flags,
    description,
    default: def,
    parse: parseBoolean,
    switch: true,
    negatable,
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------
// The common flags
// ---------------------------------------------------------------------------------------

export interface CommonConfig {
  host: string;
  port: number;
  tracker: string | undefined;
  mempool: string | undefined;
  dataDir: string | undefined;
  spec: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Requests per minute one address may make to the write routes; 0: no limit. */
  rateLimit: number;
  /** Apply the rate limit to loopback clients too (off: a devnet's own tools are not limited). */
  rateLimitLoopback: boolean;
  /** Event-loop delay (ms) beyond which requests are answered 503 SERVER_BUSY; 0: never. */
  maxEventLoopDelay: number;
}
export type CommonFlag = keyof CommonConfig;

function validateSpec(s: string): string | undefined {
  if (/^[a-z][a-z0-9-]*$/.test(s) || /\.json$/i.test(s)) return undefined;
  return `expected a built-in spec name (devnet, devnet-data, devnet-contracts) or a path to a .json file, got ${JSON.stringify(s)}`;
}

function commonOptions(defaultPort: number, d: Partial<CommonConfig>) {
  const port = d.port ?? defaultPort;
  return {
    host: stringOption('--host <address>', 'address to listen on (0.0.0.0 for every interface)', {
      default: d.host ?? '127.0.0.1',
      validate: (s) => (/\s/.test(s) ? 'a host must not contain spaces' : undefined),
    }),
    port: intOption(
      '--port <port>',
      'TCP port to listen on; 0 picks a free port (the actual one is printed)',
      {
        default: port,
        min: 0,
        max: 65535,
      },
    ),
    tracker: d.tracker
      ? urlOption('--tracker <url>', 'tracker for peer discovery (http://host:port)', {
          default: d.tracker,
        })
      : urlOption('--tracker <url>', 'tracker for peer discovery (http://host:port)'),
    mempool: d.mempool
      ? urlOption('--mempool <url>', 'mempool service (http://host:port)', { default: d.mempool })
      : urlOption('--mempool <url>', 'mempool service (http://host:port)'),
    dataDir:
      d.dataDir !== undefined
        ? (stringOption('--data-dir <dir>', 'directory for persistent data', {
            default: d.dataDir,
          }) as OptionDef<string | undefined>)
        : stringOption('--data-dir <dir>', 'directory for persistent data'),
    spec: stringOption('--spec <devnet|path.json>', 'chain spec: a built-in name or a JSON file', {
      default: d.spec ?? 'devnet',
      validate: validateSpec,
    }),
    logLevel: choiceOption(
      '--log-level <level>',
      'log verbosity',
      LOG_LEVELS,
      d.logLevel ?? 'info',
    ),
    logFormat: choiceOption(
      '--log-format <format>',
      'log output (auto: pretty on a terminal, JSON lines otherwise)',
      LOG_FORMATS,
      d.logFormat ?? 'auto',
    ),
    rateLimit: intOption(
      '--rate-limit <per-minute>',
      'requests per minute one client address may send to the write routes (POST /block, /data, /pushtx, /register); 0: no limit',
      { default: d.rateLimit ?? 600, min: 0, max: 10_000_000 },
    ),
    rateLimitLoopback: switchOption(
      '--rate-limit-loopback',
      'apply --rate-limit to loopback clients too (by default 127.0.0.1 and ::1 are not limited)',
    ),
    maxEventLoopDelay: intOption(
      '--max-event-loop-delay <ms>',
      'answer 503 SERVER_BUSY (with Retry-After) while the event loop lags more than this; 0: never',
      { default: d.maxEventLoopDelay ?? 10_000, min: 0, max: 3_600_000 },
    ),
  } satisfies { [K in CommonFlag]: OptionDef<CommonConfig[K]> };
}

// ---------------------------------------------------------------------------------------
// Building and parsing
// ---------------------------------------------------------------------------------------

export interface ServiceCliSpec<X extends OptionDefs = OptionDefs> {
  /** Command name as printed in usage and logs: `tracker`, `node`, `mempool`. */
  name: string;
  /** One or two sentences for --help. */
  description: string;
  defaultPort: number;
  /** Per-service defaults of common flags (e.g. a node's default --tracker). */
  defaults?: Partial<CommonConfig>;
  /** Common flags this service accepts (docs/services.md) but does not use: not listed by --help. */
  unused?: readonly CommonFlag[];
  /** Service-specific options, keyed by the name they get in the parsed config. */
  options?: X;
  /** Example command lines for --help. */
  examples?: readonly string[];
}

export type ServiceConfig<X extends OptionDefs = OptionDefs> = CommonConfig & OptionValues<X>;

export type ParseResult<C> =
  | { ok: true; config: C }
  /** --help (exitCode 0, text in `stdout`) or a usage error (exitCode 2, text in `stderr`). */
  | { ok: false; exitCode: number; stdout: string; stderr: string };

/** `CHAINLAB_` + the long flag without dashes: `--max-nodes` → `CHAINLAB_MAX_NODES`. */
export function envName(flags: string): string {
  const long = /--(?:no-)?([a-z0-9][a-z0-9-]*)/i.exec(flags);
  if (!long?.[1]) throw new TypeError(`option flags need a long name: ${flags}`);
  return ENV_PREFIX + long[1].toUpperCase().replace(/-/g, '_');
}

interface Entry {
  key: string;
  def: OptionDef<unknown>;
  option: Option;
  env: string | undefined;
}

function buildCommand(spec: ServiceCliSpec<OptionDefs>, out: { stdout: string; stderr: string }) {
  const common = commonOptions(spec.defaultPort, spec.defaults ?? {});
  const unused = new Set<string>(spec.unused ?? []);
  const defs: [string, OptionDef<unknown>, boolean][] = [
    ...Object.entries(common).map(([k, d]): [string, OptionDef<unknown>, boolean] => [
      k,
      d,
      unused.has(k),
    ]),
    ...Object.entries(spec.options ?? {}).map(([k, d]): [string, OptionDef<unknown>, boolean] => [
      k,
      d,
      false,
    ]),
  ];

  const cmd = new Command(spec.name);
  const entries: Entry[] = [];
  const envByOption = new Map<Option, string>();

  cmd
    .description(spec.description)
    .usage('[options]')
    .helpOption('-h, --help', 'show this help and exit')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void (out.stdout += s),
      writeErr: (s) => void (out.stderr += s),
    })
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({
      optionDescription(option: Option): string {
        const extra: string[] = [];
        const shown =
          option.required || option.optional || typeof option.defaultValue === 'boolean';
        if (option.defaultValue !== undefined && shown) {
          extra.push(`default: ${option.defaultValueDescription ?? String(option.defaultValue)}`);
        }
        const env = envByOption.get(option);
        if (env) extra.push(`env: ${env}`);
        return extra.length > 0
          ? `${option.description} (${extra.join(', ')})`
          : option.description;
      },
    });

  for (const [key, def, hiddenCommon] of defs) {
    const env = def.env === false ? undefined : (def.env ?? envName(def.flags));
    const option = new Option(def.flags, def.description);
    if (!def.switch) {
      option.argParser((raw: string) => {
        try {
          return def.parse(raw);
        } catch (e) {
          throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
        }
      });
    }
    if (def.default !== undefined) {
      option.default(def.default, def.defaultDescription ?? String(def.default));
    }
    if (def.hidden || hiddenCommon) option.hideHelp();
    if (option.attributeName() !== key) {
      throw new TypeError(
        `option key ${key} does not match its flags ${def.flags} (${option.attributeName()})`,
      );
    }
    cmd.addOption(option);
    if (env) envByOption.set(option, env);
    entries.push({ key, def, option, env });
    if (def.switch && def.negatable) {
      const name = /--([a-z0-9][a-z0-9-]*)/i.exec(def.flags)?.[1];
      const neg = new Option(`--no-${name}`, `opposite of --${name}`);
      if (def.hidden || hiddenCommon) neg.hideHelp();
      cmd.addOption(neg);
    }
  }

  const examples = spec.examples ?? [];
  cmd.addHelpText(
    'after',
    [
      '',
      ...(examples.length > 0 ? ['Examples:', ...examples.map((e) => `  $ ${e}`), ''] : []),
      `Every option can also be set with its environment variable (${ENV_PREFIX}<OPTION>, e.g.`,
      `${ENV_PREFIX}PORT=0). The command line wins over the environment, the environment over`,
      'the default.',
    ].join('\n'),
  );
  return { cmd, entries };
}

/**
 * Parses a service command line and environment, never exiting the process:
 * `{ ok: true, config }`, or `{ ok: false, exitCode, stdout, stderr }` for --help (0) and
 * usage errors (2). `argv` excludes `node` and the script; a leading `--` (as
 * `pnpm start:tracker -- --port 0` passes it) is ignored.
 */
export function parseServiceConfig<X extends OptionDefs>(
  spec: ServiceCliSpec<X>,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): ParseResult<ServiceConfig<X>> {
  const out = { stdout: '', stderr: '' };
  const { cmd, entries } = buildCommand(spec, out);
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  try {
    cmd.parse(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      const help =
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.help' ||
        e.code === 'commander.version';
      return { ok: false, exitCode: help ? 0 : EXIT_USAGE, ...out };
    }
    throw e;
  }

  const values = cmd.opts<Record<string, unknown>>();
  const config: Record<string, unknown> = {};
  for (const { key, def, env: envVar } of entries) {
    let value = values[key];
    const raw = envVar === undefined ? undefined : env[envVar];
    if (cmd.getOptionValueSource(key) !== 'cli' && raw !== undefined && raw.trim() !== '') {
      try {
        value = def.parse(raw);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        out.stderr += `error: environment variable ${envVar}=${JSON.stringify(raw)} is invalid: ${why}\n(run with --help for usage)\n`;
        return { ok: false, exitCode: EXIT_USAGE, ...out };
      }
    }
    config[key] = value === undefined ? def.default : value;
  }
  if (typeof config.dataDir === 'string') config.dataDir = path.resolve(config.dataDir);
  return { ok: true, config: config as ServiceConfig<X> };
}

/**
 * parseServiceConfig on `process.argv` and `process.env`, for a service's main: prints
 * help or the usage error and exits (0 / 2) when there is no config to run with.
 */
export function loadServiceConfig<X extends OptionDefs>(
  spec: ServiceCliSpec<X>,
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env,
): ServiceConfig<X> {
  const r = parseServiceConfig(spec, argv, env);
  if (r.ok) return r.config;
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  process.exit(r.exitCode);
}

/** Throws UsageError unless `r` holds a config (for programmatic use and tests). */
export function expectConfig<C>(r: ParseResult<C>): C {
  if (r.ok) return r.config;
  throw new UsageError((r.stderr || r.stdout).trim());
}
