// The node's block store (LevelDB via classic-level, in --data-dir).
//
// Every block that joins the tree is written once, keyed by arrival order, in one atomic
// batch with the tip it produced. The blocks of one append share one entry, stored as their
// canonical bytes (0x02, CompactSize count, then per block height u32 LE, CompactSize
// length, block bytes: docs/protocol.md §10), which costs a fraction of JSON, and of one
// LevelDB record per block, to write and to read back. Stores written by earlier versions
// (one JSON entry per block) replay unchanged: an entry starting with "{" is JSON, as
// control entries still are. On start the node replays the blocks in that order
// through the same rules (signatures skipped: they were checked on arrival), which
// rebuilds the tree, the fork choice tie-breaks and the state exactly. So a kill -9 at any
// moment loses at most blocks not yet acknowledged, and state can never disagree with
// the blocks. Writes are not fsynced: they survive a killed process (the OS has them),
// not a power cut — like Bitcoin Core's default.
import { ClassicLevel } from 'classic-level';
import { parseBlock, type Block, type ChainSpec } from '@chainlab/core';
import { ByteReader, encodeBlockBytes, packBlocks, readPackedBlocks } from '@chainlab/wire';

const SEQ_WIDTH = 12;
const seqKey = (seq: number) => `b:${seq.toString().padStart(SEQ_WIDTH, '0')}`;
/** First byte of a binary entry of blocks (a JSON entry starts with "{", 0x7b). */
const BLOCKS_ENTRY = 0x02;
const JSON_ENTRY = 0x7b;
const text = (value: string) => new TextEncoder().encode(value);
const untext = (value: Uint8Array | undefined) =>
  value === undefined ? undefined : Buffer.from(value).toString('utf8');

function encodeBlocksEntry(blocks: readonly Block[]): Uint8Array {
  return packBlocks(BLOCKS_ENTRY, blocks, blocks.map(encodeBlockBytes));
}

function decodeBlocksEntry(value: Uint8Array, spec: ChainSpec): Block[] {
  const reader = new ByteReader(value.subarray(1));
  return readPackedBlocks(reader, reader.remaining, spec);
}

export interface StoredControl {
  action: 'invalidate' | 'reconsider';
  hash: string;
}

export class BlockStore {
  private readonly db: ClassicLevel<string, Uint8Array>;
  private nextSeq = 0;
  private writes: Promise<void> = Promise.resolve();

  private constructor(path: string) {
    this.db = new ClassicLevel<string, Uint8Array>(path, { valueEncoding: 'view' });
  }

  /** Opens (or creates) the store; refuses a data dir that belongs to another chain. */
  static async open(path: string, spec: ChainSpec): Promise<BlockStore> {
    const store = new BlockStore(path);
    await store.db.open();
    const chainId = untext(await store.db.get('meta:chainId'));
    if (chainId === undefined) {
      await store.db.put('meta:chainId', text(String(spec.chainId)));
    } else if (chainId !== String(spec.chainId)) {
      await store.db.close();
      throw new Error(
        `data dir ${path} holds chain ${chainId}, not ${spec.chainId} (${spec.name}); use another --data-dir`,
      );
    }
    return store;
  }

  /** Every stored block and control action, in the order they happened. */
  async *replay(spec: ChainSpec): AsyncGenerator<{ block: Block } | { control: StoredControl }> {
    for await (const [key, value] of this.db.iterator({ gte: 'b:', lt: 'b;' })) {
      this.nextSeq = Number(key.slice(2)) + 1;
      if (value[0] === BLOCKS_ENTRY) {
        for (const block of decodeBlocksEntry(value, spec)) yield { block };
        continue;
      }
      if (value[0] !== JSON_ENTRY) throw new Error(`${key}: unknown store entry`);
      const entry = JSON.parse(untext(value)!) as {
        block?: unknown;
        control?: StoredControl;
      };
      if (entry.control) yield { control: entry.control };
      else yield { block: parseBlock(entry.block, spec) };
    }
  }

  /** Appends blocks (and the resulting tip) in one atomic batch; resolves once written. */
  append(blocks: Block[], tip: string, control?: StoredControl): Promise<void> {
    const ops: { type: 'put'; key: string; value: Uint8Array }[] = [];
    if (blocks.length > 0)
      ops.push({ type: 'put', key: seqKey(this.nextSeq++), value: encodeBlocksEntry(blocks) });
    if (control)
      ops.push({
        type: 'put',
        key: seqKey(this.nextSeq++),
        value: text(JSON.stringify({ control })),
      });
    ops.push({ type: 'put', key: 'meta:tip', value: text(tip) });
    // Writes are chained so they land in the order the chain produced them.
    const write = this.writes.then(() => this.db.batch(ops));
    this.writes = write.catch(() => undefined);
    return write;
  }

  async storedTip(): Promise<string | undefined> {
    return untext(await this.db.get('meta:tip'));
  }

  async close(): Promise<void> {
    await this.writes;
    await this.db.close();
  }
}
