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
   * Several blocks (a catch-up batch): processed one by one in memory, then written in
   * one atomic batch — a LevelDB write per block would dominate the cost of sync.
   */
  async submitMany(blocks: readonly Block[], source: BlockSource): Promise<ProcessResult[]> {
    const results = blocks.map((block) => {
      const result = this.chain.processBlock(block, { now: this.clock.now() });
      if (result.status === 'invalid') {
        this.log.debug(
          { hash: result.hash, source, code: result.error?.code, reason: result.error?.message },
          'block rejected',
        );
      }
      return result;
    });
    const added = results.flatMap((r) => r.added.map((n) => n.block));
    if (added.length > 0) await this.store.append(added, this.chain.tip.hash);
    for (const result of results) this.announce(result, source);
    return results;
  }

  /** Devnet: Bitcoin Core's invalidateblock / reconsiderblock. */
  async control(action: 'invalidate' | 'reconsider', hash: string): Promise<ProcessResult> {
    const result =
      action === 'invalidate' ? this.chain.invalidateBlock(hash) : this.chain.reconsiderBlock(hash);
    await this.store.append([], this.chain.tip.hash, { action, hash: result.hash });
    this.announce(result, 'rest');
    return result;
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
