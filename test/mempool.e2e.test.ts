// Issue 6 (mempool part): the built mempool as a real process, following real nodes found
// through a real tracker. Blocks come only on request (POST /dev/mine on a node whose
// mining is switched off), so every step is deterministic; tests wait for conditions with
// deadlines, never for fixed times.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  generatePrivateKey,
  loadSpec,
  privateKeyToAddress,
  signTx,
  txid,
  txToJson,
  type ChainSpec,
  type TransferTx,
} from '@chainlab/core';
import {
  errorCode,
  getJson,
  http,
  mineBlocks,
  removeTempDirs,
  setMining,
  spawnService,
  startNode,
  tempDir,
  tipOf,
  waitFor,
  waitForSameTip,
  writeSpec,
  type HttpResult,
  type ServiceProcess,
} from './helpers/index.js';

const SPEC_CODES = [
  'INVALID_JSON',
  'INVALID_SIGNATURE',
  'WRONG_CHAIN',
  'BAD_NONCE',
  'INSUFFICIENT_FUNDS',
  'AMOUNT_OUT_OF_RANGE',
  'DUPLICATE',
  'FEE_TOO_LOW',
  'POOL_FULL',
  'TOO_LARGE',
];

let specPath: string;
let spec: ChainSpec;
let COIN: bigint;

function newKey(): string {
  const seed = new Uint8Array(48);
  crypto.getRandomValues(seed);
  return '0x' + Buffer.from(generatePrivateKey(seed)).toString('hex');
}

const newAddress = (): string => privateKeyToAddress(newKey());

interface Send {
  key: string;
  to: string;
  amount: bigint;
  nonce: number;
  fee?: bigint;
  chainId?: number;
}

const sign = (s: Send): TransferTx =>
  signTx(
    {
      to: s.to,
      amount: s.amount,
      fee: s.fee ?? spec.minFee,
      nonce: s.nonce,
      chainId: s.chainId ?? spec.chainId,
    },
    s.key,
  );

function startMempool(
  tracker: string,
  extra: string[] = [],
  dataDir = tempDir('chainlab-mempool-'),
) {
  return spawnService(
    'mempool',
    [
      '--spec',
      specPath,
      '--tracker',
      tracker,
      '--data-dir',
      dataDir,
      '--poll-interval',
      '500',
      '--verify-threads',
      '1',
      ...extra,
    ],
    { CHAINLAB_LOG_FORMAT: 'json' },
  );
}

/** A mining node, switched off at once: its blocks come from mineBlocks() only. */
async function startMiner(tracker: string, mempool: string, coinbaseKey: string) {
  const node = await startNode({
    spec: specPath,
    tracker,
    mempool,
    extra: ['--coinbase', privateKeyToAddress(coinbaseKey)],
  });
  await setMining([node], false);
  return node;
}

const pushTo = (mempool: { url: string }, body: unknown): Promise<HttpResult> =>
  http(`${mempool.url}/pushtx`, { method: 'POST', json: body, timeoutMs: 60_000 });

const balanceAt = async (
  mempool: { url: string },
  address: string,
  confirmations: number,
): Promise<bigint> => {
  const r = await getJson<{ address: string; balance: string; confirmations: number }>(
    `${mempool.url}/balance/${address}?confirmations=${confirmations}`,
  );
  expect(r).toMatchObject({ address, confirmations });
  expect(r.balance).toMatch(/^(0|[1-9][0-9]*)$/); // never negative
  return BigInt(r.balance);
};

const confirmationsAt = (mempool: { url: string }, txid: string) =>
  getJson<{ txid: string; confirmations: number; blockHash: string | null }>(
    `${mempool.url}/confirmations/${txid}`,
  );

const heightOf = async (mempool: { url: string }) =>
  (await getJson<{ height: number }>(`${mempool.url}/status`)).height;

const unprocessed = (mempool: { url: string }) =>
  getJson<{ from: string; to: string; nonce: number }[]>(`${mempool.url}/unprocessed`);

