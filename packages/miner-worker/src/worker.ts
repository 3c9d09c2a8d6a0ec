// The Piscina task handler: one nonce range of one header template, run in a worker thread.
// It imports only ./sha256d.js (no @chainlab/core), so a worker starts in milliseconds.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { DEFAULT_CHECK_EVERY, searchNonces, type Engine, type SearchResult } from './sha256d.js';

/** One unit of work for a worker: search nonces [startNonce, endNonce) of `header`. */
export interface MineTask {
  /** The 80-byte header template; its nonce bytes (76..79) are ignored. */
  header: Uint8Array;
  /** The target: 32 bytes big-endian, or 64 hex digits. */
  target: Uint8Array | string;
  startNonce: number;
  /** Exclusive; at most 2^32. */
  endNonce: number;
  /** Cancel flags (Int32): the search stops once flag `cancelIndex` is non-zero. */
  cancel: SharedArrayBuffer;
  cancelIndex?: number;
  /** Hash counters (BigInt64, one per worker slot), added to every `checkEvery` nonces. */
  stats: SharedArrayBuffer;
  workerSlot: number;
  /** Nonces between two looks at the cancel flag (default 8192, ~1.5 ms with wasm). */
  checkEvery?: number;
  /** Hashing kernel (default 'auto': WebAssembly SIMD when available). */
  engine?: Engine;
  /** Niceness for this worker thread (Linux; 0..19, only ever raised). Default: unchanged. */
  nice?: number;
}

let appliedNice = 0;
/** Lowers this thread's scheduling priority, so the caller's event loop wins the CPU. */
function applyNice(nice: number): void {
  if (nice <= appliedNice) return;
  appliedNice = nice;
  try {
    // Linux: setpriority() on a thread id affects that thread only.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, Math.min(19, nice));
  } catch {
    // Not Linux (no /proc/thread-self) or not permitted: keep the default priority.
  }
}

/** What a task returns: the winning nonce, or why it stopped without one. */
export type MineTaskResult = SearchResult;

export default function mineTask(task: MineTask): MineTaskResult {
  if (task.nice) applyNice(task.nice);
  const cancelIndex = task.cancelIndex ?? 0;
  const flag = new Int32Array(task.cancel, cancelIndex * 4, 1);
  const stats = new BigInt64Array(task.stats);
  const slot = task.workerSlot;
  if (!Number.isInteger(slot) || slot < 0 || slot >= stats.length) {
    throw new RangeError(`workerSlot ${slot} outside the stats buffer`);
  }
  return searchNonces(
    task.header,
    task.target,
    task.startNonce,
    task.endNonce,
    flag,
    task.checkEvery ?? DEFAULT_CHECK_EVERY,
    {
      engine: task.engine ?? 'auto',
      onProgress: (hashes) => {
        Atomics.add(stats, slot, BigInt(hashes));
      },
    },
  );
}
