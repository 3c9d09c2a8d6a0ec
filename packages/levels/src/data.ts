// Level 1 (data): blocks carry data items posted to a node; there is no state, no account,
// no coinbase and no mempool.
import { nodeDataRoutes } from '@chainlab/api';
import {
  blockTemplate,
  isRuleError,
  NoState,
  type Block,
  type Chain,
  type ChainSpec,
  type SignatureCache,
  type SignedTx,
  type Tx,
} from '@chainlab/core';
import { HttpError, type Server } from '@chainlab/service';
import type { ChainLevel, LevelRouteOptions, TemplateInput } from './chain-level.js';
import { DATA_LEVEL } from './describe.js';

export class DataLevel implements ChainLevel {
  readonly number = DATA_LEVEL.number;
  readonly name = DATA_LEVEL.name;
  readonly features = DATA_LEVEL.features;
  readonly machine = new NoState();
  readonly accounts = null;

  constructor(
    readonly spec: ChainSpec,
    readonly sigCache: SignatureCache,
  ) {}

  carries(_tx: Tx): _tx is SignedTx {
    return false;
  }

  admission(): null {
    return null;
  }

  buildTemplate(chain: Chain, input: TemplateInput): Block {
    return blockTemplate(chain, { time: input.time, data: [...input.data()] });
  }

  routes = async (server: Server, options: LevelRouteOptions): Promise<void> => {
    if (options.role !== 'node') return;
    const queue = options.dataQueue;
    if (!queue) throw new Error('a level-1 node needs a data queue for POST /data');
    server.post('/data', { schema: nodeDataRoutes['POST /data'] }, async (req, reply) => {
      try {
        // Resolves once the item is on disk (the node's data-journal.ts): the 202 is a promise.
        await queue.add(req.body.data);
      } catch (e) {
        if (isRuleError(e)) throw new HttpError(400, e.code, e.message);
        throw e;
      }
      options.payloadChanged?.();
      return reply.code(202).send({ queued: true, pending: queue.size });
    });
  };
}
