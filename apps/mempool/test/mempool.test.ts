import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SignatureCache,
  createCoinbase,
  signTx,
  txToJson,
  txid,
  type TransferTx,
} from '@chainlab/core';
import { isMempoolError } from '../src/errors.js';
import { Mempool } from '../src/mempool.js';
import { TxPool } from '../src/pool.js';
import { SignatureVerifier } from '../src/verifier.js';
import { ADDR, KEYS, TestChain, policy, signed, testSpec, type TxArgs } from './fixtures.js';

const spec = testSpec();
const verifiers: SignatureVerifier[] = [];
afterEach(async () => {
  await Promise.all(verifiers.splice(0).map((v) => v.close()));
});

function setup(opts: { maxTxs?: number; threads?: number; workerFile?: string } = {}) {
  const tc = new TestChain(spec);
  const cache = new SignatureCache();
  const verifier = new SignatureVerifier({
    threads: opts.threads ?? 0,
    cache,
    workerFile: opts.workerFile,
  });
  verifiers.push(verifier);
  const pool = new TxPool(policy(spec, { maxTxs: opts.maxTxs ?? 1000 }), tc.state);
  const mempool = new Mempool({
    spec,
    carries: (tx) => tx.kind === 'transfer',
    chain: tc.chain,
    tipState: tc.state,
    pool,
    verifier,
  });
  /** Mines a block with `txs` (default: the pool's order) on `parent`, and tells the mempool. */
  const mine = (
    txs: TransferTx[] = pool.ordered().map((e) => e.tx as TransferTx),
    parent = tc.chain.tip,
  ) => {
    const result = tc.chain.processBlock(tc.build(txs, parent), { now: 2_000_000_000 });
    if (result.status !== 'accepted') throw new Error(`block refused: ${result.error?.message}`);
    if (result.reorg) mempool.onTip(result.reorg);
    mempool.settleTip();
    return tc.chain.get(result.hash)!;
  };
  return { tc, cache, verifier, pool, mempool, mine };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ACCEPTED';
  } catch (e) {
    if (isMempoolError(e)) return e.code;
    throw e;
  }
}

const json = (a: TxArgs) => txToJson(signed(a, spec));

