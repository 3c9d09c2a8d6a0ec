// The mining loop: build a template on the current tip, hand the nonce search to the
// worker pool (the hash loop never runs on this event loop), submit what it finds. A new
// tip cancels the search at once; a result for an old tip is dropped, never published.
import { bitsToTarget, encodeHeader, withNonce, type Block, type Reorg } from '@chainlab/core';
import type { ChainLevel } from '@chainlab/levels';
import { randomInt } from 'node:crypto';
import { NONCE_SPACE, type MinerPool, type MineResult } from '@chainlab/miner-worker';
import type { Logger } from '@chainlab/service';
import type { ChainService } from '@chainlab/sync';
import type { Clock } from '@chainlab/sync';
import type { DataQueue, TxSource } from './payload.js';
import type { MiningStrategy } from './strategies/index.js';

export interface MinerOptions {
  coinbase: string | undefined;
  /** Rebuild the template at least this often, to pick up new txs and a fresh time. */
  templateMaxAgeMs?: number;
  /**
   * Experiments (node flag --max-hashrate): hash at most this many nonces per second, all
   * threads together — nonces are searched in slices of 100 ms worth, pausing after each.
   */
  maxHashrate?: number;
  /** An attack (--strategy): where to mine and what to do with what is found; none: honest. */
  strategy?: MiningStrategy | undefined;
}

export class Miner {
  private running = false;
  private loop: Promise<void> | null = null;
  private templateTip = '';
  private templateBuiltAt = 0;
  private refreshTimer: NodeJS.Timeout | null = null;
  private exhaustedTemplate: Block | null = null;
  blocksFound = 0;

  constructor(
    private readonly service: ChainService,
    private readonly level: ChainLevel,
    private readonly pool: MinerPool,
    private readonly clock: Clock,
    private readonly payload: { data?: DataQueue; txs?: TxSource },
    private readonly options: MinerOptions,
    private readonly log: Logger,
  ) {
    service.on('tip', (reorg: Reorg) => {
      if (reorg.newTip.hash !== this.templateTip) void this.pool.cancel();
    });
  }

  get mining(): boolean {
    return this.running;
  }

  /** Blocks of a level with accounts pay a coinbase: without an address there is nothing to mine. */
  get canMine(): boolean {
    return !this.level.features.accounts || this.options.coinbase !== undefined;
  }

  /** Starts continuous mining (no-op if already on). */
  start(): void {
    if (this.running || !this.canMine) return;
    this.running = true;
    this.loop = this.run();
    const maxAge = this.options.templateMaxAgeMs ?? 5_000;
    this.refreshTimer = setInterval(
      () => {
        if (Date.now() - this.templateBuiltAt > maxAge) void this.pool.cancel();
      },
      Math.min(1000, maxAge),
    );
    this.log.info({ threads: this.pool.threads }, 'mining started');
  }

  /** Stops mining and waits until every worker is idle. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = null;
    await this.pool.cancel();
    await this.loop;
    this.loop = null;
    this.log.info('mining stopped');
  }

  /** New payload arrived: rebuild the template soon so it gets in the next block. */
  payloadChanged(): void {
    if (this.running) void this.pool.cancel();
  }

