// The built CLI as a user runs it: exit codes, help, usage errors, offline key commands.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Wallet } from '@ethereumjs/wallet';
import { privateKeyToAddress } from '@chainlab/core';
import { cliBuilt, runCli } from './run-cli.js';

const ADDR = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
let dir: string;
let env: Record<string, string>;
let closedPort: number;

beforeAll(async () => {
  cliBuilt();
  dir = mkdtempSync(join(tmpdir(), 'wallet-cli-'));
  // A port nothing listens on: "unreachable" without waiting for a timeout.
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closedPort = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  env = {
    CHAINLAB_KEYSTORE_DIR: join(dir, 'keystore'),
    CHAINLAB_KDF_N: '1024',
    CHAINLAB_PASSWORD: 'secret',
    CHAINLAB_MEMPOOL: `http://127.0.0.1:${closedPort}`,
    CHAINLAB_NODE: `http://127.0.0.1:${closedPort}`,
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wallet CLI: help and usage errors', () => {
  it('--help lists every command, level 3 included, and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of [
      'new',
      'import',
      'list',
      'address',
      'balance',
      'send',
      'status',
      'history',
      'faucet',
      'deploy',
      'call',
      'send-call',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    }
    expect(r.stdout).toContain('Exit codes');
  });

  it('accepts the leading -- that `pnpm wallet -- …` passes', async () => {
    const r = await runCli(['--', 'send', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--amount <coins>');
    expect(r.stdout).toContain('Examples:');
  });

  it.each([
    [[], /Usage: wallet/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['balance', '--bogus'], /unknown option '--bogus'/],
    [['send', '--to', ADDR], /required option '--amount <coins>'/],
    [['send', '--to', ADDR, '--amount', '1.2.3'], /BAD_AMOUNT.*1\.2\.3/],
    [['send', '--to', ADDR, '--amount', '-1'], /BAD_AMOUNT/],
    [['send', '--to', ADDR, '--amount', '0'], /more than 0/],
    [['send', '--to', ADDR, '--amount', '0.0000000000000000001'], /at most 18 decimal places/],
    [['send', '--to', ADDR, '--amount', '1', '--fee', 'x'], /BAD_AMOUNT.*--fee/],
    [['send', '--to', ADDR, '--amount', '1', '--wait', 'soon'], /--wait/],
    [
      ['send', '--to', ADDR.toLowerCase().replace('0x5a', '0x5A'), '--amount', '1'],
      /INVALID_ADDRESS/,
    ],
    [['balance', '--confirmations', '-1'], /--confirmations/],
    [['status', '0x1234'], /BAD_TXID/],
    [['list', 'extra'], /too many arguments/],
    [['--mempool', 'not a url', 'list'], /--mempool/],
    [['--spec', 'nonexistent', 'list'], /BAD_SPEC/],
    [['--kdf-n', '1000', 'list'], /power of two/],
    [['new', '--name', '0xabc'], /BAD_NAME/],
    [['import', '0x1234'], /INVALID_PRIVATE_KEY/],
  ])('%j is a usage error: exit 2', async (args, message) => {
    const r = await runCli(args as string[], env);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('--json usage errors print one JSON error object', async () => {
    const r = await runCli(['--json', 'send', '--to', ADDR, '--amount', 'lots'], env);
    expect(r.code).toBe(2);
    expect(r.json()).toEqual({
      error: { code: 'BAD_AMOUNT', message: expect.stringContaining('lots') },
    });
    const u = await runCli(['--json', 'bogus'], env);
    expect(u.code).toBe(2);
    expect(u.json()).toMatchObject({
      error: { code: 'USAGE', message: expect.stringContaining('bogus') },
    });
  });

  it.each([
    ['deploy', 'Token.sol', '--contract', 'Token'],
    ['call', ADDR, 'balanceOf(address)(uint256)', ADDR],
    ['send-call', ADDR, 'f()'],
  ])('level 3 command %s on a level-2 spec answers WRONG_LEVEL with exit 1', async (...args) => {
    const r = await runCli(args, env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: WRONG_LEVEL: .*level-3 chain/m);
  });

  it('the faucet refuses non-devnet specs with exit 1', async () => {
    const specFile = join(dir, 'mainnet.json');
    writeFileSync(
      specFile,
      JSON.stringify({
        extends: 'devnet',
        name: 'notdev',
        chainId: 4242,
        devnet: false,
        devKeys: [],
      }),
    );
    const r = await runCli(['--spec', specFile, 'faucet', ADDR], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: NOT_DEVNET: .*not a devnet/m);
  });

  it('an unreachable mempool is exit 1 with a hint', async () => {
    const r = await runCli(['balance', ADDR], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error: UNREACHABLE: cannot reach the mempool at http://127.0.0.1:${closedPort} (is \`pnpm dev\` running?`,
    );
    const j = await runCli(['--json', 'balance', ADDR], env);
    expect(j.json()).toMatchObject({ error: { code: 'UNREACHABLE' } });
  });
});

describe('wallet CLI: keys (offline)', () => {
  it('new → list → address, in human and JSON form; the file decrypts to the same address', async () => {
    const a = await runCli(['new', '--name', 'alice'], env);
    expect(a.code, a.stderr).toBe(0);
    const address = /New key alice: (0x[0-9a-fA-F]{40})/.exec(a.stdout)?.[1];
    expect(address).toBeDefined();

    const b = await runCli(['--json', 'new', '--name', 'bob'], env);
    expect(b.code, b.stderr).toBe(0);
    const bob = b.json<{ address: string; name: string; file: string }>();
    expect(bob).toMatchObject({
      address: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
      name: 'bob',
    });
    const wallet = await Wallet.fromV3(readFileSync(bob.file, 'utf8'), 'secret');
    expect(wallet.getChecksumAddressString()).toBe(bob.address);

    const list = await runCli(['--json', 'list'], env);
    expect(list.json<{ keys: unknown[] }>().keys).toEqual([
      expect.objectContaining({ name: 'alice', address, default: true }),
      expect.objectContaining({ name: 'bob', address: bob.address, default: false }),
    ]);
    const human = await runCli(['list'], env);
    expect(human.stdout).toMatch(new RegExp(`\\*\\s+alice\\s+${address}`));

    expect((await runCli(['address'], env)).stdout.trim()).toBe(address);
    expect((await runCli(['--json', 'address', 'bob'], env)).json()).toEqual({
      address: bob.address,
      name: 'bob',
    });
    const missing = await runCli(['address', 'carol'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/KEY_NOT_FOUND/);

    const dup = await runCli(['new', '--name', 'alice'], env);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/NAME_TAKEN/);
  });

  it('import from the argument, from stdin, with a password file; refuses a second copy', async () => {
    const key = '0x' + '5e'.repeat(32);
    const pwFile = join(dir, 'pw.txt');
    writeFileSync(pwFile, 'from-file\nignored second line\n');
    const noPwEnv = { ...env, CHAINLAB_PASSWORD: undefined };
    const r = await runCli(
      ['--json', '--password-file', pwFile, 'import', key, '--name', 'carol'],
      noPwEnv,
    );
    expect(r.code, r.stderr).toBe(0);
    const carol = r.json<{ address: string; file: string }>();
    expect(carol.address).toBe(privateKeyToAddress(key));
    await expect(
      Wallet.fromV3(readFileSync(carol.file, 'utf8'), 'from-file'),
    ).resolves.toBeDefined();

    const again = await runCli(['import', key], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/KEY_EXISTS/);

    const key2 = '6f'.repeat(32);
    const s = await runCli(['--json', 'import', '-', '--name', 'dave'], env, `${key2}\n`);
    expect(s.code, s.stderr).toBe(0);
    expect(s.json()).toMatchObject({ address: privateKeyToAddress(key2), name: 'dave' });
  });

  it('without a password source and without a terminal: usage error, nothing written', async () => {
    const r = await runCli(['new', '--name', 'nopw'], { ...env, CHAINLAB_PASSWORD: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no password/);
    const list = await runCli(['--json', 'list'], env);
    expect(JSON.stringify(list.json())).not.toContain('nopw');
  });

  it('a wrong password is refused with exit 1 before anything is sent', async () => {
    const r = await runCli(['send', '--from', 'alice', '--to', 'bob', '--amount', '1'], {
      ...env,
      CHAINLAB_PASSWORD: 'wrong',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: WRONG_PASSWORD: wrong password for alice/m);
  });

  it('command-line flags win over CHAINLAB_* variables', async () => {
    const other = join(dir, 'other-keystore');
    const r = await runCli(['--json', '--keystore-dir', other, 'list'], env);
    expect(r.json()).toEqual({ keys: [] });
  });
});