beforeAll(() => {
  specPath = writeSpec('instant', 'devnet', { name: 'test-mempool', targetBlockTimeSeconds: 1 });
  spec = loadSpec(JSON.parse(readFileSync(specPath, 'utf8')));
  COIN = 10n ** BigInt(spec.coin.decimals);
});
afterAll(() => removeTempDirs());

describe('mempool end to end (tracker, mempool, a mining node and a relay node)', () => {
  let tracker: ServiceProcess;
  let mempool: ServiceProcess;
  let miner: ServiceProcess;
  let relay: ServiceProcess;
  const own: ServiceProcess[] = [];

  /** Mines `n` blocks and waits until the mempool has them. */
  async function mine(n: number): Promise<number> {
    await mineBlocks(miner, n);
    const { height } = await tipOf(miner);
    await waitFor(async () => (await heightOf(mempool)) >= height, {
      timeoutMs: 60_000,
      message: `mempool at height ${height}`,
    });
    return height;
  }

  beforeAll(async () => {
    tracker = await spawnService('tracker', ['--ttl', '30']);
    mempool = await startMempool(tracker.url);
    miner = await startMiner(tracker.url, mempool.url, spec.devKeys[9]!);
    relay = await startNode({
      spec: specPath,
      tracker: tracker.url,
      mempool: mempool.url,
      mine: false,
      extra: ['--peers', miner.url],
    });
    own.push(tracker, mempool, miner, relay);
    // The mempool found both nodes through the tracker and follows their chain.
    await waitFor(
      async () => (await getJson<{ peers: string[] }>(`${mempool.url}/status`)).peers.length === 2,
      {
        timeoutMs: 60_000,
        message: 'mempool connected to both nodes',
      },
    );
    await mine(1);
  });
  afterAll(async () => {
    await Promise.all(own.map((p) => p.stop()));
  });

  it('answers /running and /status', async () => {
    const r = await http(`${mempool.url}/running`);
    expect([r.status, r.text]).toEqual([200, 'running']);
    const status = await getJson<Record<string, unknown>>(`${mempool.url}/status`);
    expect(status).toMatchObject({ chainId: spec.chainId, pending: 0 });
    expect(status.tip).toBe((await tipOf(miner)).hash);
  });

  it('the feed (GET /feed): a push is answered per tx in order, after its txs are admitted; they come back as added', async () => {
    // devKeys[9] is the miner's coinbase: funded in genesis, and no other test sends from it.
    const key = spec.devKeys[9]!;
    const to = newAddress();
    const ws = new WebSocket(mempool.url.replace(/^http/, 'ws') + '/feed');
    const messages: { type: string; id?: number; txs?: { to: string }[]; results?: unknown[] }[] =
      [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    try {
      await waitFor(async () => messages.some((m) => m.type === 'snapshot'), {
        timeoutMs: 30_000,
        message: 'the feed sends its snapshot first',
      });
      const good = [0, 1].map((nonce) => txToJson(sign({ key, to, amount: COIN, nonce })));
      // Its signature no longer matches (nonce 5: held, so no pool rule refuses it first).
      const bad = { ...txToJson(sign({ key, to, amount: COIN, nonce: 5 })), amount: '1' };
      ws.send(JSON.stringify({ type: 'push', id: 7, txs: [good[0], bad, good[1], 'junk'] }));
      await waitFor(async () => messages.some((m) => m.type === 'pushed'), {
        timeoutMs: 30_000,
        message: 'the push is answered',
      });
      const pushed = messages.find((m) => m.type === 'pushed')!;
      expect(pushed.id).toBe(7);
      const ids = [0, 1].map((n) => txid(sign({ key, to, amount: COIN, nonce: n })));
      expect(pushed.results).toEqual([
        { txid: ids[0] },
        { error: { code: 'INVALID_SIGNATURE', message: expect.any(String) } },
        { txid: ids[1] },
        { error: { code: 'INVALID_JSON', message: expect.any(String) } },
      ]);
      // Acknowledged as /pushtx acknowledges: pending now, and pushed to subscribers.
      expect((await confirmationsAt(mempool, ids[1]!)).confirmations).toBe(0);
      await waitFor(
        async () =>
          messages
            .filter((m) => m.type === 'added')
            .flatMap((m) => m.txs ?? [])
            .filter((t) => t.to === to).length === 2,
        { timeoutMs: 30_000, message: 'both txs arrive as added' },
      );
      // A malformed client message closes the socket with a policy code.
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      ws.send(JSON.stringify({ type: 'push', id: 8, txs: [] }));
      expect(await closed).toBe(1008);
    } finally {
      ws.terminate();
    }
    await mine(1); // leave the pool empty for the tests below
  });

  it('send: balances at confirmations 0, 1, 2 follow docs/api.md and /confirmations counts up', async () => {
    const alice = spec.devKeys[0]!;
    const aliceAddr = privateKeyToAddress(alice);
    const bob = privateKeyToAddress(newKey());
    const start = await balanceAt(mempool, aliceAddr, 1);
    const amount = 5n * COIN;
    const tx = sign({ key: alice, to: bob, amount, nonce: 0 });
    const r = await pushTo(mempool, txToJson(tx));
    expect(r.status).toBe(200);
    const { txid } = r.json<{ txid: string }>();
    expect(txid).toMatch(/^0x[0-9a-f]{64}$/);

    const balances = () =>
      Promise.all(
        [aliceAddr, bob].map((a) => Promise.all([0, 1, 2].map((n) => balanceAt(mempool, a, n)))),
      );
    const after = start - amount - spec.minFee;
    expect(await confirmationsAt(mempool, txid)).toEqual({
      txid,
      confirmations: 0,
      blockHash: null,
    });
    expect(await balances()).toEqual([
      [after, start, start],
      [amount, 0n, 0n],
    ]);
    expect((await unprocessed(mempool)).some((t) => t.to === bob)).toBe(true);

    await mine(1);
    const first = await confirmationsAt(mempool, txid);
    expect(first.confirmations).toBe(1);
    expect(first.blockHash).toBe((await tipOf(miner)).hash);
    expect(await balances()).toEqual([
      [after, after, start],
      [amount, amount, 0n],
    ]);
    expect((await unprocessed(mempool)).some((t) => t.to === bob)).toBe(false);

    await mine(1);
    expect(await confirmationsAt(mempool, txid)).toEqual({
      txid,
      confirmations: 2,
      blockHash: first.blockHash,
    });
    expect(await balances()).toEqual([
      [after, after, after],
      [amount, amount, amount],
    ]);
    await mine(1);
    expect((await confirmationsAt(mempool, txid)).confirmations).toBe(3);
    const status = await getJson<Record<string, unknown>>(`${mempool.url}/tx/${txid}`);
    expect(status).toMatchObject({
      txid,
      status: 'confirmed',
      confirmations: 3,
      blockHash: first.blockHash,
      tx: txToJson(tx),
    });
  });

  it('double spend in quick succession: only one survives, on the chain too', async () => {
    const key = spec.devKeys[1]!;
    const from = privateKeyToAddress(key);
    const [p, q, s] = [newAddress(), newAddress(), newAddress()];
    const start = await balanceAt(mempool, from, 1);
    // Same nonce, two receivers; and a second nonce spending more than what is left.
    const spendMost = (start * 2n) / 3n;
    const attempts = [
      sign({ key, to: p, amount: spendMost, nonce: 0 }),
      sign({ key, to: q, amount: spendMost, nonce: 0 }),
      sign({ key, to: s, amount: spendMost, nonce: 1 }),
    ];
    const results = await Promise.all(attempts.map((t) => pushTo(mempool, txToJson(t))));
    const accepted = results.filter((r) => r.status === 200);
    expect(accepted).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(400);
      expect(['FEE_TOO_LOW', 'INSUFFICIENT_FUNDS']).toContain(errorCode(r));
    }
    const winner = accepted[0]!.json<{ txid: string }>().txid;
    await mine(1);
    expect((await confirmationsAt(mempool, winner)).confirmations).toBe(1);
    const receivers = await Promise.all([p, q, s].map((a) => balanceAt(mempool, a, 1)));
    expect(receivers.filter((b) => b === spendMost)).toHaveLength(1);
    expect(receivers.filter((b) => b === 0n)).toHaveLength(2);
    expect(await balanceAt(mempool, from, 1)).toBe(start - spendMost - spec.minFee);
  });

  it('A → B → C in one block, where B is funded only by the first tx: valid in that order, refused in the other', async () => {
    const a = spec.devKeys[2]!;
    const b = newKey();
    const c = privateKeyToAddress(newKey());
    const bAddr = privateKeyToAddress(b);
    const ab = sign({ key: a, to: bAddr, amount: 3n * COIN, nonce: 0 });
    // B pays a higher fee than A: the order must still put A's tx first.
    const bc = sign({ key: b, to: c, amount: 2n * COIN, nonce: 0, fee: 5n * spec.minFee });
    const early = await pushTo(mempool, txToJson(bc));
    expect([early.status, errorCode(early)]).toEqual([400, 'INSUFFICIENT_FUNDS']);
    expect((await pushTo(mempool, txToJson(ab))).status).toBe(200);
    const late = await pushTo(mempool, txToJson(bc));
    expect(late.status).toBe(200);
    const order = await unprocessed(mempool);
    const iab = order.findIndex((t) => t.to === bAddr);
    const ibc = order.findIndex((t) => t.to === c);
    expect(iab).toBeGreaterThanOrEqual(0);
    expect(ibc).toBeGreaterThan(iab);
    expect(await balanceAt(mempool, c, 0)).toBe(2n * COIN);

    await mine(1);
    const [x, y] = await Promise.all([ab, bc].map((t) => confirmationsAt(mempool, txid(t))));
    expect(x!.confirmations).toBe(1);
    expect(y!.confirmations).toBe(1);
    expect(y!.blockHash).toBe(x!.blockHash); // one block
    expect(await balanceAt(mempool, bAddr, 1)).toBe(3n * COIN - 2n * COIN - 5n * spec.minFee);
    expect(await balanceAt(mempool, c, 1)).toBe(2n * COIN);
  });

  it('bad input to /pushtx: each SPEC code, huge bodies; the mempool keeps running', async () => {
    const key = spec.devKeys[4]!;
    const to = privateKeyToAddress(newKey());
    const good = txToJson(sign({ key, to, amount: COIN, nonce: 0 }));
    expect((await pushTo(mempool, good)).status).toBe(200);
    const cases: [string, Promise<HttpResult>, number][] = [
      [
        'INVALID_JSON',
        http(`${mempool.url}/pushtx`, { method: 'POST', raw: '{"from": "0x', timeoutMs: 30_000 }),
        400,
      ],
      ['INVALID_JSON', pushTo(mempool, { ...good, sig: undefined }), 400],
      [
        'INVALID_JSON',
        pushTo(mempool, {
          ...good,
          to: to.slice(0, 2) + to.slice(2).split('').reverse().join('') + 'x',
        }),
        400,
      ],
      [
        'INVALID_SIGNATURE',
        pushTo(mempool, {
          ...txToJson(sign({ key, to, amount: COIN, nonce: 1 })),
          amount: (2n * COIN).toString(),
        }),
        400,
      ],
      [
        'WRONG_CHAIN',
        pushTo(
          mempool,
          txToJson(sign({ key, to, amount: COIN, nonce: 1, chainId: spec.chainId + 1 })),
        ),
        400,
      ],
      ['BAD_NONCE', pushTo(mempool, txToJson(sign({ key, to, amount: COIN, nonce: 1000 }))), 400],
      [
        'INSUFFICIENT_FUNDS',
        pushTo(mempool, txToJson(sign({ key, to, amount: spec.maxAmount, nonce: 1 }))),
        400,
      ],
      ['AMOUNT_OUT_OF_RANGE', pushTo(mempool, { ...good, amount: '0' }), 400],
      [
        'AMOUNT_OUT_OF_RANGE',
        pushTo(mempool, { ...good, amount: (spec.maxAmount + 1n).toString() }),
        400,
      ],
      ['DUPLICATE', pushTo(mempool, good), 400],
      [
        'FEE_TOO_LOW',
        pushTo(mempool, txToJson(sign({ key, to, amount: COIN, nonce: 1, fee: spec.minFee - 1n }))),
        400,
      ],
      [
        'TOO_LARGE',
        http(`${mempool.url}/pushtx`, {
          method: 'POST',
          raw: JSON.stringify({ ...good, pad: 'x'.repeat(2_000_000) }),
        }),
        413,
      ],
      [
        'TOO_LARGE',
        http(`${mempool.url}/pushtx`, { method: 'POST', raw: '[' + '1,'.repeat(100_000) + '1]' }),
        413,
      ],
    ];
    for (const [code, pending, status] of cases) {
      const r = await pending;
      expect([r.status, errorCode(r)], code).toEqual([status, code]);
    }
    // POOL_FULL: a second mempool that holds 2 txs.
    const small = await startMempool(tracker.url, ['--max-txs', '2']);
    own.push(small);
    for (const n of [0, 1]) {
      const r = await pushTo(
        small,
        txToJson(
          sign({ key: spec.devKeys[5]!, to, amount: COIN, nonce: n, fee: 2n * spec.minFee }),
        ),
      );
      expect(r.status).toBe(200);
    }
    const full = await pushTo(
      small,
      txToJson(sign({ key: spec.devKeys[6]!, to, amount: COIN, nonce: 0 })),
    );
    expect([full.status, errorCode(full)]).toEqual([400, 'POOL_FULL']);
    const seen = new Set(cases.map(([c]) => c));
    seen.add('POOL_FULL');
    expect([...seen].sort()).toEqual([...SPEC_CODES].sort());
    const r = await http(`${mempool.url}/running`);
    expect(r.text).toBe('running');
    await mine(1); // leave nothing pending for the next test
  });

  it('1,000 malformed txs: valid traffic keeps flowing and nothing valid is lost', async () => {
    const senders = [spec.devKeys[7]!, spec.devKeys[8]!];
    const sink = privateKeyToAddress(newKey());
    const PER_SENDER = 15;
    const valid: string[] = [];
    const statuses = new Map<string, number>();
    const junk = (i: number): { raw?: string; json?: unknown } => {
      const t = txToJson(sign({ key: senders[i % 2]!, to: sink, amount: COIN, nonce: 100 + i }));
      switch (i % 8) {
        case 0:
          return { raw: '{"from": ' + '['.repeat(i % 50) };
        case 1:
          return { json: { ...t, amount: (BigInt(t.amount) + 1n).toString() } }; // bad signature
        case 2:
          return { json: { ...t, nonce: -1 } };
        case 3:
          return { json: { ...t, chainId: 'x' } };
        case 4:
          return { json: { ...t, sig: '0x' + 'ff'.repeat(65) } };
        case 5:
          return { json: [t, t] };
        case 6:
          return { json: { ...t, fee: '1e9' } };
        default:
          return { json: null };
      }
    };
    const flood = (async () => {
      for (let i = 0; i < 1000; i += 50) {
        const batch = await Promise.all(
          Array.from({ length: 50 }, (_, k) => {
            const j = junk(i + k);
            return http(`${mempool.url}/pushtx`, { method: 'POST', ...j, timeoutMs: 60_000 });
          }),
        );
        for (const r of batch) {
          expect(r.status).toBe(400);
          expect(SPEC_CODES).toContain(errorCode(r));
          statuses.set(errorCode(r), (statuses.get(errorCode(r)) ?? 0) + 1);
        }
      }
    })();
    const honest = senders.map(async (key) => {
      for (let nonce = 0; nonce < PER_SENDER; nonce++) {
        const r = await pushTo(mempool, txToJson(sign({ key, to: sink, amount: COIN, nonce })));
        expect(r.status, r.text).toBe(200);
        valid.push(r.json<{ txid: string }>().txid);
      }
    });
    await Promise.all([flood, ...honest]);
    expect(valid).toHaveLength(2 * PER_SENDER);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(1000);
    expect(statuses.get('INVALID_SIGNATURE')).toBeGreaterThan(0);
    const pending = await unprocessed(mempool);
    expect(pending.filter((t) => t.to === sink)).toHaveLength(2 * PER_SENDER);

    await mine(1);
    for (const id of valid) expect((await confirmationsAt(mempool, id)).confirmations).toBe(1);
    expect(await balanceAt(mempool, sink, 1)).toBe(BigInt(2 * PER_SENDER) * COIN);
  });

  it('pending txs survive a restart of the mempool', async () => {
    const key = spec.devKeys[3]!;
    const to = privateKeyToAddress(newKey());
    const ids: string[] = [];
    for (const nonce of [0, 1, 2])
      ids.push(
        (await pushTo(mempool, txToJson(sign({ key, to, amount: COIN, nonce })))).json<{
          txid: string;
        }>().txid,
      );
    const dataDir = mempool.logRecords().find((r) => r.msg === 'chain loaded')?.dataDir as string;
    expect(dataDir).toBeTruthy();
    const port = mempool.port;
    const exit = await mempool.stop();
    expect(exit.code).toBe(0);
    mempool = await startMempool(tracker.url, ['--port', String(port)], dataDir);
    own.push(mempool);
    await waitFor(
      async () => (await unprocessed(mempool)).filter((t) => t.to === to).length === 3,
      {
        message: 'the 3 pending txs back in /unprocessed',
      },
    );
    await mine(1);
    for (const id of ids) expect((await confirmationsAt(mempool, id)).confirmations).toBe(1);
  });

  it('every acknowledged tx survives kill -9 of the mempool mid-traffic', async () => {
    // Fresh senders, funded in one block, each pushing its nonces one after another.
    const funder = spec.devKeys[3]!;
    const { nonce: start } = await getJson<{ nonce: number }>(
      `${mempool.url}/account/${privateKeyToAddress(funder)}`,
    );
    const senders = Array.from({ length: 8 }, () => newKey());
    for (const [i, key] of senders.entries()) {
      const r = await pushTo(
        mempool,
        txToJson(
          sign({
            key: funder,
            to: privateKeyToAddress(key),
            amount: 100n * COIN,
            nonce: start + i,
          }),
        ),
      );
      expect(r.status).toBe(200);
    }
    await mine(1);
    const sink = newAddress();
    const acked: string[] = [];
    let stop = false;
    const traffic = senders.map(async (key) => {
      for (let nonce = 0; !stop && nonce < 60; nonce++) {
        const tx = sign({ key, to: sink, amount: COIN, nonce });
        const r = await pushTo(mempool, txToJson(tx)).catch(() => null);
        if (r?.status !== 200) return; // the mempool is gone: this answer was never given
        acked.push(txid(tx));
      }
    });
    await waitFor(() => acked.length >= 120, { message: '120 acknowledged txs' });
    const dataDir = mempool.logRecords().find((r) => r.msg === 'chain loaded')?.dataDir as string;
    const port = mempool.port;
    await mempool.kill9();
    stop = true;
    await Promise.all(traffic);
    const ackedAtKill = [...acked];
    mempool = await startMempool(tracker.url, ['--port', String(port)], dataDir);
    own.push(mempool);
    // Restored before it listens: every acknowledged tx is pending (or mined) at once.
    for (const id of ackedAtKill) {
      const r = await http(`${mempool.url}/tx/${id}`);
      expect(r.status, id).toBe(200);
    }
    await waitFor(
      async () => {
        await mine(1);
        const c = await Promise.all(ackedAtKill.map((id) => confirmationsAt(mempool, id)));
        return c.every((x) => x.confirmations >= 1);
      },
      { timeoutMs: 120_000, message: 'every acknowledged tx mined' },
    );
    // Besides the acknowledged ones, a sender's last tx may have reached the journal with
    // its answer lost in the kill: at most one per sender.
    const paid = (await balanceAt(mempool, sink, 1)) / COIN;
    expect(paid).toBeGreaterThanOrEqual(BigInt(ackedAtKill.length));
    expect(paid).toBeLessThanOrEqual(BigInt(ackedAtKill.length + senders.length));
  });
});

