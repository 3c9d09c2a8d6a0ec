// `block`: a new block the sender validated and connected (relayed once, never before it
// was connected). Always JSON: it is one block, and the explorer follows these.
import { blockToJson, parseBlock, type Block, type ChainSpec } from '@chainlab/core';
import { WireError } from './errors.js';

export interface BlockMessage {
  type: 'block';
  /** The block's JSON (docs/protocol.md §8), checked against the chain by readBlock. */
  block: unknown;
}

export function blockMessage(block: Block): BlockMessage {
  return { type: 'block', block: blockToJson(block) };
}

export function parseBlockMessage(raw: Record<string, unknown>): BlockMessage {
  if (raw.block === undefined) throw new WireError('block message without a block');
  return { type: 'block', block: raw.block };
}

/** The block a message carries, parsed for `spec`'s chain (throws core's RuleError). */
export function readBlock(message: BlockMessage, spec: ChainSpec): Block {
  return parseBlock(message.block, spec);
}
