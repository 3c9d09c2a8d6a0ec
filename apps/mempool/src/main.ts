#!/usr/bin/env node
// chainlab mempool: `pnpm start:mempool -- [flags]` (see --help). This file only wires the
// parts together; each lives in its own file.
import { mkdtempSync } from 'node:fs';
import fastifyWebsocket from '@fastify/websocket';
import { mempoolWebSocketRoutes } from '@chainlab/api';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadChainLevel } from '@chainlab/levels';
import { EventLoopMonitor, runService } from '@chainlab/service';
import {
  BlockStore,
  ChainService,
  Clock,
  createSignatureCache,
  Gossip,
  PeerManager,
} from '@chainlab/sync';
import { mempoolCli, readSpec } from './cli.js';
import { submitForFeed, TxFeed } from './feed.js';
import { Mempool } from './mempool.js';
import { TxJournal } from './persist.js';
import { TxPool } from './pool.js';
import { registerMempoolRoutes } from './routes.js';
import { SignatureVerifier } from './verifier.js';

/**
 * The server-wide body limit: a level-3 deploy carries up to 48 KiB of init code, ~96 KiB
 * as hex, and 256 KiB holds any valid tx. /pushtx applies the level's own limit.
 */
const BODY_LIMIT = 256 * 1024;

/** What setup() builds and started() needs once the service listens. */
let wired:
  | {
      service: ChainService;
      gossip: Gossip;
      setPeers: (p: PeerManager) => void;
    }
  | undefined;

await runService({
  cli: mempoolCli,
  bodyLimit: BODY_LIMIT,
  async setup({ config, server, logger, lifecycle }) {
    // Reported in GET /status: how late this process answers (docs/performance.md).
    const eventLoop = new EventLoopMonitor();
    lifecycle.onShutdown('event-loop monitor', () => eventLoop.stop());
    const spec = readSpec(config.spec);
    const dataDir =
      config.dataDir ??
      (config.port === 0
        ? mkdtempSync(join(tmpdir(), 'chainlab-mempool-'))
        : join(homedir(), '.chainlab', spec.name, `mempool-${config.port}`));

    // The chain: its own block store and full validation, exactly as a non-mining node.
    const store = await BlockStore.open(dataDir, spec);
    lifecycle.onShutdown('block store', () => store.close());
    // The level's machinery, chosen once: its state machine and its admission policy.
    const level = await loadChainLevel(spec, { sigCache: createSignatureCache() });
    const service = new ChainService(level, store, new Clock(), logger);
    const started = Date.now();
    const replayed = await service.replay();
    const admission = level.admission(service.chain);
    if (!admission) throw new Error(`a ${level.name} chain has no mempool`); // readSpec refuses it
    const tipState = admission.tipState;
    logger.info(
      {
        spec: spec.name,
        chainId: spec.chainId,
        dataDir,
        blocks: replayed,
        height: service.chain.height,
        ms: Date.now() - started,
      },
      'chain loaded',
    );

    const verifier = new SignatureVerifier({
      threads: config.verifyThreads,
      cache: service.sigCache,
      log: logger,
    });
    lifecycle.onShutdown('signature workers', () => verifier.close());
    const pool = new TxPool(
      {
        chainId: spec.chainId,
        maxAmount: spec.maxAmount,
        minFee: spec.minFee,
        maxTxs: config.maxTxs,
        maxNonceGap: config.maxNonceGap,
        ...(admission.contracts ? { contracts: admission.contracts } : {}),
      },
      tipState,
    );
    const mempool = new Mempool({
      spec,
      carries: (tx) => level.carries(tx),
      chain: service.chain,
      tipState,
      pool,
      verifier,
      ...(level.sigCache.backend ? { sigBackend: level.sigCache.backend } : {}),
      log: logger,
    });
    service.on('tip', (reorg) => mempool.onTip(reorg));
    // Acknowledged txs are on disk before /pushtx answers; the ones logged before a crash
    // or a shutdown are admitted again before the service listens (persist.ts).
    const journal = await TxJournal.open(mempool, service.chain, dataDir, {
      fsync: config.fsync,
      log: logger,
    });
    const restored = await journal.restore();
    mempool.journal = journal;
    lifecycle.onShutdown('tx journal', async () => {
      await journal.close();
      logger.info({ pending: pool.size, held: pool.held }, 'pending txs saved');
    });

    // Nodes subscribe to GET /feed and get every change of the ready set pushed (feed.ts).
    const feed = new TxFeed(
      {
        ready: () => mempool.readyTxs(),
        settle: () => mempool.settleTip(),
        submit: (json) => submitForFeed(mempool, json, admission.pushTxBodyLimit, logger),
      },
      logger,
    );
    mempool.feed = feed;
    lifecycle.onShutdown('tx feed', () => feed.closeAll());
    await server.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
    server.get(
      '/feed',
      { websocket: true, schema: mempoolWebSocketRoutes['GET /feed'] },
      (socket, req) => feed.accept(socket, req.ip),
    );

    const gossip = new Gossip(service, mempool, logger);
    lifecycle.onShutdown('gossip', () => gossip.closeAll());

    let peers: PeerManager | null = null;
    await registerMempoolRoutes(server, {
      mempool,
      chain: service.chain,
      level,
      pushTxBodyLimit: admission.pushTxBodyLimit,
      status: () => ({
        chainId: spec.chainId,
        spec: spec.name,
        // Who answers on this port: pnpm dev checks it is the process it started.
        pid: process.pid,
        height: service.chain.height,
        tip: service.chain.tip.hash,
        pending: pool.ready,
        held: pool.held,
        maxTxs: config.maxTxs,
        peers: gossip.peerUrls(),
        knownPeers: peers?.knownPeers() ?? [],
        verifier: verifier.stats(),
        counters: mempool.counters,
        journal: { ...journal.stats, fsync: config.fsync, restored },
        feed: feed.stats,
        eventLoop: eventLoop.window(),
      }),
    });
    wired = { service, gossip, setPeers: (p) => (peers = p) };
  },
  async started({ config, logger, lifecycle }) {
    const { service, gossip, setPeers } = wired!;
    const staticPeers = (config.peers ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    // publicUrl null: the mempool dials the nodes (their /ws, their REST /tip) and never
    // registers itself, so no node takes it for a peer that mines or serves blocks.
    const peers = new PeerManager(
      service,
      gossip,
      {
        trackerUrl: config.tracker,
        publicUrl: null,
        staticPeers,
        pollIntervalMs: config.pollInterval,
      },
      logger,
    );
    setPeers(peers);
    peers.start();
    lifecycle.onShutdown('peers', () => peers.stop());
  },
});