describe('mempool across a partition and its reorg', () => {
  it('a double spend mined on both sides: only the winner survives; a tx of the losing branch returns and is mined again', async () => {
    const trackerA = await spawnService('tracker', ['--ttl', '600']);
    const trackerB = await spawnService('tracker', ['--ttl', '600']);
    const mempoolA = await startMempool(trackerA.url);
    const mempoolB = await startMempool(trackerB.url);
    const nodeA = await startMiner(trackerA.url, mempoolA.url, spec.devKeys[9]!);
    const nodeB = await startMiner(trackerB.url, mempoolB.url, spec.devKeys[8]!);
    const all = [trackerA, trackerB, mempoolA, mempoolB, nodeA, nodeB];
    try {
      const mineOn = async (node: ServiceProcess, mp: ServiceProcess, n: number) => {
        await mineBlocks(node, n);
        const { height } = await tipOf(node);
        await waitFor(async () => (await heightOf(mp)) >= height, {
          timeoutMs: 60_000,
          message: 'mempool caught up',
        });
      };
      await mineOn(nodeA, mempoolA, 1);
      await mineOn(nodeB, mempoolB, 1);

      const spender = spec.devKeys[5]!;
      const [p, q, r] = [newAddress(), newAddress(), newAddress()];
      const onA = sign({ key: spender, to: p, amount: 7n * COIN, nonce: 0 });
      const onB = sign({ key: spender, to: q, amount: 9n * COIN, nonce: 0 }); // the double spend
      const onlyA = sign({ key: spec.devKeys[6]!, to: r, amount: COIN, nonce: 0 }); // not conflicting
      for (const [mp, t] of [
        [mempoolA, onA],
        [mempoolA, onlyA],
        [mempoolB, onB],
      ] as const) {
        expect((await pushTo(mp, txToJson(t))).status).toBe(200);
      }
      await mineOn(nodeA, mempoolA, 1);
      await mineOn(nodeB, mempoolB, 1);
      const idA = txid(onA);
      const idB = txid(onB);
      const idOnly = txid(onlyA);
      expect((await confirmationsAt(mempoolA, idA)).confirmations).toBe(1);
      expect((await confirmationsAt(mempoolA, idOnly)).confirmations).toBe(1);
      expect((await confirmationsAt(mempoolB, idB)).confirmations).toBe(1);

      // B's side gets more work; then the partition heals.
      const tipA = await tipOf(nodeA);
      const behind = tipA.height + 2 - (await tipOf(nodeB)).height;
      if (behind > 0) await mineOn(nodeB, mempoolB, behind);
      expect((await tipOf(nodeB)).height).toBeGreaterThan(tipA.height + 1);
      const joined = await http(`${trackerA.url}/register`, { json: { url: nodeB.url } });
      expect(joined.status).toBe(200);
      const final = await waitForSameTip([nodeA, nodeB]);
      await waitFor(
        async () => (await getJson<{ tip: string }>(`${mempoolA.url}/status`)).tip === final.hash,
        {
          timeoutMs: 60_000,
          message: 'mempool A on the winning chain',
        },
      );

      // The winner's double spend is the one that stays; the loser is gone everywhere.
      expect((await confirmationsAt(mempoolA, idB)).confirmations).toBeGreaterThanOrEqual(1);
      const lost = await http(`${mempoolA.url}/confirmations/${idA}`);
      expect([lost.status, errorCode(lost)]).toEqual([404, 'TX_NOT_FOUND']);
      expect(await balanceAt(mempoolA, p, 0)).toBe(0n);
      expect(await balanceAt(mempoolA, q, 1)).toBe(9n * COIN);
      // The tx mined only on the losing branch is pending again...
      expect(await confirmationsAt(mempoolA, idOnly)).toEqual({
        txid: idOnly,
        confirmations: 0,
        blockHash: null,
      });
      expect((await unprocessed(mempoolA)).some((t) => t.to === r)).toBe(true);
      expect(await balanceAt(mempoolA, r, 1)).toBe(0n);
      expect(await balanceAt(mempoolA, r, 0)).toBe(COIN);
      // ...and is mined again.
      await mineOn(nodeA, mempoolA, 1);
      expect((await confirmationsAt(mempoolA, idOnly)).confirmations).toBe(1);
      expect(await balanceAt(mempoolA, r, 1)).toBe(COIN);
    } finally {
      await Promise.all(all.map((x) => x.stop()));
    }
  });
});
