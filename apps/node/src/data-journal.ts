// Level 1: posted data items survive a crash. Every item POST /data queues is appended to
// <data-dir>/data.journal (one JSON string per line) and fsync'd before the 202 leaves
// (group commit: one fsync for every item posted while the previous one ran; see
// @chainlab/service's Journal). On start every logged item that is not in the active
// chain is queued again, before the node listens or mines.
//
// The log is compacted when it holds twice what is live, and on shutdown: rewritten with
// the queued items plus the items of the last few active blocks, so that a reorg which
// disconnects those after a crash still finds them (they are re-queued once they are no
// longer in the active chain). An item identical to one in the active chain counts as
// mined: the queue holds each distinct item once, as before.
import { join } from 'node:path';
import { isTxBlock, type Chain } from '@chainlab/core';
import { Journal, type Logger } from '@chainlab/service';
import type { DataQueue } from './payload.js';

export const DATA_JOURNAL_FILE = 'data.journal';
/** Items of this many blocks below the tip stay in the log after they are mined. */
export const REORG_WINDOW = 6;
const COMPACT_MIN_LINES = 2_000;

export interface DataRestoreReport {
  /** Records read from the log. */
  records: number;
  /** Queued again. */
  queued: number;
  /** Already in the active chain (mined while or before we went down). */
  mined: number;
  /** Refused by the queue now (too large for the spec, queue full) or unreadable lines. */
  dropped: number;
}

export class DataJournal {
  private compacting = false;

  private constructor(
    private readonly journal: Journal,
    private readonly queue: DataQueue,
    private readonly chain: Chain,
    private records: unknown[],
    private readonly damaged: number,
    private readonly log?: Logger,
  ) {}

  static async open(
    queue: DataQueue,
    chain: Chain,
    dataDir: string,
    options: { fsync?: boolean; log?: Logger } = {},
  ): Promise<DataJournal> {
    const opened = await Journal.open(join(dataDir, DATA_JOURNAL_FILE), { fsync: options.fsync });
    return new DataJournal(
      opened.journal,
      queue,
      chain,
      opened.records,
      opened.damaged,
      options.log,
    );
  }

  get stats(): Journal['stats'] & { lines: number } {
    return { ...this.journal.stats, lines: this.journal.size };
  }

  /** Queues every logged item not in the active chain, then rewrites the log. */
  async restore(): Promise<DataRestoreReport> {
    const list = this.records;
    this.records = [];
    const report: DataRestoreReport = {
      records: list.length,
      queued: 0,
      mined: 0,
      dropped: this.damaged,
    };
    if (list.length > 0) {
      const inChain = new Set<string>();
      for (let h = 1; h <= this.chain.height; h++) {
        const block = this.chain.atHeight(h)!.block;
        if (!isTxBlock(block)) for (const item of block.data) inChain.add(item);
      }
      for (const item of list) {
        if (typeof item !== 'string') report.dropped++;
        else if (inChain.has(item)) report.mined++;
        else {
          try {
            this.queue.admit(item);
            report.queued++;
          } catch {
            report.dropped++;
          }
        }
      }
    }
    await this.journal.compact(() => this.snapshot());
    if (list.length > 0 || report.dropped > 0)
      this.log?.info(report, 'data items restored from the journal');
    return report;
  }

  /** Resolves once `items` are on disk: the caller may then acknowledge them. */
  async append(items: readonly string[]): Promise<void> {
    await this.journal.append(items);
    if (!this.compacting && this.journal.shouldCompact(COMPACT_MIN_LINES)) void this.compact();
  }

  async compact(): Promise<void> {
    this.compacting = true;
    try {
      await this.journal.compact(() => this.snapshot());
      this.log?.debug({ lines: this.journal.size }, 'data journal compacted');
    } catch (e) {
      this.log?.error({ err: (e as Error).message }, 'compacting the data journal failed');
    } finally {
      this.compacting = false;
    }
  }

  async close(): Promise<void> {
    await this.compact();
    await this.journal.close();
  }

  /** The live items: queued, then those of the last REORG_WINDOW active blocks. */
  *snapshot(): Generator<string> {
    yield* this.queue.entries();
    const tip = this.chain.height;
    for (let h = Math.max(1, tip - REORG_WINDOW + 1); h <= tip; h++) {
      const block = this.chain.atHeight(h)?.block;
      if (block && !isTxBlock(block)) yield* block.data;
    }
  }
}
