// The command line (docs/wallet.md): commander definitions, help texts, environment variables and
// exit codes. Each command's work lives in commands/*.ts, loaded only when it runs so that
// --help and usage errors answer at once.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isRuleError } from '@chainlab/core';
import { Context, type GlobalOptions } from './context.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, isWalletError } from './errors.js';
import { DEFAULT_KDF_N } from './keystore.js';
import { Output, type Streams } from './output.js';

export const DEFAULT_MEMPOOL_URL = 'http://127.0.0.1:7200';
export const DEFAULT_NODE_URL = 'http://127.0.0.1:7301';
export const DEFAULT_KEYSTORE_DIR = join(homedir(), '.chainlab', 'keystore');
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 120;
const W = 'pnpm wallet --';

// ---- value parsers (a bad value is a usage error: exit 2) ----

function urlValue(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new InvalidArgumentError(`expected http://host:port, got ${JSON.stringify(raw)}`);
  }
  if (
    (u.protocol !== 'http:' && u.protocol !== 'https:') ||
    (u.pathname !== '/' && u.pathname !== '') ||
    u.search ||
    u.hash
  ) {
    throw new InvalidArgumentError(`expected http://host:port, got ${JSON.stringify(raw)}`);
  }
  return `${u.protocol}//${u.host}`;
}

function intValue(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string): number => {
    const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `expected an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`}, got ${JSON.stringify(raw)}`,
      );
    }
    return n;
  };
}

function kdfValue(raw: string): number {
  const n = intValue(2, 1 << 20)(raw);
  if ((n & (n - 1)) !== 0)
    throw new InvalidArgumentError(`the scrypt N must be a power of two, got ${n}`);
  return n;
}

function nonEmpty(raw: string): string {
  if (raw.trim() === '') throw new InvalidArgumentError('expected a non-empty value');
  return raw;
}

/** `--flag <value>` also read from CHAINLAB_<FLAG>; the command line wins. */
function opt(flags: string, description: string, env?: string): Option {
  const o = new Option(flags, description);
  return env ? o.env(env) : o;
}

const BOOLEAN_ENV: Record<string, boolean> = {
  '1': true,
  true: true,
  yes: true,
  on: true,
  '0': false,
  false: false,
  no: false,
  off: false,
  '': false,
};

// ---- the program ----

interface Built {
  program: Command;
  /** Set once the action runs: whether --json (or CHAINLAB_JSON) is on. */
  json(): boolean;
}

function build(streams: Streams, env: Readonly<Record<string, string | undefined>>): Built {
  let jsonMode = jsonRequested([], env);
  const program = new Command('wallet');

  program
    .description(
      'The chainlab wallet: keys in keystore v3 files, balances and transfers through a node and the mempool.\n' +
        'Amounts are decimal coins (e.g. 1.5); --json prints one JSON object per command, amounts in base units.',
    )
    .usage('[global options] <command> [options]')
    .helpOption('-h, --help', 'show help (also after a command: send --help)')
    .addOption(
      opt('--mempool <url>', 'mempool URL', 'CHAINLAB_MEMPOOL')
        .default(DEFAULT_MEMPOOL_URL)
        .argParser(urlValue),
    )
    .addOption(
      opt('--node <url>', 'node URL', 'CHAINLAB_NODE')
        .default(DEFAULT_NODE_URL)
        .argParser(urlValue),
    )
    .addOption(
      opt(
        '--spec <name|path.json>',
        'chain spec: devnet, devnet-data, devnet-contracts or a JSON file',
        'CHAINLAB_SPEC',
      )
        .default('devnet')
        .argParser(nonEmpty),
    )
    .addOption(
      opt('--keystore-dir <dir>', 'directory of the keystore files', 'CHAINLAB_KEYSTORE_DIR')
        .default(DEFAULT_KEYSTORE_DIR, '~/.chainlab/keystore')
        .argParser(nonEmpty),
    )
    .addOption(
      opt(
        '--password-file <file>',
        'read the key password from the first line of a file (else CHAINLAB_PASSWORD, else a prompt)',
        'CHAINLAB_PASSWORD_FILE',
      ).argParser(nonEmpty),
    )
    .addOption(
      new Option('--json', 'print one JSON object per command, for scripts (env CHAINLAB_JSON=1)'),
    )
    .addOption(
      opt(
        '--kdf-n <n>',
        'scrypt cost N for new keystore files (a power of two; lower is faster and weaker)',
        'CHAINLAB_KDF_N',
      )
        .default(DEFAULT_KDF_N)
        .argParser(kdfValue)
        .hideHelp(),
    )
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void streams.stdout.write(s),
      writeErr: (s) => void streams.stderr.write(s),
    })
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .addHelpText(
      'after',
      `
