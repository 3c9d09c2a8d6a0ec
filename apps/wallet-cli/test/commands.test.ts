// The network commands (faucet, balance, send, status, history) of the built CLI against
// an in-memory node + mempool (fake-chain.ts) that mines only when told to.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinSpec, privateKeyToAddress } from '@chainlab/core';
import { FakeChain } from './fake-chain.js';
import { cliBuilt, runCli } from './run-cli.js';

const spec = builtinSpec('devnet')!;
const COIN = 10n ** 18n;
let dir: string;
let chain: FakeChain;
let env: Record<string, string>;
let alice: string;
let bob: string;
const wallet = (args: string[], extra: Record<string, string | undefined> = {}) =>
  runCli(args, { ...env, ...extra });

beforeAll(async () => {
  cliBuilt();
  dir = mkdtempSync(join(tmpdir(), 'wallet-cmd-'));
  chain = new FakeChain(spec);
  const url = await chain.start();
  env = {
    CHAINLAB_KEYSTORE_DIR: join(dir, 'keystore'),
    CHAINLAB_KDF_N: '1024',
    CHAINLAB_PASSWORD: 'pw',
    CHAINLAB_MEMPOOL: url,
    CHAINLAB_NODE: url,
  };
  alice = (await wallet(['--json', 'new', '--name', 'alice'])).json<{ address: string }>().address;
  bob = (await wallet(['--json', 'new', '--name', 'bob'])).json<{ address: string }>().address;
});
afterAll(async () => {
  await chain.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('wallet network commands (fake chain)', () => {
  it('faucet pays from the first dev account, balance follows confirmations 0/1/2', async () => {
    const f = await wallet(['--json', 'faucet', 'alice', '--amount', '50']);
    expect(f.code, f.stderr).toBe(0);
    const sent = f.json<Record<string, unknown>>();
    expect(sent).toMatchObject({
      txid: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      confirmations: 0,
      from: privateKeyToAddress(spec.devKeys[0]!),
      to: alice,
      amount: (50n * COIN).toString(),
      fee: spec.minFee.toString(),
      nonce: 0,
    });
    const bal = async (n: number) =>
      (await wallet(['--json', 'balance', 'alice', '--confirmations', String(n)])).json<{
        balance: string;
      }>().balance;
    expect(await bal(0)).toBe((50n * COIN).toString());
    expect(await bal(1)).toBe('0');
    chain.mine();
    expect(await bal(1)).toBe((50n * COIN).toString());
    expect(await bal(2)).toBe('0');
    chain.mine();
    expect(await bal(2)).toBe((50n * COIN).toString());

    const human = await wallet(['balance', 'alice']);
    expect(human.stdout).toContain(`alice (${alice}): 50 CLC`);
  });

  it('send --wait shows progress and returns once the tx has n confirmations', async () => {
    const before = chain.height;
    const mining = setInterval(() => chain.mine(), 700);
    try {
      const r = await wallet([
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
      ]);
      expect(r.code, r.stderr).toBe(0);
      const out = r.json<Record<string, unknown>>();
      expect(out).toMatchObject({
        confirmations: 2,
        from: alice,
        to: bob,
        amount: ((15n * COIN) / 10n).toString(),
        nonce: 0,
      });
      expect(out.blockHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(chain.height).toBeGreaterThanOrEqual(before + 2);
    } finally {
      clearInterval(mining);
    }
    const human = await wallet(['balance', 'bob', '--confirmations', '2']);
    expect(human.stdout).toContain('1.5 CLC');
  });

  it('two quick sends get consecutive nonces (pending txs counted)', async () => {
    const a = await wallet(['--json', 'send', '--from', 'alice', '--to', bob, '--amount', '1']);
    const b = await wallet(['--json', 'send', '--from', 'alice', '--to', bob, '--amount', '2']);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(b.json<{ nonce: number }>().nonce).toBe(a.json<{ nonce: number }>().nonce + 1);
    expect(chain.pending).toHaveLength(2);
    // Human output of a send without --wait: the txid and how to follow it.
    chain.mine();
  });

  it('prints the mempool refusal code with exit 1', async () => {
    const r = await wallet(['send', '--from', 'bob', '--to', 'alice', '--amount', '1000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: INSUFFICIENT_FUNDS: /m);
    const low = await wallet([
      '--json',
      'send',
      '--from',
      'alice',
      '--to',
      'bob',
      '--amount',
      '1',
      '--fee',
      '0.0000001',
    ]);
    expect(low.code).toBe(1);
    expect(low.json()).toMatchObject({ error: { code: 'FEE_TOO_LOW' } });
  });

  it('--wait gives up after --timeout with exit 1 and the txid', async () => {
    const r = await wallet([
      '--json',
      'send',
      '--from',
      'alice',
      '--to',
      'bob',
      '--amount',
      '0.1',
      '--wait',
      '1',
      '--timeout',
      '1',
    ]);
    expect(r.code).toBe(1);
    const out = r.json<{
      error: { code: string; message: string };
      txid: string;
      confirmations: number;
    }>();
    expect(out.error.code).toBe('TIMEOUT');
    expect(out.error.message).toMatch(/gave up after 1 s waiting for 1 confirmation/);
    expect(out.txid).toMatch(/^0x[0-9a-f]{64}$/);
    expect(out.confirmations).toBe(0);
    // Without a terminal the progress goes to stderr as plain lines.
    const h = await wallet([
      'send',
      '--from',
      'alice',
      '--to',
      'bob',
      '--amount',
      '0.1',
      '--wait',
      '1',
      '--timeout',
      '1',
    ]);
    expect(h.code).toBe(1);
    expect(h.stdout).toMatch(/^Sent 0\.1 CLC from alice/m);
    expect(h.stderr).toMatch(
      /waiting for 1 confirmation of 0x[0-9a-f]{8}…[0-9a-f]{6}: 0\/1 \(in the mempool\)/,
    );
    expect(h.stderr).toMatch(/error: TIMEOUT: /);
    chain.mine();
  });

  it('status: confirmations count up as blocks arrive', async () => {
    const f = await wallet(['--json', 'faucet', bob, '--amount', '3']);
    const txid = f.json<{ txid: string }>().txid;
    const conf = async () =>
      (await wallet(['--json', 'status', txid])).json<{ confirmations: number; tx?: unknown }>();
    expect((await conf()).confirmations).toBe(0);
    chain.mine();
    const one = await conf();
    expect(one.confirmations).toBe(1);
    expect(one.tx).toMatchObject({ to: bob, amount: (3n * COIN).toString() });
    chain.mine(2);
    expect((await conf()).confirmations).toBe(3);
    const human = await wallet(['status', txid]);
    expect(human.stdout).toMatch(/status\s+confirmed: 3 confirmations/);
    expect(human.stdout).toMatch(/amount\s+3 CLC/);
    const unknown = await wallet(['status', '0x' + 'ab'.repeat(32)]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/TX_NOT_FOUND/);
  });

  it('history lists pending and mined txs newest first', async () => {
    await wallet(['send', '--from', 'bob', '--to', 'alice', '--amount', '0.5']);
    const r = await wallet(['--json', 'history', 'bob']);
    expect(r.code, r.stderr).toBe(0);
    const { txs } = r.json<{
      txs: {
        height: number | null;
        direction: string;
        amount: string;
        confirmations: number;
        delta: string;
      }[];
    }>();
    expect(txs[0]).toMatchObject({
      height: null,
      confirmations: 0,
      direction: 'out',
      delta: (-(COIN / 2n + spec.minFee)).toString(),
    });
    const heights = txs.slice(1).map((t) => t.height!);
    expect(heights).toEqual([...heights].sort((x, y) => y - x));
    expect(txs.filter((t) => t.direction === 'in').length).toBeGreaterThanOrEqual(4);
    const human = await wallet(['history', 'bob', '--limit', '3']);
    expect(human.stdout).toMatch(/^pending\s+0\s+sent\s+-0\.500001 CLC\s+alice 0x/m);
    expect(human.stdout).toMatch(/older entries not shown/);
    // Paging: the wallet walks /blockchain in pages.
    expect(chain.requests.some((p) => p.startsWith('GET /blockchain?from=0&limit='))).toBe(true);
  });

  it('a dev account history starts with its genesis allocation', async () => {
    const dev = privateKeyToAddress(spec.devKeys[3]!);
    const { txs } = (await wallet(['--json', 'history', dev])).json<{
      txs: { kind: string; height: number }[];
    }>();
    expect(txs.at(-1)).toMatchObject({ kind: 'genesis', height: 0 });
  });

  it('WRONG_CHAIN from the mempool comes with a --spec hint', async () => {
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ extends: 'devnet', name: 'other', chainId: 999 }));
    const r = await wallet([
      '--spec',
      other,
      'send',
      '--from',
      'alice',
      '--to',
      'bob',
      '--amount',
      '1',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: WRONG_CHAIN: .*chainId 999: pass the network's --spec/m);
  });
});
