// A small block generator in the spirit of btcd's fullblocktests: named blocks built on
// named parents, so a test reads as a story of forks ("b3 on b1 beats b2") and every
// invalid block differs from a valid one by exactly the rule under test.
import { Chain, type ChainNode } from '../src/chain.js';
import { blockTemplate, solveBlock } from '../src/builder.js';
import { assembleBlock, genesisBlock } from '../src/block.js';
import { loadSpec } from '../src/spec.js';
import { NoState, type StateMachine } from '../src/state-machine.js';
import type { Block, ChainSpec, Tx } from '../src/types.js';

/** Easy, fixed difficulty: every hash has a 50 % chance, so solving takes ~2 tries. */
export function easySpec(base: string, overrides: Record<string, unknown> = {}): ChainSpec {
  return loadSpec({
    extends: base,
    genesis: { bits: 0x207fffff },
    retarget: { rule: 'fixed' },
    ...overrides,
  });
}

export class BlockGenerator {
  readonly blocks = new Map<string, Block>();
  /** A scratch chain that accepts everything we build, to compute bits/time on any branch. */
  private readonly scratch: Chain;
  private nextTime: number;

  constructor(
    readonly spec: ChainSpec,
    state: StateMachine = new NoState(),
  ) {
    this.scratch = new Chain(spec, state);
    this.blocks.set('genesis', genesisBlock(spec));
    this.nextTime = spec.genesis.time;
  }

  node(name: string): ChainNode {
    return this.scratch.get(this.block(name).hash)!;
  }

  block(name: string): Block {
    const b = this.blocks.get(name);
    if (!b) throw new Error(`no block named ${name}`);
    return b;
  }

  /**
   * A valid block `name` on `parent`. The scratch chain only tracks headers, so level-2
   * payloads are not state-checked here: the chain under test does that.
   */
  next(
    name: string,
    parent: string,
    payload: { data?: string[]; txs?: Tx[]; coinbase?: string; time?: number } = {},
  ): Block {
    this.nextTime += 10;
    const parentBlock = this.block(parent);
    const parentNode = this.scratch.get(parentBlock.hash)!;
    const template = blockTemplate(this.scratch, {
      parent: parentNode,
      time: payload.time ?? this.nextTime,
      data: payload.data ?? [`${name}`],
      txs: payload.txs ?? [],
      coinbase: payload.coinbase ?? '0x000000000000000000000000000000000000dEaD',
    });
    const block = solveBlock(template);
    this.blocks.set(name, block);
    this.addHeaderOnly(block, parentNode);
    return block;
  }

  /** Re-solves a block after a test changed its fields (keeps merkle root as given unless asked). */
  resolve(block: Block, opts: { recomputeMerkle?: boolean } = {}): Block {
    if (!opts.recomputeMerkle) return solveBlock({ ...block });
    const payload = 'txs' in block ? { txs: block.txs } : { data: block.data };
    return solveBlock(assembleBlock({ ...block.header, height: block.height }, payload));
  }

  private addHeaderOnly(block: Block, parent: ChainNode): void {
    // Inject into the scratch tree without state rules: it exists to answer bits/time questions.
    const internals = this.scratch as unknown as {
      addNode(b: Block, p: ChainNode, s: string): ChainNode;
    };
    internals.addNode(block, parent, 'valid');
  }
}

export const NOW = 2_000_000_000; // a fixed "now" far after every generated block