describe('Mempool.submit', () => {
  it('answers a txid and where the tx went', async () => {
    const { mempool } = setup();
    const t = signed({ from: 0, to: 3, amount: 100n, nonce: 0 }, spec);
    await expect(mempool.submit(txToJson(t))).resolves.toEqual({ txid: txid(t), status: 'ready' });
    await expect(
      mempool.submit(json({ from: 0, to: 3, amount: 1n, nonce: 2 })),
    ).resolves.toMatchObject({ status: 'held' });
  });

  it('refuses with exactly the SPEC codes', async () => {
    const { mempool } = setup({ maxTxs: 2 });
    const good = json({ from: 0, to: 3, amount: 100n, nonce: 0 });
    await mempool.submit(good);
    const code = (body: unknown) => codeOf(mempool.submit(body));
    expect(await code({ ...good, extra: 1 })).toBe('INVALID_JSON');
    expect(await code({ ...good, amount: 100 })).toBe('INVALID_JSON');
    expect(await code({ ...good, to: good.to.toLowerCase().replace('0x', '0X') })).toBe(
      'INVALID_JSON',
    );
    const badChecksum =
      good.to.slice(0, 2) +
      [...good.to.slice(2)]
        .map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()))
        .join('');
    expect(await code({ ...good, to: badChecksum })).toBe('INVALID_JSON'); // core: INVALID_ADDRESS
    expect(await code([good])).toBe('INVALID_JSON');
    expect(await code('tx')).toBe('INVALID_JSON');
    expect(await code({ ...json({ from: 0, to: 3, amount: 5n, nonce: 1 }), amount: '6' })).toBe(
      'INVALID_SIGNATURE',
    );
    const byOtherKey = signTx(
      { to: ADDR[3]!, amount: 5n, fee: 10n, nonce: 1, chainId: spec.chainId },
      KEYS[1]!,
    );
    expect(await code({ ...txToJson(byOtherKey), from: ADDR[0] })).toBe('INVALID_SIGNATURE');
    expect(await code(txToJson(createCoinbase(ADDR[3]!, 5n, 1, spec.chainId)))).toBe(
      'INVALID_SIGNATURE',
    );
    expect(
      await code(json({ from: 0, to: 3, amount: 5n, nonce: 1, chainId: spec.chainId + 1 })),
    ).toBe('WRONG_CHAIN');
    expect(await code(json({ from: 0, to: 3, amount: 5n, nonce: 9 }))).toBe('BAD_NONCE');
    expect(await code(json({ from: 0, to: 3, amount: 900n, nonce: 1 }))).toBe('INSUFFICIENT_FUNDS');
    expect(await code({ ...good, amount: '0' })).toBe('AMOUNT_OUT_OF_RANGE');
    expect(await code({ ...good, amount: '-5' })).toBe('AMOUNT_OUT_OF_RANGE');
    expect(await code({ ...good, amount: (spec.maxAmount + 1n).toString() })).toBe(
      'AMOUNT_OUT_OF_RANGE',
    );
    expect(await code(good)).toBe('DUPLICATE');
    expect(await code(json({ from: 0, to: 3, amount: 5n, fee: 9n, nonce: 1 }))).toBe('FEE_TOO_LOW');
    expect(await code(json({ from: 0, to: 4, amount: 100n, fee: 10n, nonce: 0 }))).toBe(
      'FEE_TOO_LOW',
    ); // replacement not paying more
    await mempool.submit(json({ from: 1, to: 3, amount: 5n, fee: 50n, nonce: 0 }));
    expect(await code(json({ from: 2, to: 3, amount: 5n, fee: 10n, nonce: 0 }))).toBe('POOL_FULL');
    expect(mempool.pool.size).toBe(2);
  });

  it('admits in arrival order: a burst of one sender’s nonces all become ready', async () => {
    const { mempool, pool } = setup();
    const txs = Array.from({ length: 8 }, (_, n) => json({ from: 0, to: 3, amount: 1n, nonce: n }));
    const results = await Promise.all(txs.map((t) => mempool.submit(t)));
    expect(results.every((r) => r.status === 'ready')).toBe(true);
    expect(pool.ordered().map((e) => e.tx.nonce)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('keeps only one of two double spends sent in quick succession', async () => {
    const { mempool, pool } = setup();
    const results = await Promise.allSettled([
      mempool.submit(json({ from: 0, to: 3, amount: 900n, nonce: 0 })),
      mempool.submit(json({ from: 0, to: 4, amount: 900n, nonce: 1 })),
      mempool.submit(json({ from: 0, to: 5, amount: 900n, fee: 10n, nonce: 0 })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(pool.size).toBe(1);
    expect(mempool.balance(ADDR[0]!, 0)).toBe(90n);
  });

  it('verifies a signature once, however often the tx arrives', async () => {
    const { mempool, verifier } = setup();
    const t = json({ from: 0, to: 3, amount: 1n, nonce: 0 });
    const codes = await Promise.all([codeOf(mempool.submit(t)), codeOf(mempool.submit(t))]);
    expect(codes.sort()).toEqual(['ACCEPTED', 'DUPLICATE']);
    expect(await codeOf(mempool.submit(t))).toBe('DUPLICATE');
    expect(verifier.stats().verified).toBe(1);
  });
});

describe('Mempool and the chain', () => {
  it('mined txs leave the pool and count confirmations', async () => {
    const { mempool, pool, mine } = setup();
    const pushed = json({ from: 0, to: 3, amount: 100n, nonce: 0 });
    const { txid: id } = await mempool.submit(pushed);
    expect(mempool.status(id)).toMatchObject({
      status: 'ready',
      confirmations: 0,
      blockHash: null,
    });
    const block = mine();
    expect(pool.size).toBe(0);
    expect(mempool.status(id)).toMatchObject({
      status: 'confirmed',
      confirmations: 1,
      blockHash: block.hash,
      blockHeight: 1,
    });
    expect(await codeOf(mempool.submit(pushed))).toBe('DUPLICATE'); // already in a block
    mine([]);
    expect(mempool.status(id)?.confirmations).toBe(2);
    expect(mempool.balance(ADDR[3]!, 0)).toBe(100n);
    expect(mempool.balance(ADDR[3]!, 2)).toBe(100n);
    expect(mempool.balance(ADDR[3]!, 3)).toBe(0n);
    expect(mempool.status('0x' + 'ab'.repeat(32))).toBeUndefined();
  });

  it('takes back the txs of a losing branch, and drops a double spend that lost', async () => {
    const { tc, mempool, pool, mine } = setup();
    const fork = tc.chain.tip;
    const { txid: kept } = await mempool.submit(json({ from: 0, to: 3, amount: 100n, nonce: 0 }));
    const { txid: lost } = await mempool.submit(json({ from: 1, to: 3, amount: 100n, nonce: 0 }));
    const a = mine();
    expect(pool.size).toBe(0);
    expect(mempool.status(kept)?.blockHash).toBe(a.hash);
    // A longer branch without `kept`, with a double spend of `lost`'s nonce.
    const rival = signed({ from: 1, to: 4, amount: 300n, nonce: 0 }, spec);
    const b1 = mine([rival], fork);
    expect(tc.chain.tip.hash).toBe(a.hash); // equal work: the first seen stays
    const b2 = mine([], b1);
    expect(tc.chain.tip.hash).toBe(b2.hash);
    expect(mempool.status(kept)).toMatchObject({
      status: 'ready',
      confirmations: 0,
      blockHash: null,
    });
    expect(mempool.status(lost)).toBeUndefined();
    expect(pool.ordered().map((e) => e.id)).toEqual([kept]);
    expect(mempool.status(txid(rival))).toMatchObject({ confirmations: 2, blockHash: b1.hash });
    // And it is mined again.
    mine();
    expect(mempool.status(kept)?.confirmations).toBe(1);
  });
});

describe('Mempool tip bursts', () => {
  it('settles a burst of tip events (a catch-up batch) once, with their net effect', async () => {
    const { tc, mempool, pool } = setup();
    const fork = tc.chain.tip;
    const ids = [];
    for (const n of [0, 1, 2])
      ids.push((await mempool.submit(json({ from: 0, to: 3, amount: 1n, nonce: n }))).txid);
    const txs = pool.ordered().map((e) => e.tx);
    // Three blocks arrive together, then a longer branch replaces the second and third:
    // the chain is already at its final tip when the events are announced.
    const events = [];
    const b1 = tc.build([txs[0]!], fork);
    events.push(tc.chain.processBlock(b1, { now: 2_000_000_000 }).reorg!);
    const b2 = tc.build([txs[1]!]);
    events.push(tc.chain.processBlock(b2, { now: 2_000_000_000 }).reorg!);
    const b3 = tc.build([txs[2]!]);
    events.push(tc.chain.processBlock(b3, { now: 2_000_000_000 }).reorg!);
    let parent = tc.chain.get(b1.hash)!;
    for (let i = 0; i < 3; i++) {
      const b = tc.build(i === 0 ? [txs[1]!] : [], parent);
      const r = tc.chain.processBlock(b, { now: 2_000_000_000 });
      if (r.reorg) events.push(r.reorg);
      parent = tc.chain.get(b.hash)!;
    }
    expect(tc.chain.tip.hash).toBe(parent.hash);
    for (const e of events) mempool.onTip(e);
    expect(pool.size).toBe(3); // not settled yet
    mempool.settleTip();
    expect(mempool.counters).toMatchObject({ mined: 2, returned: 0, dropped: 0 });
    expect(pool.ordered().map((e) => e.id)).toEqual([ids[2]]);
    expect(mempool.status(ids[0]!)?.confirmations).toBe(4);
    expect(mempool.status(ids[1]!)?.confirmations).toBe(3);
    expect(mempool.status(ids[2]!)).toMatchObject({ status: 'ready', confirmations: 0 });
  });
});

const workerFile = fileURLToPath(new URL('../dist/verify-worker.js', import.meta.url));

describe.skipIf(!existsSync(workerFile))('SignatureVerifier in worker threads (built dist)', () => {
  it('verifies batches in workers and remembers results in the shared cache', async () => {
    const { mempool, verifier, cache, pool } = setup({ threads: 2, workerFile });
    const good = Array.from({ length: 20 }, (_, n) =>
      json({ from: n % 3, to: 3, amount: 1n, nonce: Math.floor(n / 3) }),
    );
    const bad = { ...json({ from: 0, to: 4, amount: 1n, nonce: 7 }), amount: '2' };
    const codes = await Promise.all([...good, bad].map((t) => codeOf(mempool.submit(t))));
    expect(codes.slice(0, 20).every((c) => c === 'ACCEPTED')).toBe(true);
    expect(codes[20]).toBe('INVALID_SIGNATURE');
    expect(pool.size).toBe(20);
    const stats = verifier.stats();
    expect(stats.verified).toBe(21);
    expect(stats.batches).toBeGreaterThanOrEqual(2);
    expect(cache.size).toBe(21);
  });
});
