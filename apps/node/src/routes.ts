// The node's REST API (docs/api.md#node; schemas in @chainlab/api). Handlers only
// translate HTTP to the chain service and back; the rules live in @chainlab/core.
import { nodeDevRoutes, nodeRoutes as S, type BlockJson, type NodeStatusJson } from '@chainlab/api';
import { blockToJson, isRuleError, parseBlock, type ChainNode } from '@chainlab/core';
import type { ChainLevel, LevelRouteOptions } from '@chainlab/levels';
import { HttpError, type Server } from '@chainlab/service';
import type { ChainService, Clock, Gossip } from '@chainlab/sync';
import type { Miner } from './miner.js';
import type { DataQueue } from './payload.js';

export interface NodeRouteDeps {
  service: ChainService;
  /** The chain's level: it registers its own routes (POST /data, /account, contracts, /rpc). */
  level: ChainLevel;
  miner: Miner | null;
  gossip: Gossip;
  data: DataQueue | null;
  clock: Clock;
  /** Level 3's route hook registers the Ethereum JSON-RPC through it. */
  ethRpc?: LevelRouteOptions['ethRpc'];
  status: () => Record<string, unknown>;
}

/** A block as the API shows it (blockToJson's shape, typed for the response schema). */
const blockJson = (node: ChainNode): BlockJson => blockToJson(node.block) as BlockJson;

function tipJson(node: ChainNode) {
  return {
    height: node.height,
    hash: node.hash,
    chainwork: '0x' + node.chainwork.toString(16),
    bits: node.header.bits,
    time: node.header.time,
  };
}

export async function registerNodeRoutes(server: Server, deps: NodeRouteDeps): Promise<void> {
  const { service } = deps;
  const chain = service.chain;

  server.get('/chainlength', { schema: S['GET /chainlength'] }, async () => ({
    length: chain.height + 1,
  }));

  server.get('/tip', { schema: S['GET /tip'] }, async () => tipJson(chain.tip));

  server.get('/block/:n', { schema: S['GET /block/:n'] }, async (req) => {
    const node = chain.atHeight(req.params.n);
    if (!node)
      throw new HttpError(
        404,
        'BLOCK_NOT_FOUND',
        `no block at height ${req.params.n} (the chain has ${chain.height + 1})`,
      );
    return blockJson(node);
  });

  server.get('/block/hash/:hash', { schema: S['GET /block/hash/:hash'] }, async (req) => {
    const node = chain.get(req.params.hash);
    if (!node) throw new HttpError(404, 'BLOCK_NOT_FOUND', `no block ${req.params.hash}`);
    return blockJson(node);
  });

  server.get('/blockchain', { schema: S['GET /blockchain'] }, async (req) => {
    const from = req.query.from ?? 0;
    const end =
      req.query.limit === undefined
        ? chain.height + 1
        : Math.min(chain.height + 1, from + req.query.limit);
    const blocks = [];
    for (let h = from; h < end; h++) blocks.push(blockJson(chain.atHeight(h)!));
    return { length: chain.height + 1, blocks };
  });

  server.post('/block', { schema: S['POST /block'] }, async (req, reply) => {
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

  server.get('/status', { schema: S['GET /status'] }, async () => deps.status() as NodeStatusJson);

  // An addition to the shared API: the block tree as this node sees it — side branches, invalid blocks
  // and which chain is active — for the explorer's fork view and for experiments.
  server.get('/tree', { schema: S['GET /tree'] }, async (req) => {
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
  });

  // What only this chain's level serves, as the level's plugin.
  await server.register(deps.level.routes, {
    role: 'node',
    dataQueue: deps.data,
    payloadChanged: () => deps.miner?.payloadChanged(),
    ...(deps.ethRpc ? { ethRpc: deps.ethRpc } : {}),
  });

  if (service.spec.devnet) registerDevRoutes(server, deps);
}

/** Devnet controls (docs/api.md#node): 404 on any other chain, since they are never registered. */
function registerDevRoutes(server: Server, deps: NodeRouteDeps): void {
  const { service, miner, clock } = deps;
  const needMiner = () => {
    if (!miner) throw new HttpError(409, 'NO_MINER', 'this node has no miner');
    if (!miner.canMine)
      throw new HttpError(409, 'NO_COINBASE', 'start the node with --coinbase <address> to mine');
    return miner;
  };

  server.post('/dev/mine', { schema: nodeDevRoutes['POST /dev/mine'] }, async (req) => {
    const hashes = await needMiner().mineBlocks(req.body.blocks);
    return { hashes, height: service.chain.height };
  });

  server.post('/dev/mining', { schema: nodeDevRoutes['POST /dev/mining'] }, async (req) => {
    const m = needMiner();
    if (req.body.on) m.start();
    else await m.stop();
    return { mining: m.mining };
  });

  server.post('/dev/time', { schema: nodeDevRoutes['POST /dev/time'] }, async (req) => {
    clock.setOffset(req.body.offsetSeconds);
    return { offsetSeconds: clock.offset, now: clock.now() };
  });

  for (const action of ['invalidate', 'reconsider'] as const) {
    server.post(`/dev/${action}`, { schema: nodeDevRoutes[`POST /dev/${action}`] }, async (req) => {
      if (!service.chain.get(req.body.hash))
        throw new HttpError(404, 'BLOCK_NOT_FOUND', `no block ${req.body.hash}`);
      if (service.chain.genesis.hash === req.body.hash.toLowerCase())
        throw new HttpError(400, 'BAD_GENESIS', 'the genesis block cannot be changed');
      await service.control(action, req.body.hash.toLowerCase());
      return { tip: tipJson(service.chain.tip) };
    });
  }
}
