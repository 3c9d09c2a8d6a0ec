import { describe, expect, it } from 'vitest';
import {
  envName,
  expectConfig,
  intOption,
  parseServiceConfig,
  stringOption,
  switchOption,
  UsageError,
  urlOption,
  type ServiceCliSpec,
} from '@chainlab/service';

const options = {
  ttl: intOption('--ttl <seconds>', 'entry lifetime', { default: 30, min: 1 }),
  threads: intOption('--threads <n>', 'workers', { min: 1, max: 64 }),
  mine: switchOption('--mine', 'mine blocks', { default: true, negatable: true }),
  probe: switchOption('--probe', 'probe nodes'),
  coinbase: stringOption('--coinbase <address>', 'reward address'),
  publicUrl: urlOption('--public-url <url>', 'what the node registers'),
};
const spec: ServiceCliSpec<typeof options> = {
  name: 'demo',
  description: 'a demo service',
  defaultPort: 7100,
  defaults: { tracker: 'http://127.0.0.1:7100' },
  unused: ['mempool'],
  options,
  examples: ['pnpm start:demo -- --port 0'],
};

const parse = (argv: string[], env: Record<string, string> = {}) =>
  expectConfig(parseServiceConfig(spec, argv, env));

describe('service config', () => {
  it('has the SPEC defaults', () => {
    const c = parse([]);
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 7100,
      tracker: 'http://127.0.0.1:7100',
      mempool: undefined,
      dataDir: undefined,
      spec: 'devnet',
      logLevel: 'info',
      logFormat: 'auto',
      ttl: 30,
      threads: undefined,
      mine: true,
      probe: false,
      coinbase: undefined,
      publicUrl: undefined,
    });
  });

  it('reads every flag from the command line', () => {
    const c = parse([
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--tracker',
      'http://t:1/',
      '--mempool',
      'http://m:2',
      '--data-dir',
      'x/y',
      '--spec',
      'my.json',
      '--log-level',
      'DEBUG',
      '--ttl',
      '5',
      '--threads',
      '3',
      '--no-mine',
      '--probe',
      '--coinbase',
      '0xabc',
      '--public-url',
      'http://Me:7301',
    ]);
    expect(c).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      tracker: 'http://t:1',
      mempool: 'http://m:2',
      spec: 'my.json',
      logLevel: 'debug',
      ttl: 5,
      threads: 3,
      mine: false,
      probe: true,
      coinbase: '0xabc',
      publicUrl: 'http://me:7301',
    });
    expect(c.dataDir).toMatch(/[\\/]x[\\/]y$/); // resolved to an absolute path
  });

  it('reads CHAINLAB_<FLAG> env variables; command line > env > default', () => {
    const env = {
      CHAINLAB_PORT: '7200',
      CHAINLAB_DATA_DIR: '/tmp/d',
      CHAINLAB_TTL: '9',
      CHAINLAB_MINE: 'false',
      CHAINLAB_PROBE: '1',
    };
    expect(parse([], env)).toMatchObject({
      port: 7200,
      dataDir: '/tmp/d',
      ttl: 9,
      mine: false,
      probe: true,
    });
    expect(parse(['--port', '7300', '--ttl', '4', '--mine'], env)).toMatchObject({
      port: 7300,
      ttl: 4,
      mine: true,
    });
    expect(parse([], { CHAINLAB_PORT: '' })).toMatchObject({ port: 7100 }); // empty = unset
    expect(parse([], { CHAINLAB_TRACKER: 'http://other:9' })).toMatchObject({
      tracker: 'http://other:9',
    });
  });

  it('derives env names from the long flag', () => {
    expect(envName('--data-dir <dir>')).toBe('CHAINLAB_DATA_DIR');
    expect(envName('--max-nodes <n>')).toBe('CHAINLAB_MAX_NODES');
    expect(envName('--no-mine')).toBe('CHAINLAB_MINE');
  });

  it('ignores the leading -- that pnpm passes through', () => {
    expect(parse(['--', '--port', '0'])).toMatchObject({ port: 0 });
  });

  it.each([
    [['--port', 'abc'], /--port.*expected an integer in 0\.\.65535/],
    [['--port', '70000'], /expected an integer in 0\.\.65535/],
    [['--port', '1.5'], /expected an integer/],
    [['--ttl', '0'], /--ttl.*expected an integer >= 1/],
    [['--log-level', 'loud'], /expected one of fatal, error, warn, info, debug, trace, silent/],
    [['--tracker', 'ftp://x'], /--tracker.*http/],
    [['--tracker', 'http://x:1/path'], /path/],
    [['--spec', 'Not A Spec'], /built-in spec name/],
    [['--host', ''], /non-empty/],
    [['--bogus'], /unknown option '--bogus'/],
    [['stray'], /too many arguments/],
    [['--port'], /argument missing/],
  ])('refuses %j with exit code 2 and a clear message', (argv, message) => {
    const r = parseServiceConfig(spec, argv, {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('--help');
  });

  it('refuses bad env values with exit code 2, naming the variable', () => {
    for (const [k, v] of [
      ['CHAINLAB_PORT', 'x'],
      ['CHAINLAB_PROBE', 'maybe'],
      ['CHAINLAB_LOG_LEVEL', 'loud'],
    ] as const) {
      const r = parseServiceConfig(spec, [], { [k]: v });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.exitCode).toBe(2);
        expect(r.stderr).toContain(k);
      }
    }
    // the command line wins, so a bad env value it overrides is never read
    expect(parse(['--port', '1'], { CHAINLAB_PORT: 'x' }).port).toBe(1);
  });

  it('--help exits 0 with description, defaults, env names and examples; unused flags hidden but accepted', () => {
    const r = parseServiceConfig(spec, ['--help'], {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('a demo service');
    const help = r.stdout.replace(/\s+/g, ' '); // help is wrapped to the terminal width
    expect(help).toMatch(/--port <port> .*\(default: 7100, env: CHAINLAB_PORT\)/);
    expect(r.stdout).toContain('--no-mine');
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('pnpm start:demo -- --port 0');
    expect(r.stdout).not.toContain('--mempool');
    expect(parse(['--mempool', 'http://m:1']).mempool).toBe('http://m:1');
  });

  it('expectConfig throws a UsageError', () => {
    expect(() => expectConfig(parseServiceConfig(spec, ['--port', 'x'], {}))).toThrow(UsageError);
  });
});
