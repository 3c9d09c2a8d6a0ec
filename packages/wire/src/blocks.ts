// `blocks`: the answer to a getblocks, lowest block first, at most MAX_BLOCKS_PER_MESSAGE
// blocks and (after the first) MAX_BLOCKS_BYTES of canonical block bytes. JSON for every
// peer; a peer that listed the binary-blocks capability gets blocks-binary.ts instead.
import { blockSize, blockToJson, parseBlock, type Block, type ChainSpec } from '@chainlab/core';
import { WireError } from './errors.js';
import { MAX_BLOCKS_BYTES, MAX_BLOCKS_PER_MESSAGE } from './limits.js';

export interface BlocksMessage {
  type: 'blocks';
  /** Block JSON (docs/protocol.md §8), checked by readBlocks. */
  blocks: unknown[];
}

/** The answer for `blocks` (lowest first): as many as the count and byte budgets allow. */
export function blocksMessage(blocks: readonly Block[]): BlocksMessage {
  const out: unknown[] = [];
  let bytes = 0;
  for (const block of blocks.slice(0, MAX_BLOCKS_PER_MESSAGE)) {
    bytes += blockSize(block);
    if (bytes > MAX_BLOCKS_BYTES && out.length > 0) break;
    out.push(blockToJson(block));
  }
  return { type: 'blocks', blocks: out };
}

export function parseBlocksMessage(raw: Record<string, unknown>): BlocksMessage {
  if (!Array.isArray(raw.blocks)) throw new WireError('blocks must be a list');
  // Extra blocks are ignored rather than refused, as before: the cap bounds our work.
  return { type: 'blocks', blocks: raw.blocks.slice(0, MAX_BLOCKS_PER_MESSAGE) };
}

/** The blocks of an answer, parsed for `spec`'s chain (throws core's RuleError). */
export function readBlocks(message: BlocksMessage, spec: ChainSpec): Block[] {
  return message.blocks.map((json) => parseBlock(json, spec));
}