Examples:
  $ ${W} new --name alice                 create a key (asks for a password)
  $ ${W} faucet alice                     devnet: get 100 CLC from a dev account
  $ ${W} balance alice
  $ ${W} send --from alice --to 0x… --amount 1.5 --wait 2
  $ CHAINLAB_PASSWORD=pw ${W} --json send --to bob --amount 0.1
  $ ${W} --spec devnet-contracts deploy examples/counter/Counter.sol --wait 1    (level 3)

Environment: every global option can be set with CHAINLAB_<OPTION> (CHAINLAB_MEMPOOL,
CHAINLAB_NODE, CHAINLAB_SPEC, CHAINLAB_KEYSTORE_DIR, CHAINLAB_PASSWORD_FILE, CHAINLAB_JSON),
and so can send's --from, --fee, --timeout and balance's --confirmations; the command line
wins. CHAINLAB_PASSWORD gives the password itself (for scripts). CHAINLAB_KDF_N (or the
hidden --kdf-n) lowers the scrypt cost of new keystore files, for tests only: the
default ${DEFAULT_KDF_N} is the standard one.

Exit codes: 0 ok, 1 refused or failed (the error code is printed, e.g.
"error: INSUFFICIENT_FUNDS: ..."), 2 usage (unknown command or option, bad value).`,
    );

  const act =
    <A extends unknown[]>(load: () => Promise<(ctx: Context, ...args: A) => Promise<void>>) =>
    async (...args: unknown[]): Promise<void> => {
      const cmd = args[args.length - 1] as Command;
      const g = cmd.optsWithGlobals() as Record<string, unknown>;
      jsonMode = g.json === true || (g.json === undefined && envJson(env));
      const globals: GlobalOptions = {
        mempool: g.mempool as string,
        node: g.node as string,
        spec: g.spec as string,
        keystoreDir: g.keystoreDir as string,
        passwordFile: g.passwordFile as string | undefined,
        json: jsonMode,
        kdfN: g.kdfN as number,
      };
      const ctx = new Context(globals, new Output(jsonMode, streams), env);
      void ctx.spec; // a bad --spec is a usage error for every command, not only those that need it
      const fn = await load();
      await fn(ctx, ...(args.slice(0, -1) as A));
    };
  const examples = (...lines: string[]): string =>
    `\nExamples:\n${lines.map((l) => `  $ ${W} ${l}`).join('\n')}`;

  program
    .command('new')
    .description('create a key, encrypt it into a new keystore file, print its address')
    .option('--name <name>', 'a label for the key (default key1, key2, …)')
    .addHelpText(
      'after',
      examples('new --name alice', 'new --name bob --password-file ./pw.txt', '--json new'),
    )
    .action(act(async () => (await import('./commands/keys.js')).newKey));

  program
    .command('import')
    .description(
      'encrypt an existing private key into the keystore ("-": read it from stdin or a hidden prompt)',
    )
    .argument(
      '<private-key-hex>',
      '64 hex digits, 0x optional; - to read it without leaving it in the shell history',
    )
    .option('--name <name>', 'a label for the key (default key1, key2, …)')
    .addHelpText(
      'after',
      examples('import 0x4c0883a6…3362 --name carol', 'import - --name carol < key.txt'),
    )
    .action(act(async () => (await import('./commands/keys.js')).importKey));

  program
    .command('list')
    .description('list the keys of the keystore (name and address); * marks the default key')
    .addHelpText('after', examples('list', '--json list'))
    .action(act(async () => (await import('./commands/keys.js')).listKeys));

  program
    .command('address')
    .description("print a key's address (default: the default key)")
    .argument('[name]', 'key name (or address)')
    .addHelpText('after', examples('address', 'address alice', '--json address alice'))
    .action(act(async () => (await import('./commands/keys.js')).showAddress));

  program
    .command('balance')
    .description('balance of an address or key, as the mempool reports it')
    .argument('[address|name]', 'an address or a key name (default: the default key)')
    .addOption(
      opt(
        '--confirmations <n>',
        '0: include pending txs; 1: txs in the chain; k: only blocks with >= k confirmations (default 1)',
        'CHAINLAB_CONFIRMATIONS',
      ).argParser(intValue(0)),
    )
    .addHelpText(
      'after',
      examples(
        'balance',
        'balance alice --confirmations 0',
        'balance 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
        '--json balance bob',
      ),
    )
    .action(act(async () => (await import('./commands/balance.js')).balance));

  program
    .command('send')
    .description('sign a transfer with a key of the keystore and push it to the mempool')
    .requiredOption('--to <address|name>', 'recipient: an address or a key name')
    .requiredOption('--amount <coins>', 'decimal coins, e.g. 1.5')
    .addOption(
      opt(
        '--fee <coins>',
        "fee in decimal coins (default: the spec's minimum fee)",
        'CHAINLAB_FEE',
      ),
    )
    .addOption(
      opt(
        '--from <name>',
        'the paying key, by name or address (default: the default key)',
        'CHAINLAB_FROM',
      ).argParser(nonEmpty),
    )
    .option(
      '--wait <n>',
      'wait until the tx has n confirmations, with a progress line',
      intValue(0),
      0,
    )
    .addOption(
      opt('--timeout <seconds>', 'give up waiting after this long (exit 1)', 'CHAINLAB_TIMEOUT')
        .default(DEFAULT_WAIT_TIMEOUT_SECONDS)
        .argParser(intValue(1)),
    )
    .addOption(
      new Option(
        '--nonce <n>',
        'use this nonce (to replace a pending tx with a higher fee)',
      ).argParser(intValue(0)),
    )
    .addHelpText(
      'after',
      examples(
        'send --to bob --amount 1.5',
        'send --from alice --to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed --amount 0.25 --fee 0.001 --wait 2',
        '--json send --to bob --amount 1 --wait 1 --timeout 60',
      ),
    )
    .action(act(async () => (await import('./commands/send.js')).send));

  program
    .command('status')
    .description('confirmations (and details) of a tx')
    .argument('<txid>', '0x + 64 hex digits, as send prints it')
    .addHelpText('after', examples('status 0x3f1c…9a2e', '--json status 0x3f1c…9a2e'))
    .action(act(async () => (await import('./commands/status.js')).status));

  program
    .command('history')
    .description('txs to and from an address, newest first: pending ones, then the active chain')
    .argument('[address|name]', 'an address or a key name (default: the default key)')
    .option('--limit <n>', 'show only the newest n entries', intValue(1))
    .addHelpText(
      'after',
      examples(
        'history',
        'history bob --limit 10',
        '--json history 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
      ),
    )
    .action(act(async () => (await import('./commands/history.js')).history));

  program
    .command('faucet')
    .description(
      'devnet only: send coins to an address from a dev account (refused on other chains)',
    )
    .argument('<address|name>', 'the recipient: an address or a key name')
    .option('--amount <coins>', 'decimal coins (default 100)')
    .option('--wait <n>', 'wait until the tx has n confirmations', intValue(0), 0)
    .addOption(
      opt('--timeout <seconds>', 'give up waiting after this long (exit 1)', 'CHAINLAB_TIMEOUT')
        .default(DEFAULT_WAIT_TIMEOUT_SECONDS)
        .argParser(intValue(1)),
    )
    .addHelpText(
      'after',
      examples(
        'faucet alice',
        'faucet 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed --amount 1000 --wait 1',
      ),
    )
    .action(act(async () => (await import('./commands/faucet.js')).faucet));

  // ---- level 3: contracts (docs/wallet.md) ----
  const txOptions = (cmd: Command): Command =>
    cmd
      .addOption(
        opt(
          '--from <name>',
          'the sending key, by name or address (default: the default key)',
          'CHAINLAB_FROM',
        ).argParser(nonEmpty),
      )
      .option('--value <coins>', 'coins sent with the call (payable functions; default 0)')
      .option(
        '--gas-limit <n>',
        "gas for the tx (default: the node's estimate + 20 %; 1,000,000 when the call fails at the tip)",
      )
      .option(
        '--gas-price <price>',
        "base units per gas, or gwei with the unit: 2gwei (default 1 gwei, or the chain's floor if higher)",
      )
      .option('--wait <n>', 'wait for n confirmations, then show the receipt', intValue(0), 0)
      .addOption(
        opt('--timeout <seconds>', 'give up waiting after this long (exit 1)', 'CHAINLAB_TIMEOUT')
          .default(DEFAULT_WAIT_TIMEOUT_SECONDS)
          .argParser(intValue(1)),
      );

  txOptions(
    program
      .command('deploy')
      .description(
        'level 3: compile a Solidity file (bundled solc) and deploy a contract; prints its address and the txid',
      )
      .argument('<file.sol>', 'the Solidity source')
      .option(
        '--contract <Name>',
        'the contract to deploy when the file defines several (default: the last)',
      )
      .option(
        '--args <args...>',
        'constructor arguments, in order (an address argument may name a key: bob)',
      )
      .option(
        '--include-path <dir>',
        'another folder to look imports up in (repeatable); the project root, its remappings.txt / foundry.toml remappings and every node_modules above the file are searched already',
        (dir: string, prev: string[] = []) => [...prev, dir],
      ),
  )
    .addHelpText(
      'after',
      examples(
        'deploy examples/counter/Counter.sol --from alice --wait 1',
        'deploy contracts/MyToken.sol --from alice     (imports @openzeppelin/… from node_modules)',
        'deploy examples/token/Token.sol --args "Chainlab Token" CLT 1000000000000000000000000 --wait 1',
        '--json deploy examples/escrow/Escrow.sol --args bob carol',
      ),
    )
    .action(act(async () => (await import('./commands/contracts.js')).deploy));

  program
    .command('call')
    .description(
      "level 3: call a contract function read-only at the node's tip (no tx, no fee) and decode what it returns",
    )
    .argument('<address>', 'the contract')
    .argument('<signature>', 'the function and its return types: "balanceOf(address)(uint256)"')
    .argument('[args...]', 'the arguments (an address argument may name a key: bob)')
    .addOption(
      new Option('--from <name|address>', 'msg.sender of the call (default: the zero address)'),
    )
    .addHelpText(
      'after',
      examples(
        'call $COUNTER "count()(uint256)"',
        'call $TOKEN "balanceOf(address)(uint256)" alice',
        '--json call $TOKEN "name()(string)"',
      ),
    )
    .action(act(async () => (await import('./commands/contracts.js')).call));

  txOptions(
    program
      .command('send-call')
      .description(
        'level 3: call a contract function in a tx; with --wait shows the receipt (status, gas, events, revert reason)',
      )
      .argument('<address>', 'the contract')
      .argument('<signature>', 'the function: "transfer(address,uint256)"')
      .argument('[args...]', 'the arguments (an address argument may name a key: bob)'),
  )
    .addHelpText(
      'after',
      examples(
        'send-call $COUNTER "increment()" --from bob --wait 1',
        'send-call $TOKEN "transfer(address,uint256)" bob 1000 --from alice --wait 1',
        '--json send-call $COUNTER "add(uint256)" 40 --wait 1',
      ),
    )
    .action(act(async () => (await import('./commands/contracts.js')).sendCall));

  return { program, json: () => jsonMode };
}

function envJson(env: Readonly<Record<string, string | undefined>>): boolean {
  const v = env.CHAINLAB_JSON;
  return v !== undefined && (BOOLEAN_ENV[v.trim().toLowerCase()] ?? true);
}

function jsonRequested(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json') || envJson(env);
}

/**
 * Runs the wallet with `argv` (without `node` and the script; a leading `--`, as
 * `pnpm wallet -- …` passes it, is dropped) and returns the exit code. Never exits itself.
 */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  streams: Streams = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  // As for the services, an empty CHAINLAB_* variable counts as unset (commander reads
  // option variables from process.env itself).
  for (const [k, v] of Object.entries(process.env))
    if (k.startsWith('CHAINLAB_') && v === '') delete process.env[k];
  const { program, json } = build(streams, env);
  try {
    await program.parseAsync(args, { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help, `help <command>`: 0. Help shown because no command was given: a usage error.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT_OK;
      if (e.code === 'commander.help' && e.exitCode === 0) return EXIT_OK;
      // Usage error (commander already printed it) — or no command at all (help on stderr).
      if (jsonRequested(args, env)) {
        const message =
          e.code === 'commander.help' ? 'no command given' : e.message.replace(/^error:\s*/, '');
        streams.stdout.write(JSON.stringify({ error: { code: 'USAGE', message } }) + '\n');
      }
      return EXIT_USAGE;
    }
    const out = new Output(json(), streams);
    if (isWalletError(e)) {
      out.error(e.code, e.message, e.details);
      if (e.exitCode === EXIT_USAGE) streams.stderr.write('(add --help for usage)\n');
      return e.exitCode;
    }
    if (isRuleError(e)) {
      out.error(e.code, e.message);
      return EXIT_FAILED;
    }
    const err = e as Error;
    out.error('INTERNAL', err?.message ?? String(e));
    if (env.CHAINLAB_DEBUG) streams.stderr.write(`${err?.stack ?? ''}\n`);
    return EXIT_FAILED;
  }
}
