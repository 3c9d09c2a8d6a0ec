// A durable acknowledgement log: an append-only file of JSON records, one per line,
// fsync'd before append() resolves — so a service that answers 2xx only after append()
// never acknowledges something a kill -9 or a power cut can lose.
//
// Group commit, as databases do it: records appended while a write + fsync is in flight
// wait in a buffer and all go to disk with the next single fsync. Under load one fsync
// serves every request of the last few milliseconds, so durability costs little
// throughput; a lone request pays one fsync (~0.1–10 ms depending on the disk).
//
// The file only grows, so its owner compacts it now and then: compact(snapshot) writes
// the live records to a temp file, fsyncs it, renames it over the log (atomic) and
// fsyncs the directory. Records appended meanwhile go to the new file afterwards.
//
// A crash can leave a torn last line (a write cut short); open() drops it — it was never
// acknowledged, since append() resolves only after the whole write and its fsync.
import { constants } from 'node:fs';
import { open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Records serialized per turn of the event loop while compacting. */
const SERIALIZE_SLICE = 1_000;

export interface JournalOptions {
  /**
   * fsync after every group of writes (default true). false keeps the records in the
   * OS page cache only: they survive kill -9 but not a power cut. For benchmarks.
   */
  fsync?: boolean;
}

export interface OpenedJournal<T> {
  journal: Journal;
  /** The records found on disk, oldest first. */
  records: T[];
  /** Lines that did not parse (a torn tail after a crash), dropped. */
  damaged: number;
}

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
}

export class JournalClosedError extends Error {
  constructor(file: string) {
    super(`journal ${file} is closed`);
    this.name = 'JournalClosedError';
  }
}

export class Journal {
  private buffer: string[] = [];
  private waiters: Waiter[] = [];
  private compaction: { snapshot: () => Iterable<unknown>; waiters: Waiter[] } | null = null;
  private running: Promise<void> | null = null;
  private closed = false;
  private lines: number;
  /** Records written by the last compaction (what the owner considered live then). */
  private liveAtCompaction: number;
  readonly stats = { appended: 0, flushes: 0, compactions: 0 };

  private constructor(
    readonly file: string,
    private fh: FileHandle,
    lines: number,
    private readonly fsync: boolean,
  ) {
    this.lines = lines;
    this.liveAtCompaction = lines;
  }

  /** Opens (or creates) the log at `file` and reads back what it holds. */
  static async open<T = unknown>(
    file: string,
    options: JournalOptions = {},
  ): Promise<OpenedJournal<T>> {
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const records: T[] = [];
    let damaged = 0;
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) damaged++; // a torn last line, never acknowledged
    for (const line of text.slice(0, end).split('\n')) {
      if (line === '') continue;
      try {
        records.push(JSON.parse(line) as T);
      } catch {
        damaged++;
      }
    }
    const fsync = options.fsync ?? true;
    const fh = await openForAppend(file, fsync);
    // Cut the torn tail so the next record starts on a line of its own.
    if (end < text.length) await fh.truncate(Buffer.byteLength(text.slice(0, end)));
    const journal = new Journal(file, fh, records.length + damaged, fsync);
    return { journal, records, damaged };
  }

  /** Lines in the file now (live records and ones the next compaction will drop). */
  get size(): number {
    return this.lines;
  }

  /**
   * True when the file holds more than `factor` times what was live at the last
   * compaction, and at least `minLines`: time for the owner to compact.
   */
  shouldCompact(minLines = 1_000, factor = 2): boolean {
    return (
      this.compaction === null &&
      this.lines >= minLines &&
      this.lines > factor * this.liveAtCompaction
    );
  }

  /** Resolves once every record is on disk (written and fsync'd). */
  append(records: readonly unknown[]): Promise<void> {
    if (this.closed) return Promise.reject(new JournalClosedError(this.file));
    if (records.length === 0) return Promise.resolve();
    for (const r of records) this.buffer.push(JSON.stringify(r));
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  /**
   * Rewrites the log with `snapshot()` — called when the rewrite starts, so it must
   * return every live record at that moment (records appended earlier and still live).
   */
  compact(snapshot: () => Iterable<unknown>): Promise<void> {
    if (this.closed) return Promise.reject(new JournalClosedError(this.file));
    return new Promise<void>((resolve, reject) => {
      if (this.compaction) this.compaction.snapshot = snapshot;
      else this.compaction = { snapshot, waiters: [] };
      this.compaction.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  /** Waits for pending writes, then closes the file; later appends are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.running) await this.running;
    await this.fh.close();
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.buffer.length > 0 || this.compaction) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0 || this.compaction) {
      const compaction = this.compaction;
      if (compaction) {
        this.compaction = null;
        await this.settle(compaction.waiters, () => this.rewrite(compaction.snapshot));
        continue;
      }
      const lines = this.buffer;
      const waiters = this.waiters;
      this.buffer = [];
      this.waiters = [];
      await this.settle(waiters, async () => {
        // With fsync the file is open with O_DSYNC: the write returns once the data is on
        // disk, as write + fdatasync would, in one system call and one trip to libuv's pool.
        await this.fh.write(lines.join('\n') + '\n');
        this.lines += lines.length;
        this.stats.appended += lines.length;
        this.stats.flushes++;
      });
    }
  }

  private async settle(waiters: Waiter[], work: () => Promise<void>): Promise<void> {
    try {
      await work();
      for (const w of waiters) w.resolve();
    } catch (e) {
      for (const w of waiters) w.reject(e as Error);
    }
  }

  private async rewrite(snapshot: () => Iterable<unknown>): Promise<void> {
    const lines: string[] = [];
    for (const r of snapshot()) {
      lines.push(JSON.stringify(r));
      // Tens of thousands of records take tens of ms to serialize: yield now and then so
      // the event loop keeps answering. Records appended meanwhile wait in the buffer and
      // go to the new file after the rename; one the snapshot also holds is written twice,
      // which a replay treats as the duplicate it is.
      if (lines.length % SERIALIZE_SLICE === 0) await new Promise((r) => setImmediate(r));
    }
    const tmp = `${this.file}.tmp`;
    const out = await open(tmp, 'w');
    try {
      if (lines.length > 0) await out.write(lines.join('\n') + '\n');
      if (this.fsync) await out.sync();
    } finally {
      await out.close();
    }
    await rename(tmp, this.file);
    if (this.fsync) await syncDir(dirname(this.file));
    const old = this.fh;
    this.fh = await openForAppend(this.file, this.fsync);
    await old.close();
    this.lines = lines.length;
    this.liveAtCompaction = lines.length;
    this.stats.compactions++;
  }
}

/**
 * The log for appending; with `dsync` every write is durable when it returns (O_DSYNC:
 * data and the metadata needed to read it back, i.e. what fdatasync guarantees).
 */
function openForAppend(file: string, dsync: boolean): Promise<FileHandle> {
  const { O_WRONLY, O_APPEND, O_CREAT, O_DSYNC } = constants;
  return open(file, O_WRONLY | O_APPEND | O_CREAT | (dsync ? O_DSYNC : 0), 0o644);
}

/** A rename is durable only once its directory entry is: fsync the directory. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
