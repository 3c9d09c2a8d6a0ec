#!/usr/bin/env node
// chainlab explorer: `pnpm start:explorer -- [flags]` (see --help). A Fastify server that
// follows every node (from the tracker) and the mempool, serves their aggregate under
// /api, pushes live updates (SSE) and serves the web app built by Vite (dist/public).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { runService } from '@chainlab/service';
import { ChainIndex } from './chain-index.js';
import { resolveChainInfo, type ChainInfo } from './chain-info.js';
import { explorerCli } from './cli.js';
import { LiveHub } from './live.js';
import { Network } from './network.js';
import { registerExplorerRoutes } from './routes/index.js';

const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');
/** Nodes are followed only once the server listens. */
const ctx: { start?: () => void } = {};

await runService({
  cli: explorerCli,
  async setup({ config, server, logger, lifecycle }) {
    const staticNodes = (config.nodes ?? '')
      .split(',')
      .map((s) => s.trim().replace(/\/+$/, ''))
      .filter(Boolean);
    const network = new Network({
      trackerUrl: config.tracker,
      mempoolUrl: config.mempool,
      staticNodes,
      pollIntervalMs: config.pollInterval,
      treeDepth: config.treeDepth,
      log: logger,
    });
    let chain: ChainInfo = resolveChainInfo(config.spec, null, undefined, undefined);
    let identified = false;
    const chainInfo = (): ChainInfo => {
      if (!identified && network.chainId !== null) {
        identified = true;
        const s = network.best()?.status ?? network.list().find((n) => n.status)?.status;
        chain = resolveChainInfo(config.spec, network.chainId, s?.spec, s?.level);
        logger.info(
          {
            chainId: chain.chainId,
            spec: chain.specName,
            level: chain.level,
            source: chain.specSource,
          },
          'chain identified',
        );
      }
      return chain;
    };
    const index = new ChainIndex(() => {
      const c = chainInfo();
      return { level: c.level ?? network.best()?.status?.level ?? 1, powLimitBits: c.powLimitBits };
    }, logger);
    const hub = new LiveHub();

    // The index follows the best node's chain: on every tree change, and on a timer in case
    // a change was missed while a sync ran.
    let indexedTip: string | null = null;
    const syncIndex = (): void => {
      const best = network.best();
      if (!best?.status || chainInfo().chainId === null || index.tip === best.status.tip) return;
      void index.sync(best.url, best.status.tip).then(() => {
        if (index.tip !== indexedTip) {
          indexedTip = index.tip;
          hub.publish(['blocks'], []);
        }
      });
    };
    network.on('change', (kinds, reorgs) => {
      hub.publish(kinds, reorgs);
      if (kinds.includes('blocks') || kinds.includes('tree')) syncIndex();
    });
    const indexTimer = setInterval(syncIndex, config.pollInterval);
    lifecycle.onShutdown('index', () => clearInterval(indexTimer));

    registerExplorerRoutes(server, {
      network,
      index,
      hub,
      chain: chainInfo,
      trackerUrl: config.tracker,
      mempoolUrl: config.mempool,
      treeDepth: config.treeDepth,
    });

    if (existsSync(path.join(PUBLIC_DIR, 'index.html'))) {
      await server.register(fastifyStatic, {
        root: PUBLIC_DIR,
        prefix: '/',
        setHeaders(reply, file) {
          // Vite names assets by content hash: cache them forever, never the page.
          void reply.header(
            'cache-control',
            file.includes(`${path.sep}assets${path.sep}`)
              ? 'public, max-age=31536000, immutable'
              : 'no-cache',
          );
        },
      });
    } else {
      logger.warn({ dir: PUBLIC_DIR }, 'web app not built: run pnpm build');
      server.get('/', async (_req, reply) =>
        reply
          .type('text/plain; charset=utf-8')
          .send('chainlab explorer: the web app is not built (pnpm build); the API is under /api'),
      );
    }

    // Live event streams never end by themselves: close them first on shutdown.
    server.addHook('preClose', async () => hub.closeAll());
    lifecycle.onShutdown('network', () => network.stop());
    ctx.start = () => network.start();
  },
  started() {
    ctx.start?.();
  },
});