  /** Devnet: mines `count` blocks now, as fast as the pool can, and returns their hashes. */
  async mineBlocks(count: number): Promise<string[]> {
    const wasRunning = this.running;
    await this.stop();
    const hashes: string[] = [];
    try {
      while (hashes.length < count) {
        // Mining on request: the block holds every tx the mempool acknowledged before the
        // request (a barrier over the mempool's feed, payload.ts).
        const block = await this.mineOne({ catchUp: true });
        if (block) hashes.push(block.hash);
      }
    } finally {
      if (wasRunning) this.start();
    }
    return hashes;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.mineOne({ continuous: true });
      } catch (e) {
        this.log.error({ err: (e as Error).message }, 'mining round failed; retrying');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** One round: template → nonce search → submit. Null when cancelled or exhausted. */
  private async mineOne(
    opts: { catchUp?: boolean; continuous?: boolean } = {},
  ): Promise<Block | null> {
    // The feed keeps the txs current; refresh() polls only while it is down.
    if (opts.catchUp) await this.payload.txs?.catchUp();
    else await this.payload.txs?.refresh();
    // stop() came while we waited for the mempool: its pool.cancel() is already past, so a
    // search started now would run until it finds a block and hold up the shutdown.
    if (opts.continuous && !this.running) return null;
    const template = this.buildTemplate();
    const tipAtStart = template.header.prevHash;
    this.templateTip = tipAtStart;
    this.templateBuiltAt = Date.now();
    const job = {
      header80: encodeHeader(template.header),
      target: bitsToTarget(template.header.bits),
    };
    const result = this.options.maxHashrate
      ? await this.mineCapped(job, this.options.maxHashrate)
      : await this.searchFromRandomNonce(job);
    if (!('nonce' in result)) {
      // Cancelled (new tip, new payload, refresh) or the whole nonce space was tried: then the
      // next template must differ, so its time moves on by at least a second.
      this.exhaustedTemplate = 'exhausted' in result && result.exhausted ? template : null;
      return null;
    }
    this.exhaustedTemplate = null;
    const strategy = this.options.strategy;
    if (strategy) {
      // The strategy takes every block it mined for (it may withhold it).
      if (!strategy.isCurrent(template)) return null;
      const block = withNonce(template, result.nonce);
      this.blocksFound++;
      await strategy.found(block);
      return block;
    }
    if (this.service.chain.tip.hash !== tipAtStart) return null; // found, but too late: stale
    const block = withNonce(template, result.nonce);
    const processed = await this.service.submit(block, 'miner');
    if (processed.status === 'duplicate') {
      // We built this very block before (e.g. it was invalidated by hand and we are back
      // on its parent): the next template must differ, so its time moves on.
      this.exhaustedTemplate = template;
      this.log.debug({ hash: block.hash }, 'mined a block we already have; moving the time on');
      return null;
    }
    if (processed.status !== 'accepted') {
      this.log.error(
        { hash: block.hash, status: processed.status, err: processed.error?.message },
        'own block refused',
      );
      return null;
    }
    this.blocksFound++;
    this.log.info(
      {
        height: block.height,
        hash: block.hash,
        items: 'txs' in block ? block.txs.length : block.data.length,
      },
      'mined a block',
    );
    return block;
  }

  /**
   * The whole nonce space, from a random nonce around to it. Level-1 nodes on the same tip
   * with nothing queued build identical templates (there is no coinbase to tell them
   * apart): searching them all from 0 would make every node repeat the same hashes, and a
   * network of ten nodes would mine like one.
   */
  private async searchFromRandomNonce(job: {
    header80: Uint8Array;
    target: bigint;
  }): Promise<MineResult> {
    const offset = randomInt(NONCE_SPACE);
    const first = await this.pool.mine(job, { startNonce: offset });
    if (first.status !== 'exhausted' || offset === 0) return first;
    return this.pool.mine(job, { startNonce: 0, endNonce: offset });
  }

  /**
   * --max-hashrate: the nonce space in slices of rate/10 nonces, each followed by a pause
   * that stretches it to 100 ms. A new tip (pool.cancel(), which bumps the pool's
   * generation) ends the search, also during a pause. The search starts at a random nonce:
   * level-1 nodes on the same tip with nothing queued build identical templates, and
   * searching them all from 0 would make every node repeat the same hashes.
   */
  private async mineCapped(
    job: { header80: Uint8Array; target: bigint },
    rate: number,
  ): Promise<MineResult> {
    const slice = Math.max(1, Math.round(rate / 10));
    const offset = randomInt(NONCE_SPACE);
    let generation = this.pool.generation;
    let start = offset;
    for (let covered = 0; covered < NONCE_SPACE;) {
      const began = Date.now();
      const end = Math.min(start + slice, start < offset ? offset : NONCE_SPACE);
      const result = await this.pool.mine(job, {
        startNonce: start,
        endNonce: end,
        chunkSize: Math.ceil((end - start) / this.pool.threads),
      });
      if (result.status !== 'exhausted') return result;
      generation = result.generation;
      const pause = ((end - start) / rate) * 1000 - (Date.now() - began);
      covered += end - start;
      start = end === NONCE_SPACE ? 0 : end;
      if (pause > 0) await new Promise((r) => setTimeout(r, pause));
      if (this.pool.generation !== generation)
        return { status: 'cancelled', cancelled: true, hashes: 0, generation };
    }
    return { status: 'exhausted', exhausted: true, hashes: NONCE_SPACE, generation };
  }

  private buildTemplate(): Block {
    const chain = this.service.chain;
    const exhausted = this.exhaustedTemplate;
    const time =
      exhausted && exhausted.header.prevHash === chain.tip.hash
        ? Math.max(this.clock.now(), exhausted.header.time + 1)
        : this.clock.now();
    // A mining strategy (strategies/) may mine on its own private chain instead.
    const own = this.options.strategy?.template(time);
    if (own) return own;
    // The level builds the block: data items (1), transfers checked on a scratch copy of
    // the tip state (2), txs executed by the EVM on the tip state (3).
    return this.level.buildTemplate(chain, {
      time,
      coinbase: this.options.coinbase,
      data: () => this.payload.data?.take() ?? [],
      txs: this.payload.txs,
    });
  }
}
