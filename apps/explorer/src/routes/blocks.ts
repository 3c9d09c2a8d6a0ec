// Blocks of the best chain and any block by height or hash, explained.
import { explorerRoutes as S, type BlockJson as ApiBlockJson } from '@chainlab/api';
import { HttpError, type Server } from '@chainlab/service';
import type { IndexedBlock } from '../chain-index.js';
import { HASH_RE, type ApiContext } from './context.js';

export function registerBlocksRoutes(server: Server, ctx: ApiContext): void {
  const { network, index, nodesFor, blockTime } = ctx;
  server.get('/api/blocks', { schema: S['GET /api/blocks'] }, async (req) => {
    const top = index.height;
    const start = Math.min(top, req.query.before === undefined ? top : req.query.before - 1);
    const out = [];
    for (let h = start; h >= 0 && out.length < req.query.limit; h--) {
      const b = index.blocks.get(index.active[h]!);
      if (!b) continue;
      const parent = h > 0 ? index.blocks.get(index.active[h - 1]!) : undefined;
      out.push({
        hash: b.json.hash,
        height: b.json.height,
        time: b.json.header.time,
        bits: b.json.header.bits,
        sinceParent: parent ? b.json.header.time - parent.json.header.time : null,
        size: b.analysis.size,
        items: b.analysis.txs?.length ?? b.analysis.items?.length ?? 0,
        fees: b.analysis.fees,
        miner: b.analysis.coinbase?.to ?? null,
        hashLeadingZeroBits: b.analysis.pow?.hashLeadingZeroBits ?? null,
      });
    }
    return { height: top, tip: index.tip, blocks: out };
  });

  server.get('/api/block/:id', { schema: S['GET /api/block/:id'] }, async (req) => {
    const id = req.params.id.trim();
    let hash: string | undefined;
    if (/^\d{1,10}$/.test(id)) {
      hash = index.active[Number(id)];
      if (!hash)
        throw new HttpError(
          404,
          'BLOCK_NOT_FOUND',
          `no block at height ${id} on the best chain (height ${index.height})`,
        );
    } else if (HASH_RE.test(id)) {
      hash = id.toLowerCase();
    } else {
      throw new HttpError(
        400,
        'INVALID_REQUEST',
        'a block is a height (decimal) or a hash (0x + 64 hex digits)',
      );
    }
    const b: IndexedBlock | null = await index.fetchBlock(hash, nodesFor(hash));
    if (!b) throw new HttpError(404, 'BLOCK_NOT_FOUND', `no node knows block ${hash}`);
    const { json, analysis } = b;
    const parentTime = json.height > 0 ? await blockTime(json.header.prevHash) : null;
    const known = network.known.get(hash);
    const onBest = index.isActive(hash);
    const children = [...network.known.values()]
      .filter((k) => k.prevHash === hash)
      .map((k) => ({ hash: k.hash, height: k.height, onBest: index.isActive(k.hash, k.height) }));
    return {
      hash: json.hash,
      height: json.height,
      header: json.header,
      ...analysis,
      chainwork: known?.chainwork ?? index.chainwork(hash),
      onBestChain: onBest,
      confirmations: index.confirmations(hash),
      bestHeight: index.height,
      nextHash: onBest ? (index.active[json.height + 1] ?? null) : null,
      children,
      parentTime,
      sinceParent: parentTime === null ? null : json.header.time - parentTime,
      views: network.blockViews(hash),
    };
  });

  server.get('/api/block/:hash/raw', { schema: S['GET /api/block/:hash/raw'] }, async (req) => {
    const b = await index.fetchBlock(
      req.params.hash.toLowerCase(),
      nodesFor(req.params.hash.toLowerCase()),
    );
    if (!b) throw new HttpError(404, 'BLOCK_NOT_FOUND', `no node knows block ${req.params.hash}`);
    return b.json as unknown as ApiBlockJson;
  });
}
