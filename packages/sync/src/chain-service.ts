// The node's single owner of the block tree. Every block — mined here, gossiped, posted
// over REST, replayed from disk — enters through submit(), which runs the core rules,
// persists what joined the tree, and only then tells listeners (relay, miner, clients).
// Processing is synchronous (core is pure), so blocks are handled strictly one at a time.
import { EventEmitter } from 'node:events';
import {
  Chain,
  type SignatureCache,
  type Block,
  type ChainNode,
  type ChainSpec,
  type ProcessResult,
  type Reorg,
  type StateMachine,
} from '@chainlab/core';
import type { Logger } from '@chainlab/service';
import type { BlockStore } from './storage.js';
import type { Clock } from './clock.js';

/** How long an import runs before it lets the event loop serve others (ms). */
const SLICE_MS = 10;

export type BlockSource = 'miner' | 'peer' | 'rest' | 'replay';

export interface ChainEvents {
  /** A block was connected to the active chain (fully validated): relay it. */
  connected: [node: ChainNode, source: BlockSource];
  /** The tip changed. */
  tip: [reorg: Reorg];
}

/**
 * What the service needs of the chain's level (a ChainLevel of @chainlab/levels is one):
 * the state machine the level chose, and the signature cache it checks with. The service
 * never asks which level it runs.
 */
export interface ChainRules {
  readonly spec: ChainSpec;
  readonly machine: StateMachine;
  readonly sigCache: SignatureCache;
}

export class ChainService extends EventEmitter<ChainEvents> {
  readonly chain: Chain;
  readonly spec: ChainSpec;
  readonly sigCache: SignatureCache;

  constructor(
    rules: ChainRules,
    private readonly store: BlockStore,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    super();
    this.spec = rules.spec;
    this.sigCache = rules.sigCache;
    this.chain = new Chain(rules.spec, rules.machine, {
      sanity: { sigCache: this.sigCache },
    });
  }

  get state(): StateMachine {
    return this.chain.state;
  }

  /** Rebuilds the tree from disk: the same blocks through the same rules, in arrival order. */
  async replay(): Promise<number> {
    let count = 0;
    for await (const entry of this.store.replay(this.spec)) {
      if ('control' in entry) {
        const { action, hash } = entry.control;
        if (this.chain.get(hash)) {
          if (action === 'invalidate') this.chain.invalidateBlock(hash);
          else this.chain.reconsiderBlock(hash);
        }
        continue;
      }
      const result = this.chain.processBlock(entry.block, {
        now: Number.MAX_SAFE_INTEGER,
        trusted: true,
      });
      if (result.status === 'accepted') count++;
      else if (result.status !== 'duplicate' && result.status !== 'invalid') {
        this.log.warn(
          { hash: entry.block.hash, status: result.status },
          'stored block did not replay cleanly',
        );
      }
    }
    return count;
  }

  /**
   * Runs a block through every rule; persists the blocks that joined the tree before
   * resolving, so a caller that acknowledges afterwards never acknowledges a block a
   * crash could lose.
   */
  async submit(block: Block, source: BlockSource): Promise<ProcessResult> {
    return (await this.submitMany([block], source))[0]!;
  }

  /**
   * Several blocks (a catch-up batch). Imports run one at a time, in arrival order, and in
   * slices of about SLICE_MS: each slice is processed in memory, written in one atomic
   * batch (a LevelDB write per block would dominate the cost of sync), and announced once
   * its write is done — while the next slice is already being validated. Between slices the
   * event loop runs, so a 500-block batch never holds the API or the sockets up.
   */
  submitMany(blocks: readonly Block[], source: BlockSource): Promise<ProcessResult[]> {
    return this.serially(() => this.importBlocks(blocks, source));
  }

  private queue: Promise<unknown> = Promise.resolve();

  /** Runs changes of the tree one after another, so their writes and events never interleave. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async importBlocks(
    blocks: readonly Block[],
    source: BlockSource,
  ): Promise<ProcessResult[]> {
    const results: ProcessResult[] = [];
    let announced: Promise<void> = Promise.resolve();
    let i = 0;
    while (i < blocks.length) {
      const first = results.length;
      const until = performance.now() + SLICE_MS;
      do {
        const block = blocks[i++]!;
        const result = this.chain.processBlock(block, { now: this.clock.now() });
        if (result.status === 'invalid') {
          this.log.debug(
            { hash: result.hash, source, code: result.error?.code, reason: result.error?.message },
            'block rejected',
          );
        }
        results.push(result);
      } while (i < blocks.length && performance.now() < until);
      const slice = results.slice(first);
      const added = slice.flatMap((r) => r.added.map((n) => n.block));
      // Written in processing order (the store chains its writes); announced in that order.
      const written = added.length > 0 ? this.store.append(added, this.chain.tip.hash) : null;
      announced = announced.then(async () => {
        await written;
        for (const result of slice) this.announce(result, source);
      });
      announced.catch(() => undefined); // a failed write is thrown below, once
      if (i < blocks.length) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await announced;
    return results;
  }

  /** Devnet: Bitcoin Core's invalidateblock / reconsiderblock. */
  control(action: 'invalidate' | 'reconsider', hash: string): Promise<ProcessResult> {
    return this.serially(async () => {
      const result =
        action === 'invalidate'
          ? this.chain.invalidateBlock(hash)
          : this.chain.reconsiderBlock(hash);
      await this.store.append([], this.chain.tip.hash, { action, hash: result.hash });
      this.announce(result, 'rest');
      return result;
    });
  }

  private announce(result: ProcessResult, source: BlockSource): void {
    const reorg = result.reorg;
    if (!reorg) return;
    if (reorg.disconnected.length > 0) {
      this.log.info(
        {
          from: reorg.oldTip.hash,
          to: reorg.newTip.hash,
          depth: reorg.disconnected.length,
          fork: reorg.forkPoint.height,
        },
        `reorg: ${reorg.disconnected.length} block(s) disconnected, ${reorg.connected.length} connected`,
      );
    }
    for (const node of reorg.connected) {
      this.log.debug(
        { height: node.height, hash: node.hash, source, at: Date.now() },
        'block connected',
      );
      this.emit('connected', node, source);
    }
    this.emit('tip', reorg);
  }
}
