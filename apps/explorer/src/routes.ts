// The explorer's JSON API under /api: the network, the merged block tree, blocks, txs,
// addresses, the mempool and search, aggregated from the nodes (found through the
// tracker) and the mempool; devnet controls proxied to the nodes; live events (SSE).
import { Type } from '@sinclair/typebox';
import { parseAddress, parseTx, txid as txidOf, txToJson, type Tx } from '@chainlab/core';
import { fetchJson, HttpError, isPeerError, type Server } from '@chainlab/service';
import type { ChainIndex, IndexedBlock } from './chain-index.js';
import type { ChainInfo } from './chain-info.js';
import type { LiveHub } from './live.js';
import type { Network, NodeState } from './network.js';

export interface ExplorerDeps {
  network: Network;
  index: ChainIndex;
  hub: LiveHub;
  chain: () => ChainInfo;
  trackerUrl: string | undefined;
  mempoolUrl: string | undefined;
  treeDepth: number;
}

const HASH_RE = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const HashParams = Type.Object({ hash: Type.String({ pattern: '^0x[0-9a-fA-F]{64}$' }) });
const TxidParams = Type.Object({ txid: Type.String({ pattern: '^0x[0-9a-fA-F]{64}$' }) });
const AddressParams = Type.Object({ address: Type.String({ maxLength: 100 }) });
const NodeTarget = Type.String({
  minLength: 1,
  maxLength: 600,
  description: 'a node id (node-1), its URL, or "all"',
});

function checkedAddress(raw: string): string {
  try {
    return parseAddress(raw);
  } catch {
    throw new HttpError(
      400,
      'INVALID_ADDRESS',
      `not a valid address (0x + 40 hex digits, EIP-55 checksum): ${raw.slice(0, 60)}`,
    );
  }
}

/** A tx as the pages show it (level 2-3), from its JSON: parsed to compute its id. */
function txFromJson(json: unknown, level: number): { txid: string; tx: Tx } | null {
  try {
    const tx = parseTx(json, { level: level as 1 | 2 | 3 });
    return { txid: txidOf(tx), tx };
  } catch {
    return null;
  }
}

function txSummary(txid: string, tx: Tx) {
  return { txid, kind: tx.kind, ...txToJson(tx) };
}

const upstreamMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function registerExplorerRoutes(server: Server, deps: ExplorerDeps): void {
  const { network, index, hub } = deps;
  const level = (): number => deps.chain().level ?? network.best()?.status?.level ?? 1;
  const upNodes = (): NodeState[] => {
    const best = network.best();
    const rest = network.list().filter((n) => n.up && n !== best);
    return best ? [best, ...rest] : rest;
  };
  /** The mempool, unless the chain has none (level 1). */
  const mempoolUrl = (): string | undefined => (level() >= 2 ? deps.mempoolUrl : undefined);
  const mempoolUp = (): boolean => !!mempoolUrl() && network.mempool.up;

  /** Blocks a hash is known to by nodes first, then every node. */
  const nodesFor = (hash: string): string[] => {
    const views = network.known.get(hash)?.views;
    const nodes = upNodes();
    return [
      ...nodes.filter((n) => views?.has(n.id)),
      ...nodes.filter((n) => !views?.has(n.id)),
    ].map((n) => n.url);
  };

  const blockTime = async (hash: string): Promise<number | null> => {
    const k = network.known.get(hash);
    if (k) return k.time;
    const b = await index.fetchBlock(hash, nodesFor(hash));
    return b?.json.header.time ?? null;
  };

  server.get('/api/events', (req, reply) => hub.attach(req, reply));

  server.get('/api/info', async () => {
    const chain = deps.chain();
    const nodes = network.list();
    const features = {
      mempool: mempoolUp() && (chain.level ?? 1) >= 2,
      receipt: nodes.some((n) => n.up && n.features.receipt),
      code: nodes.some((n) => n.up && n.features.code),
      storage: nodes.some((n) => n.up && n.features.storage),
    };
    return {
      name: 'chainlab explorer',
      chainId: chain.chainId,
      spec: chain.specName,
      level: chain.level,
      coin: chain.coin,
      targetBlockTimeSeconds: chain.targetBlockTimeSeconds,
      powLimitBits: chain.powLimitBits ?? null,
      devnet: nodes.some((n) => n.up && n.devControls === true),
      genesis: network.genesisHash,
      tracker: deps.trackerUrl ?? null,
      mempool: mempoolUrl() ?? null,
      features,
      treeDepth: deps.treeDepth,
    };
  });

  server.get('/api/network', async () => {
    const best = network.best();
    const byUrl = new Map(network.list().map((n) => [n.url, n.id]));
    const nodes = network.list().map((n) => {
      const s = n.status;
      const tip = s ? network.known.get(s.tip) : undefined;
      return {
        id: n.id,
        url: n.url,
        up: n.up,
        error: n.error,
        listed: n.listed,
        live: n.ws === 'open',
        devControls: n.devControls,
        height: s?.height ?? null,
        tip: s?.tip ?? null,
        tipTime: tip?.time ?? null,
        tipSeenAt: n.tipSeenAt,
        chainwork: tip?.chainwork ?? null,
        hashrate: s?.hashrate ?? null,
        threads: s?.threads ?? null,
        mining: s?.mining ?? null,
        pending: s?.pending ?? null,
        blocksFound: s?.blocksFound ?? null,
        timeOffsetSeconds: s?.timeOffsetSeconds ?? null,
        peers: (s?.peers ?? []).map((u) => ({ url: u, node: byUrl.get(u) ?? null })),
        onBestTip: !!best?.status && s?.tip === best.status.tip,
        tipPosition: network.tipPosition(n),
      };
    });
    const m = network.mempool;
    return {
      now: Date.now(),
      best: best?.status
        ? {
            node: best.id,
            tip: best.status.tip,
            height: best.status.height,
            chainwork: network.tipWork(best),
          }
        : null,
      nodes,
      mempool: {
        url: mempoolUrl() ?? null,
        up: m.up,
        error: m.error,
        height: (m.status?.height as number | undefined) ?? null,
        tip: (m.status?.tip as string | undefined) ?? null,
        pending: (m.status?.pending as number | undefined) ?? null,
        held: (m.status?.held as number | undefined) ?? null,
      },
    };
  });

  server.get(
    '/api/tree',
    {
      schema: {
        querystring: Type.Object({
          window: Type.Integer({ minimum: 2, maximum: 1000, default: 40 }),
          from: Type.Optional(Type.Integer({ minimum: 0 })),
        }),
      },
    },
    async (req) => {
      const best = network.best();
      const nodes = network.list();
      let top = 0;
      for (const n of nodes) if (n.up && n.status) top = Math.max(top, n.status.height);
      for (const b of network.known.values()) if (b.views.size > 0) top = Math.max(top, b.height);
      const from = req.query.from ?? Math.max(0, top - req.query.window + 1);
      const to = from + req.query.window - 1;
      const blocks = [];
      for (const b of network.known.values()) {
        if (b.height < from || b.height > to || b.views.size === 0) continue;
        const views: Record<
          string,
          { status: string; active: boolean; failure?: { code: string; message: string } }
        > = {};
        const activeOn: string[] = [];
        const invalidOn: string[] = [];
        for (const n of nodes) {
          const v = b.views.get(n.id);
          if (!v) continue;
          views[n.id] = v;
          if (v.active) activeOn.push(n.id);
          if (v.status === 'invalid' || v.status === 'invalid-parent') invalidOn.push(n.id);
        }
        blocks.push({
          hash: b.hash,
          height: b.height,
          prevHash: b.prevHash,
          time: b.time,
          bits: b.bits,
          chainwork: b.chainwork,
          firstSeen: b.firstSeen,
          views,
          activeOn,
          invalidOn,
          onBest: !!best && activeOn.includes(best.id),
        });
      }
      blocks.sort((a, b) => a.height - b.height || a.firstSeen - b.firstSeen);
      return {
        from,
        to,
        top,
        best: best?.status ? { node: best.id, tip: best.status.tip } : null,
        tips: nodes.map((n) => ({
          node: n.id,
          url: n.url,
          up: n.up,
          tip: n.status?.tip ?? null,
          height: n.status?.height ?? null,
          chainwork: network.tipWork(n),
        })),
        blocks,
        reorgs: network.reorgs.slice(-20),
      };
    },
  );

  server.get(
    '/api/blocks',
    {
      schema: {
        querystring: Type.Object({
          before: Type.Optional(Type.Integer({ minimum: 0 })),
          limit: Type.Integer({ minimum: 1, maximum: 100, default: 25 }),
        }),
      },
    },
    async (req) => {
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
    },
  );

  server.get(
    '/api/block/:id',
    { schema: { params: Type.Object({ id: Type.String({ maxLength: 80 }) }) } },
    async (req) => {
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
    },
  );

  const pendingList = async (): Promise<{ txid: string; tx: Tx }[]> => {
    if (!deps.mempoolUrl || !network.mempool.up) return [];
    const list = await fetchJson<unknown[]>(`${deps.mempoolUrl}/unprocessed`, { timeoutMs: 5000 });
    return (Array.isArray(list) ? list : [])
      .map((j) => txFromJson(j, level()))
      .filter((x): x is { txid: string; tx: Tx } => x !== null);
  };

  server.get('/api/tx/:txid', { schema: { params: TxidParams } }, async (req) => {
    const id = req.params.txid.toLowerCase();
    const blocks = [...(index.items.get(id) ?? [])]
      .map((h) => index.blocks.get(h)!)
      .filter(Boolean);
    const inBlocks = blocks.map((b) => ({
      hash: b.json.hash,
      height: b.json.height,
      onBestChain: index.isActive(b.json.hash),
      confirmations: index.confirmations(b.json.hash),
    }));
    const activeBlock = blocks.find((b) => index.isActive(b.json.hash));
    // Level 1: a data item.
    const item = blocks.flatMap((b) => b.analysis.items ?? []).find((i) => i.id === id);
    if (item) {
      return {
        txid: id,
        kind: 'data',
        status: activeBlock ? 'confirmed' : 'stale',
        data: item.text,
        bytes: item.bytes,
        blockHash: activeBlock?.json.hash ?? null,
        blockHeight: activeBlock?.json.height ?? null,
        blockTime: activeBlock?.json.header.time ?? null,
        confirmations: activeBlock ? index.confirmations(activeBlock.json.hash) : 0,
        inBlocks,
        tx: null,
        mempool: null,
      };
    }
    let fromMempool: {
      status: string;
      tx: unknown;
      blockHash: string | null;
      confirmations: number;
    } | null = null;
    if (deps.mempoolUrl && network.mempool.up) {
      try {
        fromMempool = await fetchJson(`${deps.mempoolUrl}/tx/${id}`, { timeoutMs: 4000 });
      } catch (e) {
        if (!isPeerError(e, 'http'))
          throw new HttpError(502, 'UPSTREAM_UNAVAILABLE', `mempool: ${upstreamMessage(e)}`);
      }
    }
    const fromBlock = activeBlock ?? blocks[0];
    const txInBlock = fromBlock?.analysis.txs?.find((t) => t.txid === id) ?? null;
    let tx: { kind: string } | null = txInBlock;
    if (!tx && fromMempool) {
      const parsed = txFromJson(fromMempool.tx, level());
      if (parsed) tx = txSummary(parsed.txid, parsed.tx);
    }
    if (!tx)
      throw new HttpError(
        404,
        'TX_NOT_FOUND',
        `no tx ${id} in the mempool or in any block the explorer knows`,
      );
    let position: number | null = null;
    if (!activeBlock && fromMempool && fromMempool.status !== 'confirmed') {
      const pending = await pendingList().catch(() => []);
      const i = pending.findIndex((p) => p.txid === id);
      position = i >= 0 ? i + 1 : null;
    }
    const status = activeBlock
      ? 'confirmed'
      : fromMempool && fromMempool.status !== 'confirmed'
        ? 'pending'
        : fromMempool?.status === 'confirmed'
          ? 'confirmed'
          : 'stale';
    const blockHash = activeBlock?.json.hash ?? fromMempool?.blockHash ?? null;
    return {
      txid: id,
      kind: tx.kind,
      status,
      tx,
      blockHash,
      blockHeight:
        activeBlock?.json.height ??
        (blockHash ? (network.known.get(blockHash)?.height ?? null) : null),
      blockTime:
        activeBlock?.json.header.time ??
        (blockHash ? (network.known.get(blockHash)?.time ?? null) : null),
      confirmations: activeBlock
        ? index.confirmations(activeBlock.json.hash)
        : (fromMempool?.confirmations ?? 0),
      inBlocks,
      mempool: fromMempool ? { status: fromMempool.status, position } : null,
    };
  });

  server.get('/api/address/:address', { schema: { params: AddressParams } }, async (req) => {
    const address = checkedAddress(req.params.address);
    const lv = level();
    const balances: Record<string, string | null> = { '0': null, '1': null, '6': null };
    let nonce: number | null = null;
    let pendingNonce: number | null = null;
    let source: 'mempool' | 'node' | null = null;
    if (lv >= 2 && deps.mempoolUrl && network.mempool.up) {
      try {
        const [b0, b1, b6, acct] = await Promise.all([
          ...[0, 1, 6].map((c) =>
            fetchJson<{ balance: string }>(
              `${deps.mempoolUrl}/balance/${address}?confirmations=${c}`,
              { timeoutMs: 4000 },
            ),
          ),
          fetchJson<{ nonce: number; confirmedNonce?: number }>(
            `${deps.mempoolUrl}/account/${address}`,
            { timeoutMs: 4000 },
          ).catch(() => null),
        ]);
        balances['0'] = (b0 as { balance: string }).balance;
        balances['1'] = (b1 as { balance: string }).balance;
        balances['6'] = (b6 as { balance: string }).balance;
        const a = acct as { nonce: number; confirmedNonce?: number } | null;
        if (a) {
          pendingNonce = a.nonce;
          nonce = a.confirmedNonce ?? null;
        }
        source = 'mempool';
      } catch {
        source = null;
      }
    }
    if (lv >= 2 && (source === null || nonce === null)) {
      const best = network.best();
      if (best) {
        try {
          const a = await fetchJson<{ balance: string; nonce: number }>(
            `${best.url}/account/${address}`,
            { timeoutMs: 4000 },
          );
          nonce = a.nonce;
          if (source === null) {
            balances['1'] = a.balance;
            source = 'node';
          }
        } catch {
          /* shown as unknown */
        }
      }
    }
    const entries = index.byAddress.get(address.toLowerCase()) ?? [];
    const history = entries
      .map((e) => {
        const b = index.blocks.get(e.blockHash)!;
        const t = b.analysis.txs?.find((x) => x.txid === e.txid);
        if (!t) return null;
        const lower = address.toLowerCase();
        const out = t.from?.toLowerCase() === lower;
        const inn = t.to?.toLowerCase() === lower;
        return {
          ...t,
          direction: out && inn ? 'self' : out ? 'out' : 'in',
          blockHash: e.blockHash,
          height: b.json.height,
          time: b.json.header.time,
          onBestChain: index.isActive(e.blockHash),
          confirmations: index.confirmations(e.blockHash),
        };
      })
      .filter((x) => x !== null)
      .sort((a, b) => b.height - a.height || b.index - a.index);
    const pending = (await pendingList().catch(() => []))
      .map((p, i) => ({ ...txSummary(p.txid, p.tx), position: i + 1 }))
      .filter((p) => p.from === address || p.to === address)
      .map((p) => ({
        ...p,
        direction:
          p.from === address && p.to === address ? 'self' : p.from === address ? 'out' : 'in',
      }));
    return {
      address,
      level: lv,
      balances,
      balanceSource: source,
      nonce,
      pendingNonce,
      history,
      pending,
    };
  });

  server.get('/api/mempool', async () => {
    const m = network.mempool;
    if (!mempoolUrl()) {
      const error =
        level() >= 2 ? 'no mempool configured' : 'a data chain (level 1) has no mempool';
      return { url: null, up: false, error, txs: [], status: null };
    }
    let txs: ReturnType<typeof txSummary>[] = [];
    let error = m.error;
    try {
      txs = (await pendingList()).map((p) => txSummary(p.txid, p.tx));
    } catch (e) {
      error = upstreamMessage(e);
    }
    return {
      url: deps.mempoolUrl,
      up: m.up,
      error,
      status: m.status,
      txs: txs.map((t, i) => ({ position: i + 1, ...t })),
    };
  });

  server.get(
    '/api/search',
    { schema: { querystring: Type.Object({ q: Type.String({ maxLength: 200 }) }) } },
    async (req) => {
      let q = req.query.q.trim();
      if (/^[0-9a-fA-F]{64}$/.test(q) || /^[0-9a-fA-F]{40}$/.test(q)) q = '0x' + q;
      if (/^\d{1,10}$/.test(q)) {
        const h = Number(q);
        if (index.active[h]) return { kind: 'block', id: index.active[h], height: h };
        throw new HttpError(
          404,
          'NOT_FOUND',
          `no block at height ${h} (the best chain has height ${index.height})`,
        );
      }
      if (HASH_RE.test(q)) {
        const hash = q.toLowerCase();
        if (network.known.has(hash) || index.blocks.has(hash)) return { kind: 'block', id: hash };
        if (index.items.has(hash)) return { kind: 'tx', id: hash };
        if (deps.mempoolUrl && network.mempool.up) {
          try {
            await fetchJson(`${deps.mempoolUrl}/tx/${hash}`, { timeoutMs: 3000 });
            return { kind: 'tx', id: hash };
          } catch {
            /* not a tx the mempool knows */
          }
        }
        if (await index.fetchBlock(hash, nodesFor(hash))) return { kind: 'block', id: hash };
        throw new HttpError(404, 'NOT_FOUND', `no block or tx ${hash}`);
      }
      if (ADDRESS_RE.test(q)) return { kind: 'address', id: checkedAddress(q) };
      throw new HttpError(
        404,
        'NOT_FOUND',
        'search for a block height, a block hash, a txid or an address (0x…)',
      );
    },
  );

  // ---- devnet controls, proxied to the nodes ----
  const targets = (node: string): NodeState[] => {
    if (node === 'all') {
      const all = network.list().filter((n) => n.up);
      if (all.length === 0) throw new HttpError(503, 'NO_NODES', 'no node is up');
      return all;
    }
    const n = network.find(node);
    if (!n)
      throw new HttpError(
        404,
        'NODE_NOT_FOUND',
        `no node ${node} (use an id such as node-1, a URL the tracker lists, or "all")`,
      );
    return [n];
  };

  const devAction = async (
    action: string,
    node: string,
    body: Record<string, unknown>,
    timeoutMs = 10_000,
  ) => {
    const ns = targets(node);
    const results = await Promise.all(
      ns.map(async (n) => {
        try {
          const answer = await fetchJson<unknown>(`${n.url}/dev/${action}`, {
            method: 'POST',
            body,
            timeoutMs,
          });
          return { node: n.id, ok: true as const, status: 200, answer };
        } catch (e) {
          const status = isPeerError(e, 'http') ? (e.status ?? 502) : 502;
          const code = isPeerError(e, 'http')
            ? (e.code ?? 'UPSTREAM_ERROR')
            : 'UPSTREAM_UNAVAILABLE';
          return { node: n.id, ok: false as const, status, code, message: upstreamMessage(e) };
        }
      }),
    );
    await Promise.all(ns.map((n) => network.refresh(n, true)));
    const failed = results.filter((r) => !r.ok);
    if (failed.length === results.length) {
      const f = failed[0]!;
      const status = f.status >= 400 && f.status < 500 ? f.status : 502;
      const code =
        f.status === 404 && f.code === 'NOT_FOUND' ? 'DEV_DISABLED' : (f.code ?? 'UPSTREAM_ERROR');
      const message =
        code === 'DEV_DISABLED'
          ? `${f.node} has no devnet controls (its chain spec is not a devnet)`
          : `${f.node}: ${f.message}`;
      throw new HttpError(
        status,
        /^[A-Z][A-Z0-9_]*$/.test(code) ? code : 'UPSTREAM_ERROR',
        message,
      );
    }
    return { results };
  };

  server.post(
    '/api/dev/mine',
    {
      schema: {
        body: Type.Object(
          { node: NodeTarget, blocks: Type.Integer({ minimum: 1, maximum: 100 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => devAction('mine', req.body.node, { blocks: req.body.blocks }, 120_000),
  );
  server.post(
    '/api/dev/mining',
    {
      schema: {
        body: Type.Object(
          { node: NodeTarget, on: Type.Boolean() },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => devAction('mining', req.body.node, { on: req.body.on }),
  );
  server.post(
    '/api/dev/time',
    {
      schema: {
        body: Type.Object(
          { node: NodeTarget, offsetSeconds: Type.Integer({ minimum: -1e9, maximum: 1e9 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => devAction('time', req.body.node, { offsetSeconds: req.body.offsetSeconds }),
  );
  // A fork on demand, at any difficulty. Nodes that mine at the same moment never fork on a
  // local network (the first block reaches the others in milliseconds and they build on it),
  // so one node is made to disagree: it invalidates its tip T and mines a competing block T'
  // at the same height. Now two tips of equal work exist (the others keep T, first seen).
  // As soon as some node extends either branch, the explorer reconsiders T on that node,
  // which then follows the branch with the most work, like every other node: the fork
  // resolves by most work, whichever branch wins. Mining is paused first: a fork on a local
  // network lasts until the next block, and the student should see it.
  server.post(
    '/api/dev/fork',
    { schema: { body: Type.Object({}, { additionalProperties: false }) } },
    async () => {
      const ns = network.list().filter((n) => n.up && n.devControls && n.status);
      if (ns.length < 2)
        throw new HttpError(409, 'NOT_ENOUGH_NODES', 'a fork needs two nodes with devnet controls');
      // A fork lasts until the next block: pause mining so it stays on screen.
      const paused = ns.filter((n) => n.status?.mining);
      await Promise.all(
        paused.map((n) =>
          fetchJson(`${n.url}/dev/mining`, {
            method: 'POST',
            body: { on: false },
            timeoutMs: 10_000,
          }),
        ),
      );
      const x = ns.at(-1)!;
      const tip = await fetchJson<{ hash: string; height: number; time: number }>(`${x.url}/tip`, {
        timeoutMs: 3000,
      });
      if (tip.height === 0)
        throw new HttpError(409, 'NO_BLOCKS', 'mine a block first: genesis cannot be replaced');
      const post = (path: string, body: unknown, timeoutMs = 10_000) =>
        fetchJson<Record<string, unknown>>(`${x.url}${path}`, { method: 'POST', body, timeoutMs });
      // The competing block must differ from T even when this node mined T: a payload of its
      // own on a data chain, else a later timestamp (its clock moved just past T's time).
      let restoreOffset: number | null = null;
      if (level() === 1) {
        await post('/data', { data: `fork: ${x.id}'s competing block at height ${tip.height}` });
      } else {
        const before = x.status?.timeOffsetSeconds ?? 0;
        const bump = Math.max(1, tip.time + 1 - (Math.floor(Date.now() / 1000) + before));
        await post('/dev/time', { offsetSeconds: before + bump });
        restoreOffset = before;
      }
      let competing: string | undefined;
      try {
        await post('/dev/invalidate', { hash: tip.hash });
        const mined = await post('/dev/mine', { blocks: 1 }, 120_000);
        competing = (mined.hashes as string[] | undefined)?.[0];
      } finally {
        if (restoreOffset !== null)
          await post('/dev/time', { offsetSeconds: restoreOffset }).catch(() => undefined);
      }
      network.reconsiderLater(x, tip.hash, tip.height);
      await Promise.all(network.list().map((n) => network.refresh(n, true)));
      return {
        node: x.id,
        height: tip.height,
        replaced: tip.hash,
        competing: competing ?? null,
        pausedMining: paused.map((n) => n.id),
      };
    },
  );

  for (const action of ['invalidate', 'reconsider'] as const) {
    server.post(
      `/api/dev/${action}`,
      {
        schema: {
          body: Type.Object(
            { node: NodeTarget, hash: Type.String({ pattern: '^0x[0-9a-fA-F]{64}$' }) },
            { additionalProperties: false },
          ),
        },
      },
      async (req) =>
        devAction(action, req.body.node, { hash: req.body.hash.toLowerCase() }, 30_000),
    );
  }

  // ---- level 3: proxied when a node serves them ----
  const level3 = async (feature: 'receipt' | 'code' | 'storage', path: string) => {
    const nodes = upNodes().filter((n) => n.features[feature]);
    if (nodes.length === 0)
      throw new HttpError(404, 'NOT_SUPPORTED', `no node serves ${feature}s (level 3 only)`);
    try {
      return await fetchJson<unknown>(`${nodes[0]!.url}${path}`, { timeoutMs: 5000 });
    } catch (e) {
      if (isPeerError(e, 'http') && e.status && e.status < 500) {
        throw new HttpError(
          e.status,
          e.code && /^[A-Z][A-Z0-9_]*$/.test(e.code) ? e.code : 'UPSTREAM_ERROR',
          upstreamMessage(e),
        );
      }
      throw new HttpError(502, 'UPSTREAM_UNAVAILABLE', upstreamMessage(e));
    }
  };
  server.get('/api/receipt/:txid', { schema: { params: TxidParams } }, async (req) =>
    level3('receipt', `/receipt/${req.params.txid.toLowerCase()}`),
  );
  server.get('/api/code/:address', { schema: { params: AddressParams } }, async (req) =>
    level3('code', `/code/${checkedAddress(req.params.address)}`),
  );
  server.get(
    '/api/storage/:address/:slot',
    {
      schema: {
        params: Type.Object({
          address: Type.String({ maxLength: 100 }),
          slot: Type.String({ pattern: '^0x[0-9a-fA-F]{1,64}$' }),
        }),
      },
    },
    async (req) =>
      level3(
        'storage',
        `/storage/${checkedAddress(req.params.address)}/${req.params.slot.toLowerCase()}`,
      ),
  );

  server.get('/api/block/:hash/raw', { schema: { params: HashParams } }, async (req) => {
    const b = await index.fetchBlock(
      req.params.hash.toLowerCase(),
      nodesFor(req.params.hash.toLowerCase()),
    );
    if (!b) throw new HttpError(404, 'BLOCK_NOT_FOUND', `no node knows block ${req.params.hash}`);
    return b.json;
  });

  // Unknown /api routes answer the JSON 404 (the static files plugin must not take them).
  server.all('/api/*', async (req) => {
    throw new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`);
  });
}
