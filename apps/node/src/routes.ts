// The node's REST API (SPEC §3). Handlers only translate HTTP to the chain service and
// back; the rules live in @chainlab/core.
import { Type } from '@sinclair/typebox';
import {
  blockToJson,
  isRuleError,
  LedgerMachine,
  parseAddress,
  parseBlock,
  type ChainNode,
} from '@chainlab/core';
import { EvmMachine } from '@chainlab/evm';
import { HttpError, type Server } from '@chainlab/service';
import { registerContractRoutes } from './contract-routes.js';
import type { ChainService } from '@chainlab/sync';
import type { Miner } from './miner.js';
import type { Gossip } from '@chainlab/sync';
import type { DataQueue } from './payload.js';
import type { Clock } from '@chainlab/sync';

export interface NodeRouteDeps {
  service: ChainService;
  miner: Miner | null;
  gossip: Gossip;
  data: DataQueue | null;
  clock: Clock;
  status: () => Record<string, unknown>;
}

const Height = Type.Object({ n: Type.Integer({ minimum: 0, maximum: 0xffffffff }) });
const Hash = Type.Object({ hash: Type.String({ pattern: '^0x[0-9a-fA-F]{64}$' }) });
const HashBody = Type.Object(
  { hash: Type.String({ pattern: '^0x[0-9a-fA-F]{64}$' }) },
  { additionalProperties: false },
);

function tipJson(node: ChainNode) {
  return {
    height: node.height,
    hash: node.hash,
    chainwork: '0x' + node.chainwork.toString(16),
    bits: node.header.bits,
    time: node.header.time,
  };
}

