#!/usr/bin/env node
// chainlab mempool: `pnpm start:mempool -- [flags]` (see --help). This file only wires the
// parts together; each lives in its own file.
import { mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerMachine } from '@chainlab/core';
import { EvmMachine } from '@chainlab/evm';
import { runService } from '@chainlab/service';
import { BlockStore, ChainService, Clock, Gossip, PeerManager } from '@chainlab/sync';
import { mempoolCli, readSpec } from './cli.js';
import { Mempool } from './mempool.js';
import { TxJournal } from './persist.js';
import { TxPool } from './pool.js';
import { registerMempoolRoutes } from './routes.js';
import { SignatureVerifier } from './verifier.js';
import { CachedTipView } from './tip-view.js';

/**
 * A transfer is 150 bytes on the wire and ~330 as JSON: 64 KiB is plenty for /pushtx on a
 * level-2 chain, and cheap to refuse. A level-3 deploy carries up to 48 KiB of init code,
 * ~96 KiB as hex: 256 KiB holds any valid tx (the server-wide limit; /pushtx applies the
 * level's).
 */
const BODY_LIMIT = 256 * 1024;
const LEDGER_TX_BODY_LIMIT = 64 * 1024;

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
    const spec = readSpec(config.spec);
    const dataDir =
      config.dataDir ??
      (config.port === 0
        ? mkdtempSync(join(tmpdir(), 'chainlab-mempool-'))
        : join(homedir(), '.chainlab', spec.name, `mempool-${config.port}`));

    // The chain: its own block store and full validation, exactly as a non-mining node.
    const store = await BlockStore.open(dataDir, spec);
    lifecycle.onShutdown('block store', () => store.close());
    const service = new ChainService(spec, store, new Clock(), logger);
    const started = Date.now();
    const replayed = await service.replay();
    // Level 3: the EVM state (a worker thread), read through a cache that lasts one tip.
    const machine = service.state instanceof EvmMachine ? service.state : null;
    const tipView = machine ? new CachedTipView(service.chain, machine) : null;
    const tipState = tipView ?? (service.state as LedgerMachine).state;
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
        ...(tipView
          ? {
              contracts: {
                blockGasLimit: spec.blockGasLimit,
                minFee: spec.minFee,
                hasCode: (address: string) => tipView.hasCode(address),
              },
            }
          : {}),
      },
      tipState,
    );
    const mempool = new Mempool({
      spec,
      chain: service.chain,
      tipState,
      pool,
      verifier,
      ...(service.sigCache.backend ? { sigBackend: service.sigCache.backend } : {}),
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

    const gossip = new Gossip(service, mempool, logger);
    lifecycle.onShutdown('gossip', () => gossip.closeAll());

    let peers: PeerManager | null = null;
    registerMempoolRoutes(server, {
      mempool,
      chain: service.chain,
      machine,
      pushTxBodyLimit: spec.level >= 3 ? BODY_LIMIT : LEDGER_TX_BODY_LIMIT,
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
