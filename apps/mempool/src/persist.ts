// Acknowledged txs survive a crash. Every tx /pushtx admits is appended to
// <data-dir>/mempool.journal (one JSON tx per line) and fsync'd before the 200 leaves
// (group commit: one fsync for every tx admitted while the previous one ran; see
// @chainlab/service's Journal). On start each logged tx is admitted again through the
// normal path (signature, nonce, funds on the tip the chain replayed to), before the
// service listens: a tx mined meanwhile is refused as a duplicate and so leaves the log.
//
// The log is compacted when it holds twice what is live, and on shutdown: rewritten with
// the pending txs (ready in inclusion order, then held) plus the txs of the last few
// active blocks — a reorg that disconnects those after a crash brings them back, since the
// replayed log re-admits them once they are no longer in the active chain.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseTx, txToJson, type Chain, type Tx } from '@chainlab/core';
import { Journal, type Logger } from '@chainlab/service';
import { isMempoolError } from './errors.js';
import type { Mempool } from './mempool.js';

export const JOURNAL_FILE = 'mempool.journal';
/** Written on shutdown by earlier versions; read once, then folded into the journal. */
export const LEGACY_POOL_FILE = 'mempool.json';
/** Txs of this many blocks below the tip stay in the log after they are mined. */
export const REORG_WINDOW = 6;
/** Compact once the log holds at least this many lines and twice what was live. */
const COMPACT_MIN_LINES = 2_000;
const CHUNK = 2_000;

export interface TxJournalOptions {
  /** fsync each group of appends (default true; false: survives kill -9, not a power cut). */
  fsync?: boolean;
  log?: Logger;
}

/** What restore() found and did. */
export interface RestoreReport {
  /** Records read (journal and legacy file). */
  records: number;
  /** Admitted again (pending now). */
  loaded: number;
  /** Refused by the pool, by code: DUPLICATE mostly means mined while we were down. */
  refused: Record<string, number>;
  /** Torn or unreadable lines dropped. */
  damaged: number;
}

export class TxJournal {
  private compacting = false;

  private constructor(
    private readonly journal: Journal,
    private readonly mempool: Mempool,
    private readonly chain: Chain,
    private readonly dataDir: string,
    private records: unknown[],
    private readonly damaged: number,
    private readonly log?: Logger,
  ) {}

  /** Opens <dataDir>/mempool.journal; call restore() next, before serving /pushtx. */
  static async open(
    mempool: Mempool,
    chain: Chain,
    dataDir: string,
    options: TxJournalOptions = {},
  ): Promise<TxJournal> {
    const opened = await Journal.open(join(dataDir, JOURNAL_FILE), { fsync: options.fsync });
    const legacy = await readLegacy(dataDir);
    return new TxJournal(
      opened.journal,
      mempool,
      chain,
      dataDir,
      [...legacy, ...opened.records],
      opened.damaged,
      options.log,
    );
  }

  get stats(): Journal['stats'] & { lines: number } {
    return { ...this.journal.stats, lines: this.journal.size };
  }

  /**
   * Admits every logged tx again, in log order, then rewrites the log with what is live.
   * Must finish before /pushtx is served: a new tx could otherwise take the nonce of an
   * acknowledged one not yet restored.
   */
  async restore(): Promise<RestoreReport> {
    const list = this.records;
    this.records = [];
    const report: RestoreReport = {
      records: list.length,
      loaded: 0,
      refused: {},
      damaged: this.damaged,
    };
    // In chunks, so the verifier queue never overflows; admission keeps the log's order.
    for (let i = 0; i < list.length; i += CHUNK) {
      const results = await Promise.allSettled(
        list.slice(i, i + CHUNK).map(async (item) => {
          const spec = this.mempool.spec;
          return this.mempool.admit(parseTx(item, spec));
        }),
      );
      for (const r of results) {
        if (r.status === 'fulfilled') report.loaded++;
        else {
          const reason = r.reason as { code?: unknown };
          const code = isMempoolError(r.reason)
            ? r.reason.code
            : typeof reason.code === 'string'
              ? reason.code
              : 'UNREADABLE';
          report.refused[code] = (report.refused[code] ?? 0) + 1;
        }
      }
    }
    await this.journal.compact(() => this.snapshot());
    await rm(join(this.dataDir, LEGACY_POOL_FILE), { force: true });
    if (list.length > 0 || report.damaged > 0)
      this.log?.info(report, 'pending txs restored from the journal');
    return report;
  }

  /** Resolves once `txs` are on disk: the caller may then acknowledge them. */
  async append(txs: readonly Tx[]): Promise<void> {
    await this.journal.append(txs.map((tx) => txToJson(tx)));
    if (!this.compacting && this.journal.shouldCompact(COMPACT_MIN_LINES)) void this.compact();
  }

  /** Rewrites the log with the live txs (also on shutdown: a small log restarts fast). */
  async compact(): Promise<void> {
    this.compacting = true;
    try {
      await this.journal.compact(() => this.snapshot());
      this.log?.debug({ lines: this.journal.size }, 'tx journal compacted');
    } catch (e) {
      this.log?.error({ err: (e as Error).message }, 'compacting the tx journal failed');
    } finally {
      this.compacting = false;
    }
  }

  async close(): Promise<void> {
    await this.compact();
    await this.journal.close();
  }

  /** The live txs: pending (ready in inclusion order, then held), then recently mined. */
  *snapshot(): Generator<unknown> {
    this.mempool.settleTip();
    const pool = this.mempool.pool;
    for (const e of pool.ordered()) yield txToJson(e.tx);
    const held = [...pool.entries()].filter((e) => e.status === 'held');
    for (const e of held.sort((a, b) => a.seq - b.seq)) yield txToJson(e.tx);
    const tip = this.chain.height;
    for (let h = Math.max(1, tip - REORG_WINDOW + 1); h <= tip; h++) {
      const block = this.chain.atHeight(h)?.block;
      if (!block || !('txs' in block)) continue;
      for (const tx of block.txs) if (tx.kind !== 'coinbase') yield txToJson(tx);
    }
  }
}

async function readLegacy(dataDir: string): Promise<unknown[]> {
  try {
    const json = JSON.parse(await readFile(join(dataDir, LEGACY_POOL_FILE), 'utf8')) as {
      txs?: unknown;
    };
    return Array.isArray(json.txs) ? json.txs : [];
  } catch {
    return [];
  }
}
