// The mempool's REST API (docs/api.md#mempool; schemas in @chainlab/api). Handlers
// translate HTTP to the Mempool and back; `GET /running` comes with the service shell.
import { mempoolRoutes as S, type MempoolStatusJson } from '@chainlab/api';
import { txToJson, type Chain } from '@chainlab/core';
import { addressParam as address, type ChainLevel } from '@chainlab/levels';
import { HttpError, type Server } from '@chainlab/service';
import { isMempoolError } from './errors.js';
import type { Mempool } from './mempool.js';

export interface MempoolRouteDeps {
  mempool: Mempool;
  chain: Chain;
  /** The chain's level: it adds its own routes (level 3: GET /receipt/:txid). */
  level?: Pick<ChainLevel, 'routes'>;
  /** Largest /pushtx body in bytes (larger: 413 TOO_LARGE); default the server's limit. */
  pushTxBodyLimit?: number;
  status: () => Record<string, unknown>;
}

export async function registerMempoolRoutes(server: Server, deps: MempoolRouteDeps): Promise<void> {
  const { mempool, chain } = deps;
  const pool = mempool.pool;

  const limit = deps.pushTxBodyLimit;
  const pushTxOptions = {
    schema: S['POST /pushtx'],
    ...(limit === undefined
      ? {}
      : {
          bodyLimit: limit,
          // Refused before reading the body, with the route's own limit in the message.
          onRequest: async (req: { headers: Record<string, unknown> }) => {
            if (Number(req.headers['content-length']) > limit)
              throw new HttpError(413, 'TOO_LARGE', `request body is larger than ${limit} bytes`);
          },
        }),
  };
  server.post('/pushtx', pushTxOptions, async (req) => {
    try {
      const { txid } = await mempool.submit(req.body);
      return { txid };
    } catch (e) {
      if (isMempoolError(e)) throw new HttpError(400, e.code, e.message);
      throw e;
    }
  });

  // The answer is cached per pool version: nodes poll it before every block template.
  let cached: { version: number; tip: string; limit: number | undefined; body: string } | null =
    null;
  server.get('/unprocessed', { schema: S['GET /unprocessed'] }, async (req, reply) => {
    const limit = req.query.limit;
    mempool.settleTip();
    const tip = chain.tip.hash;
    if (
      !cached ||
      cached.version !== pool.version ||
      cached.tip !== tip ||
      cached.limit !== limit
    ) {
      const entries = pool.ordered();
      const list = limit === undefined ? entries : entries.slice(0, limit);
      cached = {
        version: pool.version,
        tip,
        limit,
        body: JSON.stringify(list.map((e) => txToJson(e.tx))),
      };
    }
    // Already JSON: sent as is (a string payload skips the serializer).
    return reply.type('application/json; charset=utf-8').send(cached.body as never);
  });

  server.get('/balance/:address', { schema: S['GET /balance/:address'] }, async (req) => {
    const addr = address(req.params.address);
    const confirmations = req.query.confirmations;
    return {
      address: addr,
      balance: mempool.balance(addr, confirmations).toString(),
      confirmations,
    };
  });

  server.get('/confirmations/:txid', { schema: S['GET /confirmations/:txid'] }, async (req) => {
    const status = mempool.status(req.params.txid);
    if (!status)
      throw new HttpError(
        404,
        'TX_NOT_FOUND',
        `tx ${req.params.txid} is neither pending nor in the active chain`,
      );
    return { txid: status.txid, confirmations: status.confirmations, blockHash: status.blockHash };
  });

  server.get('/tx/:txid', { schema: S['GET /tx/:txid'] }, async (req) => {
    const status = mempool.status(req.params.txid);
    if (!status)
      throw new HttpError(
        404,
        'TX_NOT_FOUND',
        `tx ${req.params.txid} is neither pending nor in the active chain`,
      );
    return status;
  });

  // An addition to the shared API: what a wallet needs to sign its next tx (the nonce after its pending ones).
  server.get('/account/:address', { schema: S['GET /account/:address'] }, async (req) => {
    const addr = address(req.params.address);
    mempool.settleTip();
    const pending = pool.pendingAccount(addr);
    const confirmed = mempool.chainAccount(addr);
    return {
      address: addr,
      balance: pending.balance.toString(),
      nonce: pending.nonce,
      confirmedBalance: confirmed.balance.toString(),
      confirmedNonce: confirmed.nonce,
    };
  });

  // What only this chain's level serves (level 3, as on the node: GET /receipt/:txid).
  if (deps.level) await server.register(deps.level.routes, { role: 'mempool' });

  server.get(
    '/status',
    { schema: S['GET /status'] },
    async () => deps.status() as MempoolStatusJson,
  );
}
