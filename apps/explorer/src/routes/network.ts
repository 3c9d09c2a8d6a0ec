// The network as the explorer follows it: chain info, nodes and mempool, the merged
// block tree of all nodes, and live events (SSE).
import { explorerRoutes as S } from '@chainlab/api';
import { type Server } from '@chainlab/service';
import { strategyOf } from '../network.js';
import { type ApiContext } from './context.js';

export function registerNetworkRoutes(server: Server, ctx: ApiContext): void {
  const { network, hub, deps, mempoolUrl, mempoolUp } = ctx;
  server.get('/api/events', { schema: S['GET /api/events'] }, (req, reply) =>
    hub.attach(req, reply),
  );

  server.get('/api/info', { schema: S['GET /api/info'] }, async () => {
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

  server.get('/api/network', { schema: S['GET /api/network'] }, async () => {
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
        strategy: strategyOf(s),
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

  server.get('/api/tree', { schema: S['GET /api/tree'] }, async (req) => {
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
        releasedBy: network.releases.get(b.hash) ?? null,
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
        strategy: n.up ? strategyOf(n.status) : null,
      })),
      blocks,
      reorgs: network.reorgs.slice(-20),
    };
  });
}
