// Issue 6, tests 1 and 6: the wallet CLI against real processes — tracker, mempool, a
// mining node (mining on request only, so every block is the test's) and a relay node the
// wallet talks to. wallet new → faucet → send to a second wallet → --wait 2; balances at
// confirmations 0, 1, 2 follow docs/api.md at every step; /confirmations counts up; the
// keystore files decrypt with the password to the same address.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { loadSpec, privateKeyToAddress, type ChainSpec } from '@chainlab/core';
import {
  REPO_ROOT,
  getJson,
  mineBlocks,
  removeTempDirs,
  setMining,
  spawnService,
  startMempool,
  startNode,
  stopAllServices,
  tempDir,
  tipOf,
  waitFor,
  writeSpec,
  type ServiceProcess,
} from './helpers/index.js';

const CLI = path.join(REPO_ROOT, 'apps/wallet-cli/dist/main.js');

// @ethereumjs/wallet, the library other Ethereum tools use, straight from the wallet app's
// dependencies (the repo root does not depend on it).
interface EthWallet {
  getPrivateKey(): Uint8Array;
  getChecksumAddressString(): string;
}
const { Wallet } = (await import(
  pathToFileURL(
    path.join(REPO_ROOT, 'apps/wallet-cli/node_modules/@ethereumjs/wallet/dist/esm/index.js'),
  ).href
)) as { Wallet: { fromV3(json: string, password: string): Promise<EthWallet> } };
const PASSWORD = 'correct horse battery staple';

