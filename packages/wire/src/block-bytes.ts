// The canonical bytes of a block, Bitcoin's block serialization: the 80-byte header, a
// CompactSize item count, then every payload item with a CompactSize length prefix — a
// data item's UTF-8 bytes (level 1) or a tx's wire encoding (levels 2–3, core's encodeTx:
// signing bytes ‖ sig, or 03 ‖ raw for an Ethereum tx). Its length is exactly core's
// blockSize, the figure maxBlockBytes limits (docs/protocol.md §8).
import {
  HEADER_BYTES,
  RuleError,
  blockHash,
  checkTxAmounts,
  decodeHeader,
  decodeTx,
  encodeHeader,
  encodeTx,
  isTxBlock,
  type Block,
  type ChainSpec,
  type Tx,
} from '@chainlab/core';
import { ByteReader, compactSizeLength, writeCompactSize } from './compact-size.js';
import { WireError } from './errors.js';

const encoder = new TextEncoder();
// fatal: invalid UTF-8 is an error, not U+FFFD; ignoreBOM: a leading U+FEFF is data, kept.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Encode once: a block decoded from bytes comes back frozen, with those bytes kept beside it
 * (a node stores the very bytes it received instead of encoding the block again). A block
 * nobody froze is encoded every time, since its fields may still be edited.
 */
const frozenBlocks = new WeakMap<Block, Uint8Array>();

export function encodeBlockBytes(block: Block): Uint8Array {
  const known = Object.isFrozen(block) ? frozenBlocks.get(block) : undefined;
  if (known) return known.slice(); // a copy: a caller may reuse the bytes it gets
  const items: Uint8Array[] = isTxBlock(block)
    ? block.txs.map((tx) => encodeTx(tx))
    : block.data.map((item) => encoder.encode(item));
  let size = HEADER_BYTES + compactSizeLength(items.length);
  for (const item of items) size += compactSizeLength(item.length) + item.length;
  const out = new Uint8Array(size);
  out.set(encodeHeader(block.header), 0);
  let offset = writeCompactSize(out, HEADER_BYTES, items.length);
  for (const item of items) {
    offset = writeCompactSize(out, offset, item.length);
    out.set(item, offset);
    offset += item.length;
  }
  return out;
}

/**
 * Parses untrusted block bytes for a chain of `spec`'s level, the binary twin of core's
 * parseBlock: the hash is computed from the header bytes, txs are decoded by core's
 * decodeTx and checked with the same amount bounds as JSON txs. Throws a WireError for
 * bytes that are not a block, core's RuleError for a payload item that is not valid.
 */
export function decodeBlockBytes(bytes: Uint8Array, height: number, spec: ChainSpec): Block {
  const reader = new ByteReader(bytes);
  const headerBytes = reader.take(HEADER_BYTES, 'block header');
  const header = decodeHeader(headerBytes); // frozen: hashed once, from these bytes
  const hash = blockHash(header);
  const count = reader.compactSize('item count', reader.remaining);
  const items: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const length = reader.compactSize('item length', reader.remaining);
    items.push(reader.take(length, 'item'));
  }
  if (reader.remaining !== 0)
    throw new WireError(`${reader.remaining} bytes after the block's last item`);
  if (spec.level === 1) {
    const data = items.map((item) => {
      try {
        return decoder.decode(item);
      } catch {
        throw new RuleError('BAD_DATA_ITEM', 'a data item is not valid UTF-8');
      }
    });
    return remember({ hash, height, header, data: Object.freeze(data) as string[] }, bytes);
  }
  const txs: Tx[] = items.map((item) => {
    const tx = decodeTx(item, { level: spec.level });
    checkTxAmounts(tx, spec.maxAmount);
    return tx;
  });
  return remember({ hash, height, header, txs: Object.freeze(txs) as Tx[] }, bytes);
}

function remember(block: Block, bytes: Uint8Array): Block {
  Object.freeze(block);
  frozenBlocks.set(block, bytes.slice());
  return block;
}
