import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, JournalClosedError } from '@chainlab/service';

const dirs: string[] = [];
function file(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chainlab-journal-'));
  dirs.push(dir);
  return join(dir, 'log.ndjson');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('Journal', () => {
  it('reads back every appended record, in order, after reopening', async () => {
    const f = file();
    const { journal, records } = await Journal.open(f);
    expect(records).toEqual([]);
    await journal.append([{ a: 1 }, 'two']);
    await journal.append([[3]]);
    await journal.close();
    const again = await Journal.open(f);
    expect(again.records).toEqual([{ a: 1 }, 'two', [3]]);
    expect(again.damaged).toBe(0);
    await again.journal.close();
  });

  it('groups concurrent appends into few fsyncs (group commit)', async () => {
    const f = file();
    const { journal } = await Journal.open(f);
    await Promise.all(Array.from({ length: 500 }, (_, i) => journal.append([i])));
    expect(journal.stats.appended).toBe(500);
    // The first append is written alone; everything that arrived meanwhile shares a flush.
    expect(journal.stats.flushes).toBeLessThanOrEqual(3);
    await journal.close();
    const again = await Journal.open(f);
    expect(again.records).toEqual(Array.from({ length: 500 }, (_, i) => i));
    await again.journal.close();
  });

  it('drops a torn last line (a crash mid-write) and appends after it cleanly', async () => {
    const f = file();
    writeFileSync(f, '{"ok":1}\n{"ok":2}\n{"torn":');
    const { journal, records, damaged } = await Journal.open(f);
    expect(records).toEqual([{ ok: 1 }, { ok: 2 }]);
    expect(damaged).toBe(1);
    await journal.append([{ ok: 3 }]);
    await journal.close();
    expect(readFileSync(f, 'utf8')).toBe('{"ok":1}\n{"ok":2}\n{"ok":3}\n');
  });

  it('compaction keeps the snapshot and every record appended while it ran', async () => {
    const f = file();
    const { journal } = await Journal.open(f);
    await journal.append([1, 2, 3, 4]);
    const live = new Set([2, 4]);
    const compacted = journal.compact(() => [...live]);
    // Appended while the compaction is queued: written after it, to the new file.
    live.add(5);
    const appended = journal.append([5]);
    await Promise.all([compacted, appended]);
    expect(journal.stats.compactions).toBe(1);
    await journal.close();
    const { records, journal: reopened } = await Journal.open(f);
    await reopened.close();
    // 5 may be in the snapshot and appended again: duplicates are harmless on replay.
    expect(records.slice(0, 2)).toEqual([2, 4]);
    expect(records).toContain(5);
    expect(records).not.toContain(1);
  });

  it('says when to compact: the file is well beyond what was live last time', async () => {
    const { journal } = await Journal.open(file());
    await journal.append(Array.from({ length: 10 }, (_, i) => i));
    expect(journal.shouldCompact(5)).toBe(true);
    expect(journal.shouldCompact(50)).toBe(false);
    await journal.compact(() => [1, 2, 3, 4, 5, 6]);
    expect(journal.size).toBe(6);
    expect(journal.shouldCompact(5)).toBe(false);
    await journal.append([7, 8, 9, 10, 11, 12, 13]);
    expect(journal.shouldCompact(5)).toBe(true);
    await journal.close();
  });

  it('refuses appends after close, and a reopened log sees lines added by hand', async () => {
    const f = file();
    const { journal } = await Journal.open(f);
    await journal.close();
    await expect(journal.append([1])).rejects.toBeInstanceOf(JournalClosedError);
    appendFileSync(f, '"x"\nnot json\n');
    const again = await Journal.open(f);
    expect(again.records).toEqual(['x']);
    expect(again.damaged).toBe(1);
    await again.journal.close();
  });
});
