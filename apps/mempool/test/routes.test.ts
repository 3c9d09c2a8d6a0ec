import { afterEach, describe, expect, it } from 'vitest';
import { SignatureCache, txToJson, type TransferTx } from '@chainlab/core';
import { createServer, type Server } from '@chainlab/service';
import { Mempool } from '../src/mempool.js';
import { TxPool } from '../src/pool.js';
import { registerMempoolRoutes } from '../src/routes.js';
import { SignatureVerifier } from '../src/verifier.js';
import { ADDR, START, TestChain, policy, signed, testSpec } from './fixtures.js';

const spec = testSpec();
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function setup() {
  const tc = new TestChain(spec);
  const verifier = new SignatureVerifier({ threads: 0, cache: new SignatureCache() });
  const pool = new TxPool(policy(spec), tc.state);
  const mempool = new Mempool({
    spec,
    carries: (tx) => tx.kind === 'transfer',
    chain: tc.chain,
    tipState: tc.state,
    pool,
    verifier,
  });
  const server = createServer({ name: 'mempool', bodyLimit: 64 * 1024 });
  registerMempoolRoutes(server, {
    mempool,
    chain: tc.chain,
    status: () => ({ pending: pool.ready }),
  });
  servers.push(server);
  const mine = (txs: TransferTx[]) => {
    const r = tc.mine(txs);
    if (r.reorg) mempool.onTip(r.reorg);
    mempool.settleTip();
  };
  return { server, mempool, mine };
}

const push = (server: Server, payload: string | object, contentType = 'application/json') =>
  server.inject({
    method: 'POST',
    url: '/pushtx',
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    headers: { 'content-type': contentType },
  });
const get = (server: Server, url: string) => server.inject({ method: 'GET', url });
const errorCode = (r: { json(): unknown }) => (r.json() as { error: { code: string } }).error.code;

describe('mempool routes', () => {
  it('POST /pushtx → 200 {txid}; refusals → 400 with the code; oversized → 413 TOO_LARGE', async () => {
    const { server } = setup();
    const t = signed({ from: 0, to: 3, amount: 100n, nonce: 0 }, spec);
    const ok = await push(server, txToJson(t));
    expect(ok.statusCode).toBe(200);
    expect(Object.keys(ok.json())).toEqual(['txid']);
    const dup = await push(server, txToJson(t));
    expect([dup.statusCode, errorCode(dup)]).toEqual([400, 'DUPLICATE']);
    const bad = await push(server, '{"from": ');
    expect([bad.statusCode, errorCode(bad)]).toEqual([400, 'INVALID_JSON']);
    const empty = await push(server, '');
    expect([empty.statusCode, errorCode(empty)]).toEqual([400, 'INVALID_JSON']);
    const huge = await push(server, JSON.stringify({ ...txToJson(t), pad: 'x'.repeat(70_000) }));
    expect([huge.statusCode, errorCode(huge)]).toEqual([413, 'TOO_LARGE']);
  });

  it('GET /unprocessed lists pending txs as SPEC tx JSON, in inclusion order', async () => {
    const { server } = setup();
    const a = signed({ from: 0, to: 3, amount: 1n, fee: 10n, nonce: 0 }, spec);
    const b = signed({ from: 1, to: 3, amount: 1n, fee: 20n, nonce: 0 }, spec);
    await push(server, txToJson(a));
    await push(server, txToJson(b));
    const r = await get(server, '/unprocessed');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.json()).toEqual([txToJson(b), txToJson(a)]);
    expect((await get(server, '/unprocessed?limit=1')).json()).toEqual([txToJson(b)]);
  });

  it('GET /balance/:address?confirmations=n', async () => {
    const { server, mine } = setup();
    await push(
      server,
      txToJson(signed({ from: 0, to: 3, amount: 100n, fee: 10n, nonce: 0 }, spec)),
    );
    const bal = async (address: string, q = '') =>
      (await get(server, `/balance/${address}${q}`)).json();
    expect(await bal(ADDR[0]!)).toEqual({
      address: ADDR[0],
      balance: START.toString(),
      confirmations: 1,
    });
    expect(await bal(ADDR[0]!.toLowerCase(), '?confirmations=0')).toEqual({
      address: ADDR[0],
      balance: '890',
      confirmations: 0,
    });
    mine([]);
    expect((await bal(ADDR[3]!, '?confirmations=0')).balance).toBe('100');
    expect((await bal(ADDR[3]!, '?confirmations=1')).balance).toBe('0');
    const bad = await get(server, `/balance/0x1234`);
    expect([bad.statusCode, errorCode(bad)]).toEqual([400, 'INVALID_ADDRESS']);
    const negative = await get(server, `/balance/${ADDR[0]}?confirmations=-1`);
    expect([negative.statusCode, errorCode(negative)]).toEqual([400, 'INVALID_REQUEST']);
  });

  it('GET /confirmations/:txid and /tx/:txid', async () => {
    const { server, mine } = setup();
    const t = signed({ from: 0, to: 3, amount: 100n, nonce: 0 }, spec);
    const { txid } = (await push(server, txToJson(t))).json() as { txid: string };
    expect((await get(server, `/confirmations/${txid}`)).json()).toEqual({
      txid,
      confirmations: 0,
      blockHash: null,
    });
    expect((await get(server, `/tx/${txid}`)).json()).toMatchObject({
      txid,
      status: 'ready',
      tx: txToJson(t),
    });
    mine([t]);
    mine([]);
    const c = (await get(server, `/confirmations/${txid}`)).json() as {
      confirmations: number;
      blockHash: string;
    };
    expect(c.confirmations).toBe(2);
    expect(c.blockHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect((await get(server, `/tx/${txid}`)).json()).toMatchObject({
      status: 'confirmed',
      blockHeight: 1,
      confirmations: 2,
    });
    const unknown = await get(server, `/confirmations/0x${'00'.repeat(32)}`);
    expect([unknown.statusCode, errorCode(unknown)]).toEqual([404, 'TX_NOT_FOUND']);
    const malformed = await get(server, `/confirmations/nothex`);
    expect(malformed.statusCode).toBe(400);
  });

  it('GET /account/:address gives the next nonce with pending txs', async () => {
    const { server } = setup();
    await push(
      server,
      txToJson(signed({ from: 0, to: 3, amount: 100n, fee: 10n, nonce: 0 }, spec)),
    );
    expect((await get(server, `/account/${ADDR[0]}`)).json()).toEqual({
      address: ADDR[0],
      balance: '890',
      nonce: 1,
      confirmedBalance: '1000',
      confirmedNonce: 0,
    });
  });
});
