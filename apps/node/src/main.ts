#!/usr/bin/env node
// chainlab node: mines, validates, stores, syncs and gossips blocks. This file only wires
// the parts together; each part lives in its own file.
import { mkdtempSync } from 'node:fs';
import { availableParallelism, homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifyWebsocket from '@fastify/websocket';
import { parseAddress, privateKeyToAddress } from '@chainlab/core';
import { loadChainLevel, readSpecFlag } from '@chainlab/levels';
import { MinerPool } from '@chainlab/miner-worker';
import {
  choiceOption,
  EventLoopMonitor,
  intOption,
  runService,
  stringOption,
  switchOption,
  urlOption,
  UsageError,
} from '@chainlab/service';
import {
  BlockStore,
  ChainService,
  Clock,
  createSignatureCache,
  Gossip,
  PeerManager,
} from '@chainlab/sync';
import { DataQueue, TxSource } from './payload.js';
import { DataJournal } from './data-journal.js';
import { Miner } from './miner.js';
import { MAX_MESSAGE_BYTES } from '@chainlab/wire';
import { checkStrategyFlags, createStrategy, STRATEGY_NAMES } from './strategies/index.js';
import { registerNodeRoutes } from './routes.js';

const defaultThreads = Math.max(1, availableParallelism() - 1);

const options = {
  mine: switchOption('--mine', 'mine blocks (--no-mine to only validate and relay)', {
    default: true,
    negatable: true,
  }),
  threads: intOption('--threads <n>', 'miner worker threads', {
    default: defaultThreads,
    min: 1,
    max: 256,
  }),
  coinbase: stringOption(
    '--coinbase <address>',
    'address paid by the blocks this node mines (level ≥ 2; devnet default: dev account 0)',
  ),
  publicUrl: urlOption(
    '--public-url <url>',
    'URL other nodes reach this one at, registered with the tracker (default: http://<host>:<port>)',
  ),
  peers: stringOption(
    '--peers <urls>',
    'comma-separated peer URLs to dial besides those from the tracker',
  ),
  minerNice: intOption(
    '--miner-nice <0-19>',
    'priority of the miner threads (Linux nice): mining yields the CPU to validation, the API and other processes on the same machine',
    { default: 10, min: 0, max: 19 },
  ),
  pollInterval: intOption(
    '--poll-interval <ms>',
    'how often to poll peers over REST (the fallback to WebSocket gossip)',
    { default: 5000, min: 100 },
  ),
  fsync: switchOption(
    '--fsync',
    'level 1: fsync the data journal before POST /data answers 202, so an acknowledged item survives a power cut, not only a crash (--no-fsync: faster, survives kill -9 only)',
    { default: true, negatable: true },
  ),
  binarySync: switchOption(
    '--binary-sync',
    'ask peers for catch-up batches in the binary block encoding (docs/protocol.md §10; --no-binary-sync: JSON, as plain JSON peers get)',
    { default: true, negatable: true },
  ),
  strategy: choiceOption(
    '--strategy <name>',
    'how this node mines (devnets only, for experiments — docs/experiments.md): honest, selfish (Eyal & Sirer) or double-spend (Rosenfeld)',
    STRATEGY_NAMES,
    'honest',
  ),
  victim: stringOption(
    '--victim <address>',
    '--strategy double-spend: the address paid and then robbed (default: dev account 2)',
  ),
  confirmations: intOption(
    '--confirmations <z>',
    '--strategy double-spend: confirmations the victim waits for before the attacker may publish',
    { default: 6, min: 0, max: 1000 },
  ),
  giveUpBehind: intOption(
    '--give-up-behind <n>',
    '--strategy double-spend: abandon an attempt this many blocks behind the honest chain',
    { default: 20, min: 1, max: 10_000 },
  ),
  // For experiments (pnpm experiment -- run ... --real), not listed by --help:
  maxHashrate: intOption(
    '--max-hashrate <H/s>',
    'mine at most this many hashes per second (all threads)',
    { min: 1, hidden: true },
  ),
  gossipDelayMs: intOption(
    '--gossip-delay-ms <ms>',
    'delay every block sent to peers by this long',
    { default: 0, min: 0, max: 600_000, hidden: true },
  ),
};

/** What setup() builds and started() needs once the listening URL is known. */
let node:
  | {
      service: ChainService;
      gossip: Gossip;
      miner: Miner;
      txs: TxSource | null;
      staticPeers: string[];
      setPeers: (p: PeerManager) => void;
    }
  | undefined;

await runService({
  cli: {
    name: 'node',
    description:
      'A chainlab node: mines blocks, validates and stores them, syncs with peers found through the tracker.',
    defaultPort: 7301,
    defaults: { tracker: 'http://127.0.0.1:7100' },
    options,
    examples: [
      'pnpm start:node -- --port 7301 --spec devnet',
      'pnpm start:node -- --port 7302 --spec devnet-data --no-mine',
      'pnpm start:node -- --port 0 --spec ./my-chain.json --tracker http://127.0.0.1:7100 --threads 2',
    ],
  },
  bodyLimit: MAX_MESSAGE_BYTES,
  async setup({ config, server, logger, lifecycle }) {
    // Reported in GET /status: how late this process answers (docs/performance.md).
    const eventLoop = new EventLoopMonitor();
    lifecycle.onShutdown('event-loop monitor', () => eventLoop.stop());
    const spec = readSpecFlag(config.spec, (message) => new UsageError(message));
    // The level's machinery, chosen once here: everything below asks the level, never its number.
    const level = await loadChainLevel(spec, { sigCache: createSignatureCache() });
    const { accounts: hasAccounts, dataItems: hasDataItems } = level.features;
    checkStrategyFlags(config, level);
    const dataDir =
      config.dataDir ??
      (config.port === 0
        ? mkdtempSync(join(tmpdir(), 'chainlab-node-'))
        : join(homedir(), '.chainlab', spec.name, `node-${config.port}`));
    const mempoolUrl = hasAccounts ? (config.mempool ?? 'http://127.0.0.1:7200') : undefined;

    // Also without --mine: /dev/mine mines on request.
    let coinbase: string | undefined;
    if (hasAccounts) {
      if (config.coinbase) coinbase = parseAddress(config.coinbase);
      else if (spec.devKeys[0]) coinbase = privateKeyToAddress(spec.devKeys[0]);
      else if (config.mine)
        throw new UsageError('--coinbase <address> is required to mine on this chain');
    }

    const store = await BlockStore.open(dataDir, spec);
    lifecycle.onShutdown('block store', () => store.close());
    const clock = new Clock();
    const service = new ChainService(level, store, clock, logger);
    const started = Date.now();
    const replayed = await service.replay();
    logger.info(
      {
        spec: spec.name,
        chainId: spec.chainId,
        chainLevel: level.number,
        dataDir,
        blocks: replayed,
        height: service.chain.height,
        ms: Date.now() - started,
      },
      'chain loaded',
    );

    const data = hasDataItems ? new DataQueue(spec) : null;
    // Level 1: acknowledged data items are on disk before /data answers; the ones logged
    // before a crash or a shutdown are queued again before the node listens or mines.
    let dataJournal: DataJournal | null = null;
    if (data) {
      dataJournal = await DataJournal.open(data, service.chain, dataDir, {
        fsync: config.fsync,
        log: logger,
      });
      await dataJournal.restore();
      data.journal = dataJournal;
    }
    const txs = hasAccounts ? new TxSource(level, mempoolUrl, logger) : null;
    service.on('tip', (reorg) => {
      for (const n of reorg.disconnected) {
        data?.onDisconnected(n.block);
        txs?.onDisconnected(n.block);
      }
      for (const n of reorg.connected) {
        data?.onConnected(n.block);
        txs?.onConnected(n.block);
      }
    });

    const staticPeers = (config.peers ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const gossip = new Gossip(service, txs ?? undefined, logger, {
      blockDelayMs: config.gossipDelayMs,
      binaryBlocks: config.binarySync,
      relayReceived: config.strategy !== 'selfish',
    });
    lifecycle.onShutdown('gossip', () => gossip.closeAll());

    const strategy = createStrategy(config, {
      service,
      level,
      // Sent to every peer first (a tie must be heard), then stored like any block.
      publish: async (blocks) => {
        gossip.publishBlocks(blocks);
        await service.submitMany(blocks, 'miner');
      },
      relayTx: (tx) => gossip.relayTx(tx),
      coinbase,
      mempoolUrl,
      log: logger,
    });
    const activePool = new MinerPool({ threads: config.threads, workerNice: config.minerNice });
    const miner = new Miner(
      service,
      level,
      activePool,
      clock,
      { data: data ?? undefined, txs: txs ?? undefined },
      { coinbase, maxHashrate: config.maxHashrate, strategy },
      logger,
    );
    if (txs) {
      txs.onNewTxs = () => miner.payloadChanged();
      lifecycle.onShutdown('tx feed', () => txs.stop());
    }
    lifecycle.onShutdown('miner', async () => {
      await miner.stop();
      await activePool.destroy();
    });
    // Registered after the miner: hooks run last-registered first, so the journal is
    // compacted and closed while the block store is still open.
    if (dataJournal) {
      const j = dataJournal;
      lifecycle.onShutdown('data journal', () => j.close());
    }

    await server.register(fastifyWebsocket, { options: { maxPayload: MAX_MESSAGE_BYTES } });
    server.get('/ws', { websocket: true }, (socket, req) => gossip.accept(socket, req.ip));

    let peers: PeerManager | null = null;
    await registerNodeRoutes(server, {
      service,
      level,
      miner,
      gossip,
      data,
      clock,
      // Level 3 calls it from its route hook: Ethereum JSON-RPC at /rpc (docs/ethereum-tools.md).
      // Imported only then, so a level-1 or level-2 node never loads it.
      ethRpc: async (server, machine) => {
        if (!mempoolUrl) return;
        const { feedMempoolClient, httpMempoolClient, registerEthRpc } =
          await import('./eth-rpc/index.js');
        const http = httpMempoolClient(mempoolUrl, spec);
        const rpc = await registerEthRpc(
          server,
          {
            spec,
            chain: service.chain,
            machine,
            // Txs go over the feed connection the node keeps to its mempool anyway.
            mempool: txs ? feedMempoolClient(txs, http) : http,
            // The next template takes it (at most one rebuild a second, however many come).
            onAdmitted: () => (txs ? txs.notify() : miner.payloadChanged()),
            mining: () => miner.mining,
            hashrate: () => activePool.hashrate().total,
            clientVersion: `chainlab/v0.1.0/${spec.name}/node-${process.version}`,
            ...(spec.devnet
              ? {
                  dev: {
                    mine: (n: number) => miner.mineBlocks(n),
                    increaseTime: (seconds: number) => {
                      clock.setOffset(clock.offset + seconds);
                      return clock.offset;
                    },
                    setTimeOffset: (seconds: number) => clock.setOffset(seconds),
                    now: () => clock.now(),
                  },
                }
              : {}),
          },
          logger,
        );
        service.on('tip', (reorg) => rpc.onTip(reorg));
      },
      status: () => {
        const rate = activePool.hashrate();
        return {
          chainId: spec.chainId,
          spec: spec.name,
          // Who answers on this port: pnpm dev checks it is the process it started.
          pid: process.pid,
          level: level.number,
          height: service.chain.height,
          tip: service.chain.tip.hash,
          chainwork: '0x' + service.chain.tip.chainwork.toString(16),
          devnet: spec.devnet,
          coin: spec.coin,
          peers: gossip.peerUrls(),
          knownPeers: peers?.knownPeers() ?? [],
          mining: miner.mining,
          threads: activePool.threads,
          hashrate: Math.round(rate.total),
          hashratePerWorker: rate.perWorker.map(Math.round),
          mempool: mempoolUrl ?? null,
          pending: data ? data.size : (txs?.size ?? 0),
          ...(txs && mempoolUrl ? { mempoolFeed: txs.feedStats } : {}),
          ...(dataJournal ? { dataJournal: { ...dataJournal.stats, fsync: config.fsync } } : {}),
          blocksFound: miner.blocksFound,
          ...(strategy ? { strategy: strategy.status() } : {}),
          timeOffsetSeconds: clock.offset,
          memoryRss: process.memoryUsage().rss,
          eventLoop: eventLoop.window(),
        };
      },
    });

    // The public URL is known only after listening: peers start in started().
    node = { service, gossip, miner, txs, staticPeers, setPeers: (p) => (peers = p) };
  },
  async started({ url, config, logger, lifecycle }) {
    const { service, gossip, miner, txs, staticPeers, setPeers } = node!;
    // The feed's snapshot arrives shortly; until then a template falls back to /unprocessed.
    txs?.start();
    const publicUrl = config.publicUrl ?? url;
    gossip.setPublicUrl(publicUrl);
    const peers = new PeerManager(
      service,
      gossip,
      { trackerUrl: config.tracker, publicUrl, staticPeers, pollIntervalMs: config.pollInterval },
      logger,
    );
    setPeers(peers);
    peers.start();
    lifecycle.onShutdown('peers', () => peers.stop());
    if (config.mine) miner.start();
  },
});
