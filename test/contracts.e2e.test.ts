// Issue 7, phase 2: level 3 end to end through the real processes — a tracker, the
// mempool, one node that mines only on request (/dev/mine), and the built wallet CLI.
// Counter: deploy, read-only call, send-call with its event, the new value. Token (ERC-20):
// deploy with constructor arguments, transfer, balanceOf. A reverting send-call is mined,
// shows its reason and charges exactly its fee. The mempool refuses what a block could not
// hold. A reorg that removes the deploying block removes the contract; reconsidering the
// block brings it back.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contractAddress,
  loadSpec,
  privateKeyToAddress,
  signTx,
  txToJson,
  type ChainSpec,
} from '@chainlab/core';
import {
  REPO_ROOT,
  getJson,
  mineBlocks,
  removeTempDirs,
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
const COUNTER = path.join(REPO_ROOT, 'examples/counter/Counter.sol');
const TOKEN = path.join(REPO_ROOT, 'examples/token/Token.sol');

let specPath: string;
let spec: ChainSpec;
let keystoreDir: string;
let tracker: ServiceProcess;
let mempool: ServiceProcess;
let node: ServiceProcess;
let alice: string;
let bob: string;
let carol: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built wallet (asynchronously: the test mines while it waits). `asPnpm` runs it
 * as `pnpm wallet -- …` typed in that folder does: from the repository root, with the
 * user's folder in INIT_CWD.
 */
function wallet(args: string[], asPnpm?: { initCwd: string }): Promise<Run> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CHAINLAB_')) env[k] = v;
  Object.assign(env, {
    CHAINLAB_MEMPOOL: mempool.url,
    CHAINLAB_NODE: node.url,
    CHAINLAB_SPEC: specPath,
    CHAINLAB_KEYSTORE_DIR: keystoreDir,
    CHAINLAB_PASSWORD: 'pw',
    CHAINLAB_KDF_N: '1024',
    CHAINLAB_TIMEOUT: '150',
  });
  if (asPnpm) Object.assign(env, { npm_lifecycle_event: 'wallet', INIT_CWD: asPnpm.initCwd });
  const options = { env, timeout: 200_000, cwd: REPO_ROOT };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], options, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

