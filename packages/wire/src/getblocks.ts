// `getblocks`: "these are hashes of my chain, dense near my tip (a block locator); send me
// the active blocks after the last one we share", Bitcoin's catch-up request.
import { WireError } from './errors.js';
import { MAX_BLOCKS_PER_MESSAGE, MAX_LOCATOR_HASHES } from './limits.js';

export interface GetBlocksMessage {
  type: 'getblocks';
  locator: string[];
  /** 1..MAX_BLOCKS_PER_MESSAGE; a missing or out-of-range limit is clamped, not refused. */
  limit: number;
}

export function getBlocksMessage(
  locator: string[],
  limit: number = MAX_BLOCKS_PER_MESSAGE,
): GetBlocksMessage {
  return { type: 'getblocks', locator, limit };
}

export function parseGetBlocks(raw: Record<string, unknown>): GetBlocksMessage {
  const { locator, limit } = raw;
  if (
    !Array.isArray(locator) ||
    locator.length > MAX_LOCATOR_HASHES ||
    locator.some((h) => typeof h !== 'string')
  )
    throw new WireError('bad locator');
  return {
    type: 'getblocks',
    locator: locator as string[],
    limit:
      typeof limit === 'number' && !Number.isNaN(limit)
        ? Math.max(1, Math.min(MAX_BLOCKS_PER_MESSAGE, Math.floor(limit)))
        : MAX_BLOCKS_PER_MESSAGE,
  };
}
