// Devnet controls, proxied to the nodes (mine, mining, time, invalidate, reconsider)
// and a fork on demand.
import { explorerRoutes as S } from '@chainlab/api';
import { fetchJson, HttpError, isPeerError, type Server } from '@chainlab/service';
import type { NodeState } from '../network.js';
import { upstreamMessage, type ApiContext } from './context.js';

export function registerDevRoutes(server: Server, ctx: ApiContext): void {
  const { network, level } = ctx;
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

  server.post('/api/dev/mine', { schema: S['POST /api/dev/mine'] }, async (req) =>
    devAction('mine', req.body.node, { blocks: req.body.blocks }, 120_000),
  );
  server.post('/api/dev/mining', { schema: S['POST /api/dev/mining'] }, async (req) =>
    devAction('mining', req.body.node, { on: req.body.on }),
  );
  server.post('/api/dev/time', { schema: S['POST /api/dev/time'] }, async (req) =>
    devAction('time', req.body.node, { offsetSeconds: req.body.offsetSeconds }),
  );
  // A fork on demand, at any difficulty. Nodes that mine at the same moment never fork on a
  // local network (the first block reaches the others in milliseconds and they build on it),
  // so one node is made to disagree: it invalidates its tip T and mines a competing block T'
  // at the same height. Now two tips of equal work exist (the others keep T, first seen).
  // As soon as some node extends either branch, the explorer reconsiders T on that node,
  // which then follows the branch with the most work, like every other node: the fork
  // resolves by most work, whichever branch wins. Mining is paused first: a fork on a local
  // network lasts until the next block, and the student should see it.
  server.post('/api/dev/fork', { schema: S['POST /api/dev/fork'] }, async () => {
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
    if (level().features.dataItems) {
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
  });

  for (const action of ['invalidate', 'reconsider'] as const) {
    server.post(`/api/dev/${action}`, { schema: S[`POST /api/dev/${action}`] }, async (req) =>
      devAction(action, req.body.node, { hash: req.body.hash.toLowerCase() }, 30_000),
    );
  }
}
