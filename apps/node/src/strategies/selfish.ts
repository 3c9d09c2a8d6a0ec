// --strategy selfish: Eyal & Sirer's selfish mining on a real node. The decisions are the
// simulator's (@chainlab/sim/decisions, one implementation for both); this file drives them
// with real blocks: the public tip is this node's active tip (its store only ever holds
// public blocks), the private branch lives in memory (private-branch.ts), and a release
// sends the blocks to every peer at once, then stores them.
//
// Log lines the experiment runner reads (docs/experiments.md):
//   'selfish: withheld a block'     {hash, height, lead}
//   'selfish: published'            {hashes, action, race?, tie?}  race = the honest block
//                                   matched; tie = no lead left (the state γ decides)
import { blockTemplate, type Block, type ChainNode, type Reorg } from '@chainlab/core';
import {
  selfishOnOwnBlock,
  selfishOnPublicBlock,
  type SelfishDecision,
} from '@chainlab/sim/decisions';
import type { Logger } from '@chainlab/service';
import type { ChainService } from '@chainlab/sync';
import { PrivateBranch } from './private-branch.js';
import { RecentReleases, withheldHeights, type MiningStrategy, type Publish } from './types.js';

export class SelfishMining implements MiningStrategy {
  readonly name = 'selfish';
  private branch: PrivateBranch | null = null;
  /** How many of the branch's blocks (a prefix) are published. */
  private published = 0;
  private readonly counts = { found: 0, published: 0, races: 0, overrides: 0, adopted: 0 };
  private readonly releases = new RecentReleases();

  constructor(
    private readonly service: ChainService,
    private readonly publish: Publish,
    private readonly coinbase: string | undefined,
    private readonly log: Logger,
  ) {
    service.on('tip', (reorg) => void this.onTip(reorg));
  }

  status(): Record<string, unknown> {
    return {
      strategy: this.name,
      privateBlocks: this.branch ? this.branch.length - this.published : 0,
      // Where the withheld blocks are and what was released: the explorer shows both.
      privateHeights: withheldHeights(this.branch?.blocks.slice(this.published) ?? []),
      ...this.counts,
      releases: this.releases.toJson(),
    };
  }

  template(time: number): Block | null {
    if (!this.branch) return null; // no lead: mine on the public tip like everyone
    return blockTemplate(this.service.chain, {
      parent: this.branch.tip,
      time,
      data: [],
      coinbase: this.coinbase,
    });
  }

  isCurrent(template: Block): boolean {
    const parent = this.branch?.tip ?? this.service.chain.tip;
    return template.header.prevHash === parent.hash;
  }

  async found(block: Block): Promise<void> {
    const pub = this.service.chain.tip;
    this.branch ??= new PrivateBranch(pub);
    const leadBefore = this.branch.tip.height - pub.height;
    this.branch.push(block);
    this.counts.found++;
    this.log.info(
      { hash: block.hash, height: block.height, lead: block.height - pub.height },
      'selfish: withheld a block',
    );
    await this.apply(selfishOnOwnBlock({ leadBefore, privateBlocks: this.branch.length }), null);
  }

  private async onTip(reorg: Reorg): Promise<void> {
    const branch = this.branch;
    const pub = reorg.newTip;
    // Our own release becoming the tip, or a tip that did not move up: nothing to decide.
    if (!branch || pub.height <= reorg.oldTip.height) return;
    if (branch.blocks.some((b) => b.hash === pub.hash)) return;
    const priv = branch.tip;
    const extendsPrivate =
      priv.height <= pub.height && this.service.chain.ancestor(pub, priv.height).hash === priv.hash;
    await this.apply(
      selfishOnPublicBlock({
        privateBlocks: branch.length,
        lead: priv.height - pub.height,
        extendsPrivate,
        publicHeight: pub.height,
      }),
      pub,
    );
  }

  private async apply(d: SelfishDecision, race: ChainNode | null): Promise<void> {
    const branch = this.branch;
    if (d.action === 'wait' || !branch) return;
    if (d.action === 'adopt') {
      this.counts.adopted++;
      this.branch = null;
      this.published = 0;
      return;
    }
    const out: Block[] = [];
    while (this.published < branch.length && branch.blocks[this.published]!.height <= d.upToHeight)
      out.push(branch.blocks[this.published++]!);
    if (d.thenAdopt) {
      this.branch = null;
      this.published = 0;
    }
    if (out.length === 0) return;
    const action = d.race ? 'match' : race ? 'override' : 'won race';
    if (d.race) this.counts.races++;
    else this.counts.overrides++;
    this.counts.published += out.length;
    this.log.info(
      {
        hashes: out.map((b) => b.hash),
        action,
        ...(d.race && race ? { race: race.hash, height: race.height } : {}),
        // A tie (Eyal & Sirer's state 0'): the pool had no lead left; γ decides it.
        ...(d.race && d.upToHeight === Infinity ? { tie: true } : {}),
      },
      'selfish: published',
    );
    this.releases.add(action, out);
    await this.publish(out);
  }
}