let specPath: string;
let spec: ChainSpec;
let keystoreDir: string;
let tracker: ServiceProcess;
let mempool: ServiceProcess;
let miner: ServiceProcess;
let relay: ServiceProcess;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built wallet (asynchronously: the test keeps mining while it waits). */
function wallet(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const childEnv: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CHAINLAB_')) childEnv[k] = v;
  Object.assign(childEnv, {
    CHAINLAB_MEMPOOL: mempool.url,
    CHAINLAB_NODE: relay.url,
    CHAINLAB_SPEC: specPath,
    CHAINLAB_KEYSTORE_DIR: keystoreDir,
    CHAINLAB_PASSWORD: PASSWORD,
    ...env,
  });
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: childEnv, timeout: 180_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

async function walletJson<T = Record<string, unknown>>(
  args: string[],
  env: Record<string, string> = {},
): Promise<T> {
  const r = await wallet(['--json', ...args], env);
  if (r.code !== 0)
    throw new Error(`wallet ${args.join(' ')} → exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const balance = async (address: string, confirmations: number): Promise<bigint> =>
  BigInt(
    (
      await getJson<{ balance: string }>(
        `${mempool.url}/balance/${address}?confirmations=${confirmations}`,
      )
    ).balance,
  );

const confirmationsOf = async (txid: string): Promise<number> =>
  (await getJson<{ confirmations: number }>(`${mempool.url}/confirmations/${txid}`)).confirmations;

/** Mines `n` blocks on the miner and waits until the mempool and the relay node have them. */
async function mine(n: number): Promise<number> {
  await mineBlocks(miner, n);
  const { height } = await tipOf(miner);
  await waitFor(
    async () =>
      (await getJson<{ height: number }>(`${mempool.url}/status`)).height >= height &&
      (await tipOf(relay)).height >= height,
    { timeoutMs: 60_000, message: `mempool and relay at height ${height}` },
  );
  return height;
}

/** Balances of several addresses at confirmations 0, 1, 2. */
async function balances(addresses: string[]): Promise<bigint[][]> {
  return Promise.all(addresses.map((a) => Promise.all([0, 1, 2].map((n) => balance(a, n)))));
}

beforeAll(async () => {
  specPath = writeSpec('instant', 'devnet', { name: 'test-wallet', targetBlockTimeSeconds: 1 });
  spec = loadSpec(JSON.parse(readFileSync(specPath, 'utf8')));
  keystoreDir = path.join(tempDir('chainlab-keystore-'), 'keystore');
  tracker = await spawnService('tracker', ['--ttl', '10']);
  mempool = await startMempool({ spec: specPath, tracker: tracker.url });
  // Mining is switched off at once: blocks come only from mine() below.
  const coinbase = privateKeyToAddress(spec.devKeys[9]!);
  miner = await startNode({
    spec: specPath,
    tracker: tracker.url,
    mempool: mempool.url,
    extra: ['--coinbase', coinbase],
  });
  await setMining([miner], false);
  relay = await startNode({
    spec: specPath,
    tracker: tracker.url,
    mempool: mempool.url,
    mine: false,
    extra: ['--peers', miner.url],
  });
  await mine(1);
});

afterAll(async () => {
  await stopAllServices();
  removeTempDirs();
});

describe('wallet CLI end to end (real tracker, mempool, 2 nodes)', () => {
  let alice: string;
  let bob: string;
  const fee = () => spec.minFee;
  const COIN = () => 10n ** BigInt(spec.coin.decimals);

  it('creates two wallets; alice with the standard scrypt cost', async () => {
    alice = (await walletJson<{ address: string }>(['new', '--name', 'alice'])).address;
    bob = (
      await walletJson<{ address: string }>(['new', '--name', 'bob'], { CHAINLAB_KDF_N: '4096' })
    ).address;
    expect(alice).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(bob).not.toBe(alice);
    const list = await walletJson<{ keys: { name: string; address: string }[] }>(['list']);
    expect(list.keys.map((k) => [k.name, k.address])).toEqual([
      ['alice', alice],
      ['bob', bob],
    ]);
    expect(await balances([alice, bob])).toEqual([
      [0n, 0n, 0n],
      [0n, 0n, 0n],
    ]);
  });

  it('faucet funds alice; her balance at confirmations 0, 1, 2 follows the blocks', async () => {
    const amount = 100n * COIN();
    const f = await walletJson<{
      txid: string;
      confirmations: number;
      from: string;
      to: string;
      amount: string;
    }>(['faucet', 'alice', '--amount', '100']);
    expect(f).toMatchObject({ confirmations: 0, to: alice, amount: amount.toString() });
    expect(spec.devKeys.map((k) => privateKeyToAddress(k))).toContain(f.from);
    expect(await confirmationsOf(f.txid)).toBe(0);
    expect(await balances([alice])).toEqual([[amount, 0n, 0n]]);

    await mine(1); // the miner has every acknowledged tx (the mempool's feed)
    expect(await confirmationsOf(f.txid)).toBe(1);
    expect(await balances([alice])).toEqual([[amount, amount, 0n]]);

    await mine(1);
    expect(await confirmationsOf(f.txid)).toBe(2);
    expect(await balances([alice])).toEqual([[amount, amount, amount]]);
    // The wallet reports the same numbers.
    for (const n of [0, 1, 2]) {
      const b = await walletJson<{ balance: string; confirmations: number }>([
        'balance',
        'alice',
        '--confirmations',
        String(n),
      ]);
      expect(b).toMatchObject({ balance: amount.toString(), confirmations: n });
    }
  });

  it('send --wait 2: waits while /confirmations counts 0, 1, 2; balances follow docs/api.md at each step', async () => {
    const start = 100n * COIN();
    const amount = (3n * COIN()) / 2n; // 1.5 coins
    const sending = wallet([
      '--json',
      'send',
      '--from',
      'alice',
      '--to',
      'bob',
      '--amount',
      '1.5',
      '--wait',
      '2',
      '--timeout',
      '150',
    ]);

    // The tx reaches the mempool (the wallet is now waiting for confirmations).
    const pending = await waitFor(
      async () =>
        (await getJson<{ from: string; to: string }[]>(`${mempool.url}/unprocessed`)).find(
          (t) => t.from === alice && t.to === bob,
        ),
      { timeoutMs: 60_000, message: "alice's tx in /unprocessed" },
    );
    expect(pending).toBeDefined();
    const after = start - amount - fee();
    expect(await balances([alice, bob])).toEqual([
      [after, start, start],
      [amount, 0n, 0n],
    ]);

    const seen: number[] = [];
    const txid = await waitFor(async () => {
      const r = await wallet(['--json', 'history', 'alice', '--limit', '1']);
      const tx = (JSON.parse(r.stdout) as { txs: { txid: string; confirmations: number }[] })
        .txs[0];
      return tx && tx.confirmations === 0 ? tx.txid : undefined;
    });
    seen.push(await confirmationsOf(txid));

    await mine(1);
    seen.push(await confirmationsOf(txid));
    expect(await balances([alice, bob])).toEqual([
      [after, after, start],
      [amount, amount, 0n],
    ]);

    await mine(1);
    const done = await sending;
    expect(done.code, done.stderr).toBe(0);
    seen.push(await confirmationsOf(txid));
    expect(seen).toEqual([0, 1, 2]);
    const out = JSON.parse(done.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      txid,
      confirmations: 2,
      from: alice,
      to: bob,
      amount: amount.toString(),
      fee: fee().toString(),
    });
    expect(out.blockHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await balances([alice, bob])).toEqual([
      [after, after, after],
      [amount, amount, amount],
    ]);

    // status and history through the wallet agree.
    const status = await walletJson<{ confirmations: number; blockHash: string }>(['status', txid]);
    expect(status).toMatchObject({ confirmations: 2, blockHash: out.blockHash });
    const hist = await walletJson<{
      txs: { txid: string; direction: string; confirmations: number }[];
    }>(['history', 'bob']);
    expect(hist.txs[0]).toMatchObject({ txid, direction: 'in', confirmations: 2 });
  });

  it('two quick sends get consecutive nonces; an overspend is refused with INSUFFICIENT_FUNDS', async () => {
    const a = await walletJson<{ nonce: number }>([
      'send',
      '--from',
      'alice',
      '--to',
      bob,
      '--amount',
      '1',
    ]);
    const b = await walletJson<{ nonce: number }>([
      'send',
      '--from',
      'alice',
      '--to',
      bob,
      '--amount',
      '2',
    ]);
    expect(b.nonce).toBe(a.nonce + 1);
    const last = await walletJson<{ txs: { txid: string }[] }>([
      'history',
      'alice',
      '--limit',
      '1',
    ]);
    const over = await wallet(['send', '--from', 'bob', '--to', 'alice', '--amount', '1000']);
    expect(over.code).toBe(1);
    expect(over.stderr).toMatch(/^error: INSUFFICIENT_FUNDS: /m);
    await mine(1);
    expect(await confirmationsOf(last.txs[0]!.txid)).toBe(1);
    expect(await balance(bob, 1)).toBe((3n * COIN()) / 2n + 3n * COIN());
  });

  it('the keystore files decrypt with the password and yield the same address', async () => {
    const files = readdirSync(keystoreDir).filter((f) => f.startsWith('UTC--'));
    expect(files).toHaveLength(2);
    const addresses: string[] = [];
    for (const f of files) {
      const json = readFileSync(path.join(keystoreDir, f), 'utf8');
      const w = await Wallet.fromV3(json, PASSWORD);
      const address = privateKeyToAddress(w.getPrivateKey());
      expect(w.getChecksumAddressString()).toBe(address);
      expect(f.endsWith(address.slice(2).toLowerCase())).toBe(true);
      addresses.push(address);
      await expect(Wallet.fromV3(json, 'wrong password')).rejects.toThrow(/wrong passphrase/);
    }
    expect(addresses.sort()).toEqual([alice, bob].sort());
    const standard = JSON.parse(
      readFileSync(
        path.join(
          keystoreDir,
          files.find((f) => f.endsWith(alice.slice(2).toLowerCase()))!,
        ),
        'utf8',
      ),
    );
    expect(standard.crypto.kdfparams.n).toBe(262_144);
  });
});
