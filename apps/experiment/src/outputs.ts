// What a run leaves on disk, kept bounded: the per-block CSV is written by default for a
// single run of up to GZIP_ABOVE_BLOCKS blocks; sweeps and longer runs write it only when
// asked (gzip-compressed past that size). Plots are down-sampled (plots.ts), and the size
// of everything written is reported.
import { createWriteStream, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { blocksCsvLines, type BlockRecord } from '@chainlab/sim';

/** Runs with more blocks than this get blocks.csv.gz instead of blocks.csv. */
export const GZIP_ABOVE_BLOCKS = 100_000;

/**
 * --blocks-csv / --no-blocks-csv: true writes it for every run (gzip past
 * GZIP_ABOVE_BLOCKS blocks), false never; undefined (the default) writes it for a single
 * run of at most GZIP_ABOVE_BLOCKS blocks.
 */
export function wantsBlocksCsv(flag: boolean | undefined, sweep: boolean, blocks: number): boolean {
  return flag ?? (!sweep && blocks <= GZIP_ABOVE_BLOCKS);
}

/** Writes blocks.csv (or blocks.csv.gz for long runs) in dir; returns the file name. */
export async function writeBlocksCsv(
  dir: string,
  records: readonly BlockRecord[],
  mainTip: string,
  genesisWork: number,
): Promise<string> {
  const gz = records.length > GZIP_ABOVE_BLOCKS;
  const name = gz ? 'blocks.csv.gz' : 'blocks.csv';
  // Chunks of lines: a million-block CSV never becomes one string.
  function* chunks(): Generator<string> {
    let buf = '';
    let n = 0;
    for (const line of blocksCsvLines(records, mainTip, genesisWork)) {
      buf += line + '\n';
      if (++n === 4096) {
        yield buf;
        buf = '';
        n = 0;
      }
    }
    if (buf) yield buf;
  }
  const file = createWriteStream(path.join(dir, name));
  if (gz) await pipeline(Readable.from(chunks()), createGzip(), file);
  else await pipeline(Readable.from(chunks()), file);
  return name;
}

/** Files and bytes under dir (recursively). */
export function diskUsage(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = diskUsage(p);
      files += sub.files;
      bytes += sub.bytes;
    } else if (entry.isFile()) {
      files++;
      bytes += statSync(p).size;
    }
  }
  return { files, bytes };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}
