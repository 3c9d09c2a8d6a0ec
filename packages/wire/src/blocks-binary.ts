// `blocks` as one binary WebSocket frame, for catch-up at wire speed (docs/protocol.md §10):
//
//   tag u8 = 0x01 | CompactSize count | count × ( height u32 LE | CompactSize length | block )
//
// where block is its canonical bytes (block-bytes.ts: Bitcoin's serialization). No JSON,
// no hex, no decimal strings: the receiver hashes the 80 header bytes it got and decodes
// txs with core's decodeTx. Sent only to a peer whose hello lists the binary-blocks
// capability; the same count and byte budgets as the JSON answer apply.
import { HEADER_BYTES, hashHeader, type Block, type ChainSpec } from '@chainlab/core';
import { decodeBlockBytes, encodeBlockBytes } from './block-bytes.js';
import { ByteReader, compactSizeLength, writeCompactSize } from './compact-size.js';
import { WireError } from './errors.js';
import { MAX_BLOCKS_BYTES, MAX_BLOCKS_PER_MESSAGE } from './limits.js';

/** First byte of every binary frame: which message it is. */
export const BINARY_TAG_BLOCKS = 0x01;

export function encodeBlocksBinary(blocks: readonly Block[]): Uint8Array {
  const encoded: Uint8Array[] = [];
  let bytes = 0;
  for (const block of blocks.slice(0, MAX_BLOCKS_PER_MESSAGE)) {
    const b = encodeBlockBytes(block);
    bytes += b.length;
    if (bytes > MAX_BLOCKS_BYTES && encoded.length > 0) break;
    encoded.push(b);
  }
  return packBlocks(BINARY_TAG_BLOCKS, blocks, encoded);
}

/**
 * The batch layout the binary frame and the node's block store share: a tag byte, a
 * CompactSize count, then per block its height (u32 LE), a CompactSize length and its
 * canonical bytes. `encoded[i]` is `blocks[i]`'s encodeBlockBytes (the first n of them).
 */
export function packBlocks(
  tag: number,
  blocks: readonly Block[],
  encoded: readonly Uint8Array[],
): Uint8Array {
  let size = 1 + compactSizeLength(encoded.length);
  for (const b of encoded) size += 4 + compactSizeLength(b.length) + b.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = tag;
  let offset = writeCompactSize(out, 1, encoded.length);
  encoded.forEach((b, i) => {
    view.setUint32(offset, blocks[i]!.height, true);
    offset = writeCompactSize(out, offset + 4, b.length);
    out.set(b, offset);
    offset += b.length;
  });
  return out;
}

/** Reads packBlocks' count (at most `maxCount`) and blocks, after the tag. */
export function readPackedBlocks(reader: ByteReader, maxCount: number, spec: ChainSpec): Block[] {
  const count = reader.compactSize('block count', maxCount);
  const blocks: Block[] = [];
  for (let i = 0; i < count; i++) {
    const height = reader.u32le('block height');
    const length = reader.compactSize('block length', reader.remaining);
    blocks.push(decodeBlockBytes(reader.take(length, 'block'), height, spec));
  }
  return blocks;
}

/**
 * Decodes a binary `blocks` frame for `spec`'s chain. Throws a WireError for a frame that
 * is not one (unknown tag, truncated, trailing bytes, over the count budget), core's
 * RuleError for a block whose content breaks a rule of its own encoding.
 */
export function decodeBlocksBinary(
  frame: Uint8Array,
  spec: ChainSpec,
): { type: 'blocks'; blocks: Block[] } {
  const reader = new ByteReader(frame);
  const tag = reader.u8('message tag');
  if (tag !== BINARY_TAG_BLOCKS) throw new WireError(`unknown binary message tag ${tag}`);
  const blocks = readPackedBlocks(reader, MAX_BLOCKS_PER_MESSAGE, spec);
  if (reader.remaining !== 0) throw new WireError(`${reader.remaining} bytes after the last block`);
  return { type: 'blocks', blocks };
}

/**
 * The hash of a frame's last block, read without decoding the rest (one header hashed):
 * enough to ask for the next batch while this one is still being checked. Null for an
 * empty frame; throws a WireError for one whose framing is broken.
 */
export function lastBlockHashOfFrame(frame: Uint8Array): string | null {
  const reader = new ByteReader(frame);
  if (reader.u8('message tag') !== BINARY_TAG_BLOCKS) throw new WireError('not a blocks frame');
  const count = reader.compactSize('block count', MAX_BLOCKS_PER_MESSAGE);
  let last: Uint8Array | null = null;
  for (let i = 0; i < count; i++) {
    reader.u32le('block height');
    last = reader.take(reader.compactSize('block length', reader.remaining), 'block');
  }
  if (last === null) return null;
  if (last.length < HEADER_BYTES) throw new WireError('truncated block header');
  return hashHeader(last.subarray(0, HEADER_BYTES));
}