export function registerNodeRoutes(server: Server, deps: NodeRouteDeps): void {
  const { service } = deps;
  const chain = service.chain;

  server.get('/chainlength', async () => ({ length: chain.height + 1 }));

  server.get('/tip', async () => tipJson(chain.tip));

  server.get('/block/:n', { schema: { params: Height } }, async (req) => {
    const node = chain.atHeight(req.params.n);
    if (!node)
      throw new HttpError(
        404,
        'BLOCK_NOT_FOUND',
        `no block at height ${req.params.n} (the chain has ${chain.height + 1})`,
      );
    return blockToJson(node.block);
  });

  server.get('/block/hash/:hash', { schema: { params: Hash } }, async (req) => {
    const node = chain.get(req.params.hash);
    if (!node) throw new HttpError(404, 'BLOCK_NOT_FOUND', `no block ${req.params.hash}`);
    return blockToJson(node.block);
  });

  server.get(
    '/blockchain',
    {
      schema: {
        querystring: Type.Object({
          from: Type.Optional(Type.Integer({ minimum: 0 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
        }),
      },
    },
    async (req) => {
      const from = req.query.from ?? 0;
      const end =
        req.query.limit === undefined
          ? chain.height + 1
          : Math.min(chain.height + 1, from + req.query.limit);
      const blocks = [];
      for (let h = from; h < end; h++) blocks.push(blockToJson(chain.atHeight(h)!.block));
      return { length: chain.height + 1, blocks };
    },
  );

  server.post('/block', { schema: { body: Type.Unknown() } }, async (req, reply) => {
    let block;
    try {
      block = parseBlock(req.body, service.spec);
    } catch (e) {
      if (isRuleError(e)) throw new HttpError(400, 'INVALID_BLOCK', `${e.code}: ${e.message}`);
      throw e;
    }
    const result = await service.submit(block, 'rest');
    if (result.status === 'invalid') {
      throw new HttpError(400, 'INVALID_BLOCK', `${result.error?.code}: ${result.error?.message}`);
    }
    // What the 202 says happened (docs/services.md): "accepted" — on the active chain, every
    // rule checked; "stored" — joined a side branch: header and sanity rules checked, the
    // state rules run only if the branch becomes active (as Bitcoin Core keeps such
    // blocks); "orphan" — parent unknown, held until it arrives; "duplicate" — already held.
    const node = result.status === 'accepted' ? chain.get(result.hash) : undefined;
    const status = node && !chain.isActive(node) ? 'stored' : result.status;
    return reply.code(202).send({ hash: result.hash, status });
  });

  server.get('/status', async () => deps.status());

  // Not in SPEC §3: the block tree as this node sees it — side branches, invalid blocks
  // and which chain is active — for the explorer's fork view and for experiments.
  server.get(
    '/tree',
    {
      schema: {
        querystring: Type.Object({ fromHeight: Type.Optional(Type.Integer({ minimum: 0 })) }),
      },
    },
    async (req) => {
      const from = req.query.fromHeight ?? Math.max(0, chain.height - 100);
      const nodes = [];
      for (const node of chain.allNodes()) {
        if (node.height < from) continue;
        nodes.push({
          hash: node.hash,
          height: node.height,
          prevHash: node.header.prevHash,
          time: node.header.time,
          bits: node.header.bits,
          chainwork: '0x' + node.chainwork.toString(16),
          status: node.status,
          active: chain.isActive(node),
          ...(node.failure ? { failure: node.failure } : {}),
        });
      }
      nodes.sort((a, b) => a.height - b.height);
      return { tip: chain.tip.hash, height: chain.height, fromHeight: from, blocks: nodes };
    },
  );

  if (service.spec.level === 1) {
    server.post(
      '/data',
      { schema: { body: Type.Object({ data: Type.String() }, { additionalProperties: false }) } },
      async (req, reply) => {
        try {
          // Resolves once the item is on disk (data-journal.ts): the 202 is a promise.
          await deps.data!.add(req.body.data);
        } catch (e) {
          if (isRuleError(e)) throw new HttpError(400, e.code, e.message);
          throw e;
        }
        deps.miner?.payloadChanged();
        return reply.code(202).send({ queued: true, pending: deps.data!.size });
      },
    );
  } else {
    server.get(
      '/account/:address',
      { schema: { params: Type.Object({ address: Type.String() }) } },
      async (req) => {
        let address: string;
        try {
          address = parseAddress(req.params.address);
        } catch {
          throw new HttpError(
            400,
            'INVALID_ADDRESS',
            `not a valid address (EIP-55 checksum): ${req.params.address}`,
          );
        }
        const state = service.state;
        if (state instanceof EvmMachine) {
          // Level 3: the SPEC shape plus the code's hash and size (0 for a key's account).
          const a = state.account(address);
          return {
            address,
            balance: a.balance.toString(),
            nonce: a.nonce,
            codeHash: a.codeHash,
            codeSize: a.codeSize,
          };
        }
        const account =
          state instanceof LedgerMachine ? state.state.get(address) : { balance: 0n, nonce: 0 };
        return { address, balance: account.balance.toString(), nonce: account.nonce };
      },
    );
    if (service.state instanceof EvmMachine) registerContractRoutes(server, service.state);
  }

  if (service.spec.devnet) registerDevRoutes(server, deps, HashBody);
}

/** Devnet controls (SPEC §3): refused with 404 on any other chain, since they are never registered. */
function registerDevRoutes(server: Server, deps: NodeRouteDeps, HashBody: typeof Hash): void {
  const { service, miner, clock } = deps;
  const needMiner = () => {
    if (!miner) throw new HttpError(409, 'NO_MINER', 'this node has no miner');
    if (!miner.canMine)
      throw new HttpError(409, 'NO_COINBASE', 'start the node with --coinbase <address> to mine');
    return miner;
  };

  server.post(
    '/dev/mine',
    {
      schema: {
        body: Type.Object(
          { blocks: Type.Integer({ minimum: 1, maximum: 1000 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const hashes = await needMiner().mineBlocks(req.body.blocks);
      return { hashes, height: service.chain.height };
    },
  );

  server.post(
    '/dev/mining',
    { schema: { body: Type.Object({ on: Type.Boolean() }, { additionalProperties: false }) } },
    async (req) => {
      const m = needMiner();
      if (req.body.on) m.start();
      else await m.stop();
      return { mining: m.mining };
    },
  );

  server.post(
    '/dev/time',
    {
      schema: {
        body: Type.Object(
          { offsetSeconds: Type.Integer({ minimum: -1e9, maximum: 1e9 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      clock.setOffset(req.body.offsetSeconds);
      return { offsetSeconds: clock.offset, now: clock.now() };
    },
  );

  for (const action of ['invalidate', 'reconsider'] as const) {
    server.post(`/dev/${action}`, { schema: { body: HashBody } }, async (req) => {
      if (!service.chain.get(req.body.hash))
        throw new HttpError(404, 'BLOCK_NOT_FOUND', `no block ${req.body.hash}`);
      if (service.chain.genesis.hash === req.body.hash.toLowerCase())
        throw new HttpError(400, 'BAD_GENESIS', 'the genesis block cannot be changed');
      await service.control(action, req.body.hash.toLowerCase());
      return { tip: tipJson(service.chain.tip) };
    });
  }
}
