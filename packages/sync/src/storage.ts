// The node's block store (LevelDB via classic-level, in --data-dir).
//
// Every block that joins the tree is written once, keyed by arrival order, in one atomic
// batch with the tip it produced. On start the node replays the blocks in that order
// through the same rules (signatures skipped: they were checked on arrival), which
// rebuilds the tree, the fork choice tie-breaks and the state exactly. So a kill -9 at any
// moment loses at most blocks not yet acknowledged, and state can never disagree with
// the blocks. Writes are not fsynced: they survive a killed process (the OS has them),
// not a power cut — like Bitcoin Core's default.
import { ClassicLevel } from 'classic-level';
import { blockToJson, parseBlock, type Block, type ChainSpec } from '@chainlab/core';

const SEQ_WIDTH = 12;
const seqKey = (seq: number) => `b:${seq.toString().padStart(SEQ_WIDTH, '0')}`;

export interface StoredControl {
  action: 'invalidate' | 'reconsider';
  hash: string;
}

export class BlockStore {
  private readonly db: ClassicLevel<string, string>;
  private nextSeq = 0;
  private writes: Promise<void> = Promise.resolve();

  private constructor(path: string) {
    this.db = new ClassicLevel<string, string>(path, { valueEncoding: 'utf8' });
  }

  /** Opens (or creates) the store; refuses a data dir that belongs to another chain. */
  static async open(path: string, spec: ChainSpec): Promise<BlockStore> {
    const store = new BlockStore(path);
    await store.db.open();
    const chainId = await store.db.get('meta:chainId');
    if (chainId === undefined) {
      await store.db.put('meta:chainId', String(spec.chainId));
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
      const entry = JSON.parse(value) as { block?: unknown; control?: StoredControl };
      if (entry.control) yield { control: entry.control };
      else yield { block: parseBlock(entry.block, spec) };
    }
  }

  /** Appends blocks (and the resulting tip) in one atomic batch; resolves once written. */
  append(blocks: Block[], tip: string, control?: StoredControl): Promise<void> {
    const ops: { type: 'put'; key: string; value: string }[] = blocks.map((block) => ({
      type: 'put',
      key: seqKey(this.nextSeq++),
      value: JSON.stringify({ block: blockToJson(block) }),
    }));
    if (control)
      ops.push({ type: 'put', key: seqKey(this.nextSeq++), value: JSON.stringify({ control }) });
    ops.push({ type: 'put', key: 'meta:tip', value: tip });
    // Writes are chained so they land in the order the chain produced them.
    const write = this.writes.then(() => this.db.batch(ops));
    this.writes = write.catch(() => undefined);
    return write;
  }

  async storedTip(): Promise<string | undefined> {
    return this.db.get('meta:tip');
  }

  async close(): Promise<void> {
    await this.writes;
    await this.db.close();
  }
}