const parse = <T>(r: Run): T => {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not one JSON object (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
};

async function walletJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const r = await wallet(['--json', ...args]);
  if (r.code !== 0)
    throw new Error(`wallet ${args.join(' ')} → exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return parse<T>(r);
}

const post = async (url: string, body: unknown) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** Mines `n` blocks and waits until the mempool follows. */
async function mine(n = 1): Promise<number> {
  await mineBlocks(node, n);
  const { height } = await tipOf(node);
  await waitFor(
    async () => (await getJson<{ height: number }>(`${mempool.url}/status`)).height >= height,
    { timeoutMs: 60_000, message: `mempool at height ${height}` },
  );
  return height;
}

const confirmations = async (txid: string): Promise<number> =>
  (await getJson<{ confirmations: number }>(`${mempool.url}/confirmations/${txid}`)).confirmations;

/**
 * Runs a wallet command that waits for its tx (--wait 1): mines a block whenever the
 * mempool holds a tx, until the command ends.
 */
async function withBlocks(run: Promise<Run>): Promise<Run> {
  let done = false;
  void run.finally(() => (done = true));
  await waitFor(
    async () => {
      if (done) return true;
      const pending = await getJson<unknown[]>(`${mempool.url}/unprocessed`);
      if (pending.length > 0) await mine(1);
      return done;
    },
    { timeoutMs: 180_000, intervalMs: 200, message: 'the wallet command to end' },
  );
  return run;
}

const account = (a: string) =>
  getJson<{ balance: string; nonce: number; codeSize: number }>(`${node.url}/account/${a}`);

beforeAll(async () => {
  specPath = writeSpec('instant', 'devnet-contracts', { name: 'test-contracts' });
  spec = loadSpec(JSON.parse(readFileSync(specPath, 'utf8')));
  keystoreDir = path.join(tempDir('chainlab-keystore-'), 'keystore');
  tracker = await spawnService('tracker', ['--ttl', '10']);
  mempool = await startMempool({ spec: specPath, tracker: tracker.url });
  node = await startNode({
    spec: specPath,
    tracker: tracker.url,
    mempool: mempool.url,
    mine: false,
    extra: ['--coinbase', privateKeyToAddress(spec.devKeys[9]!)],
  });
  await waitFor(
    async () => (await getJson<{ peers: string[] }>(`${mempool.url}/status`)).peers.length > 0,
    {
      timeoutMs: 60_000,
      message: 'the mempool connected to the node',
    },
  );
  await mine(1);
  // One at a time: each import rewrites the keystore's names.json.
  const names = ['alice', 'bob', 'carol'];
  const addresses: string[] = [];
  for (const [i, name] of names.entries())
    addresses.push(
      (await walletJson<{ address: string }>(['import', spec.devKeys[i]!, '--name', name])).address,
    );
  [alice, bob, carol] = addresses as [string, string, string];
});

afterAll(async () => {
  await stopAllServices();
  removeTempDirs();
});

describe('contracts end to end (tracker, mempool, node, wallet CLI)', () => {
  let counter: string;
  let counterTxid: string;
  let token: string;

  it('deploys Counter: the address is CREATE(alice, nonce), the code is on chain after a block', async () => {
    const nonce = (await account(alice)).nonce;
    const d = await walletJson<{ address: string; txid: string }>([
      'deploy',
      COUNTER,
      '--from',
      'alice',
    ]);
    expect(d.address).toBe(contractAddress(alice, nonce));
    expect(d.txid).toMatch(/^0x[0-9a-f]{64}$/);
    counter = d.address;
    counterTxid = d.txid;
    await mine(1); // the node has every acknowledged tx (the mempool's feed)
    expect(await confirmations(d.txid)).toBe(1);
    const code = await getJson<{ code: string }>(`${node.url}/code/${counter}`);
    expect(code.code.length).toBeGreaterThan(100);
    expect((await account(counter)).codeSize).toBe((code.code.length - 2) / 2);
    // The receipt, on the node and on the mempool alike.
    const receipt = await getJson<Record<string, unknown>>(`${node.url}/receipt/${d.txid}`);
    expect(receipt).toMatchObject({ txid: d.txid, status: 1, contractAddress: counter });
    expect(await getJson(`${mempool.url}/receipt/${d.txid}`)).toEqual(receipt);
  });

  it('deploys a contract of a project in its own folder that imports @openzeppelin/contracts from its node_modules', async () => {
    // A user's project as npm/Hardhat lay it out; the wallet is run as `pnpm wallet -- deploy
    // contracts/MyToken.sol` typed inside the project folder.
    const project = tempDir('chainlab-dapp-');
    writeFileSync(path.join(project, 'package.json'), '{"name":"my-dapp","private":true}');
    const oz = path.dirname(
      createRequire(path.join(REPO_ROOT, 'packages/evm/package.json')).resolve(
        '@openzeppelin/contracts/package.json',
      ),
    );
    cpSync(oz, path.join(project, 'node_modules/@openzeppelin/contracts'), { recursive: true });
    mkdirSync(path.join(project, 'contracts'));
    writeFileSync(
      path.join(project, 'contracts/MyToken.sol'),
      `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
contract MyToken is ERC20 {
    constructor(uint256 supply) ERC20("My Token", "MTK") { _mint(msg.sender, supply); }
}
`,
    );
    const r = await wallet(
      ['--json', 'deploy', 'contracts/MyToken.sol', '--args', '1000', '--from', 'alice'],
      { initCwd: project },
    );
    expect(r.code, r.stderr).toBe(0);
    const d = parse<{ address: string; txid: string }>(r);
    await mine(1);
    expect(await confirmations(d.txid)).toBe(1);
    expect(await walletJson(['call', d.address, 'symbol()(string)'])).toEqual({ result: ['MTK'] });
    expect(await walletJson(['call', d.address, 'balanceOf(address)(uint256)', alice])).toEqual({
      result: ['1000'],
    });
  });

  it('calls count() read-only, then increments it in a tx and sees the event and the new value', async () => {
    expect(await walletJson(['call', counter, 'count()(uint256)'])).toEqual({ result: ['0'] });
    expect(await walletJson(['call', counter, 'owner()(address)'])).toEqual({ result: [alice] });
    const r = await withBlocks(
      wallet(['--json', 'send-call', counter, 'increment()', '--from', 'bob', '--wait', '1']),
    );
    expect(r.code, r.stderr).toBe(0);
    const out = parse<Record<string, unknown>>(r);
    expect(out).toMatchObject({
      status: 1,
      confirmations: 1,
      from: bob,
      to: counter,
      function: 'increment',
    });
    expect(out.events).toEqual([
      expect.objectContaining({
        address: counter,
        event: 'Incremented',
        args: { by: bob, count: '1' },
      }),
    ]);
    expect(await walletJson(['call', counter, 'count()(uint256)'])).toEqual({ result: ['1'] });
    // The same for humans: the decoded event with the key's name.
    const human = await withBlocks(
      wallet(['send-call', counter, 'add(uint256)', '41', '--from', 'carol', '--wait', '1']),
    );
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('status 1 (success)');
    expect(human.stdout).toContain(`event Incremented(by: ${carol} (carol), count: 42)`);
    expect((await wallet(['call', counter, 'count()(uint256)'])).stdout.trim()).toBe('42');
    const storage = await getJson<{ value: string }>(`${node.url}/storage/${counter}/0`);
    expect(BigInt(storage.value)).toBe(42n);
  });

  it('sends coins at level 3 as a 21,000-gas contract tx', async () => {
    const before = BigInt((await account(carol)).balance);
    const r = await withBlocks(
      wallet([
        '--json',
        'send',
        '--to',
        'carol',
        '--amount',
        '1',
        '--from',
        'alice',
        '--wait',
        '1',
      ]),
    );
    expect(r.code, r.stderr).toBe(0);
    const out = parse<Record<string, unknown>>(r);
    expect(out).toMatchObject({ status: 1, gasUsed: '21000', gasLimit: '21000' });
    expect(BigInt((await account(carol)).balance) - before).toBe(10n ** 18n);
  });

  it('deploys an ERC-20 with constructor arguments, transfers and reads balances', async () => {
    const r = await withBlocks(
      wallet([
        '--json',
        'deploy',
        TOKEN,
        '--contract',
        'Token',
        '--args',
        'Chainlab Token',
        'CLT',
        '1000',
        '--from',
        'alice',
        '--wait',
        '1',
      ]),
    );
    expect(r.code, r.stderr).toBe(0);
    const d = parse<{
      address: string;
      txid: string;
      status: number;
      events: { event?: string; args?: unknown }[];
    }>(r);
    token = d.address;
    expect(d.status).toBe(1);
    expect(d.events).toEqual([
      expect.objectContaining({
        event: 'Transfer',
        args: { from: '0x' + '0'.repeat(40), to: alice, value: '1000' },
      }),
    ]);
    expect(await walletJson(['call', token, 'name()(string)'])).toEqual({
      result: ['Chainlab Token'],
    });
    const t = await withBlocks(
      wallet([
        '--json',
        'send-call',
        token,
        'transfer(address,uint256)',
        'bob',
        '250',
        '--from',
        'alice',
        '--wait',
        '1',
      ]),
    );
    expect(t.code, t.stderr).toBe(0);
    expect(parse<{ events: unknown[] }>(t).events).toEqual([
      expect.objectContaining({ event: 'Transfer', args: { from: alice, to: bob, value: '250' } }),
    ]);
    expect(await walletJson(['call', token, 'balanceOf(address)(uint256)', 'bob'])).toEqual({
      result: ['250'],
    });
    expect(await walletJson(['call', token, 'balanceOf(address)(uint256)', alice])).toEqual({
      result: ['750'],
    });
  });

  it('a reverting call shows its reason; as a tx it is mined, charges exactly its fee and changes nothing else', async () => {
    const ro = await wallet([
      '--json',
      'call',
      token,
      'transfer(address,uint256)(bool)',
      'carol',
      '1000',
      '--from',
      'bob',
    ]);
    expect(ro.code).toBe(1);
    expect(parse(ro)).toMatchObject({
      error: { code: 'REVERTED' },
      revertReason: 'Token: balance too low',
    });

    const before = await account(bob);
    const r = await withBlocks(
      wallet([
        '--json',
        'send-call',
        token,
        'transfer(address,uint256)',
        'carol',
        '1000',
        '--from',
        'bob',
        '--wait',
        '1',
      ]),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('fails at the tip'); // the wallet warned before sending
    const out = parse<Record<string, unknown>>(r);
    expect(out).toMatchObject({
      error: { code: 'REVERTED', message: expect.stringContaining('Token: balance too low') },
      status: 0,
      evmError: 'revert',
      revertReason: 'Token: balance too low',
      events: [],
    });
    const fee = BigInt(out.fee as string);
    expect(fee).toBe(BigInt(out.gasUsed as string) * BigInt(out.gasPrice as string));
    expect(fee).toBeGreaterThan(0n);
    const after = await account(bob);
    expect(after.nonce).toBe(before.nonce + 1);
    expect(BigInt(before.balance) - BigInt(after.balance)).toBe(fee);
    expect(await walletJson(['call', token, 'balanceOf(address)(uint256)', 'bob'])).toEqual({
      result: ['250'],
    });
    // history: the failed call cost bob its fee and moved nothing.
    const hist = await walletJson<{ txs: { txid: string; delta: string; fee: string }[] }>([
      'history',
      'bob',
    ]);
    expect(hist.txs.find((t) => t.txid === out.txid)).toMatchObject({
      fee: fee.toString(),
      delta: (-fee).toString(),
    });

    // The human form names the reason too.
    const human = await withBlocks(
      wallet(['send-call', counter, 'fail()', '--from', 'bob', '--wait', '1']),
    );
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('status 0 (failed: revert)');
    expect(human.stdout).toContain('revert reason: Counter: this call always fails');
    expect(human.stderr).toMatch(/^error: REVERTED: .*Counter: this call always fails/m);
  });

  it('the mempool refuses what no block could hold, and type-1 transfers to a contract', async () => {
    const key = spec.devKeys[4]!;
    const nonce = (await account(privateKeyToAddress(key))).nonce;
    const push = (tx: Parameters<typeof txToJson>[0]) =>
      post(`${mempool.url}/pushtx`, txToJson(tx));
    const call = {
      kind: 'contract' as const,
      to: counter,
      amount: 0n,
      nonce,
      chainId: spec.chainId,
      data: '0xd09de08a',
    };
    const code = async (p: ReturnType<typeof push>) =>
      ((await p).body.error as { code: string } | undefined)?.code;
    expect(
      await code(
        push(
          signTx({ to: counter, amount: 1n, fee: spec.minFee, nonce, chainId: spec.chainId }, key),
        ),
      ),
    ).toBe('INVALID_JSON');
    expect(await code(push(signTx({ ...call, gasLimit: 60_000n, gasPrice: 1n }, key)))).toBe(
      'FEE_TOO_LOW',
    );
    expect(await code(push(signTx({ ...call, gasLimit: 21_000n, gasPrice: 10n ** 9n }, key)))).toBe(
      'FEE_TOO_LOW',
    );
    expect(
      await code(
        push(signTx({ ...call, gasLimit: spec.blockGasLimit + 1n, gasPrice: 10n ** 9n }, key)),
      ),
    ).toBe('TOO_LARGE');
    const ok = await push(signTx({ ...call, gasLimit: 60_000n, gasPrice: 10n ** 9n }, key));
    expect(ok.status).toBe(200);
    await mine(1);
    expect(await confirmations(ok.body.txid as string)).toBe(1);
    expect(await walletJson(['call', counter, 'count()(uint256)'])).toEqual({ result: ['43'] });
  });

  it('a reorg that removes the deploying block removes the contract; reconsidering it brings it back', async () => {
    const receipt = await getJson<{ blockHash: string }>(`${node.url}/receipt/${counterTxid}`);
    const inv = await post(`${node.url}/dev/invalidate`, { hash: receipt.blockHash });
    expect(inv.status).toBe(200);
    expect((await getJson<{ code: string }>(`${node.url}/code/${counter}`)).code).toBe('0x');
    expect(
      BigInt((await getJson<{ value: string }>(`${node.url}/storage/${counter}/0`)).value),
    ).toBe(0n);
    const gone = await post(`${node.url}/call`, { to: counter, data: '0x06661abd' }); // count()
    expect(gone.body).toMatchObject({ status: 1, result: '0x' });
    expect((await fetch(`${node.url}/receipt/${counterTxid}`)).status).toBe(404);
    const r = await wallet(['--json', 'call', counter, 'count()(uint256)']);
    expect(r.code).toBe(1);
    expect(parse(r)).toMatchObject({ error: { code: 'NO_CODE' } });

    const back = await post(`${node.url}/dev/reconsider`, { hash: receipt.blockHash });
    expect(back.status).toBe(200);
    expect(
      (await getJson<{ code: string }>(`${node.url}/code/${counter}`)).code.length,
    ).toBeGreaterThan(100);
    expect(await walletJson(['call', counter, 'count()(uint256)'])).toEqual({ result: ['43'] });
    expect(await getJson(`${node.url}/receipt/${counterTxid}`)).toMatchObject({
      status: 1,
      contractAddress: counter,
    });
  });

  it('the contract routes check their input, and exist on level-3 chains only', async () => {
    const code = async (url: string, init?: RequestInit) => {
      const res = await fetch(url, init);
      return [res.status, ((await res.json()) as { error?: { code: string } }).error?.code];
    };
    const postCall = (body: unknown): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(await code(`${node.url}/storage/${counter}/0xzz`)).toEqual([400, 'INVALID_SLOT']);
    expect(await code(`${node.url}/storage/${counter}/${'1'.repeat(80)}`)).toEqual([
      400,
      'INVALID_SLOT',
    ]);
    expect(await code(`${node.url}/code/${counter.toLowerCase().replace('0x', '0x0')}`)).toEqual([
      400,
      'INVALID_ADDRESS',
    ]);
    expect(await code(`${node.url}/call`, postCall({ to: counter, data: '0x0' }))).toEqual([
      400,
      'INVALID_REQUEST',
    ]);
    expect(
      await code(
        `${node.url}/call`,
        postCall({ to: counter, data: '0x', gasLimit: (spec.blockGasLimit + 1n).toString() }),
      ),
    ).toEqual([400, 'GAS_LIMIT']);
    expect(
      await code(`${node.url}/call`, postCall({ to: counter, data: '0x', gasLimit: '20000' })),
    ).toEqual([400, 'GAS_LIMIT']);
    expect(await code(`${node.url}/receipt/0x${'00'.repeat(32)}`)).toEqual([404, 'TX_NOT_FOUND']);

    const level2 = await startNode({
      spec: writeSpec('instant', 'devnet', { name: 'test-level2' }),
      mine: false,
      extra: ['--tracker', 'http://127.0.0.1:9'],
    });
    for (const path of [
      `/code/${counter}`,
      `/storage/${counter}/0`,
      `/receipt/0x${'00'.repeat(32)}`,
    ])
      expect(await code(`${level2.url}${path}`)).toEqual([404, 'NOT_FOUND']);
    expect(await code(`${level2.url}/call`, postCall({ to: counter, data: '0x' }))).toEqual([
      404,
      'NOT_FOUND',
    ]);
    await level2.stop();
  });
});
