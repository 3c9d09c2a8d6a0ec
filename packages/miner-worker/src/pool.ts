// MinerPool: proof-of-work nonce search on a Piscina pool of worker threads.
//
// - The caller's event loop never hashes: it only hands out nonce ranges and reads results.
// - The u32 nonce space is cut into chunks; each of the `threads` lanes (one task in flight
//   per lane, so one per worker) takes the next chunk when its previous one is exhausted.
//   Nothing queues behind the running tasks, so a cancel only has to wait for them.
// - Each job (one template) has its own SharedArrayBuffer cancel flag. cancel() sets it
//   (Atomics.store + notify); every worker looks at it every `checkEvery` nonces.
// - A generation counter is bumped by every mine() and cancel(); a job's results are only
//   ever reported to that job's caller, and never as a hit once the job was superseded.
// - Workers add their hash counts to a shared BigInt64Array (one slot per lane); a timer
//   samples it so hashrate() is a rate over a recent window without any messages.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import {
  DEFAULT_CHECK_EVERY,
  NONCE_SPACE,
  digestWordsMeetTarget,
  sha256d,
  targetToWords,
  withNonce,
  resolveEngine,
  type Engine,
  type TargetInput,
  type TargetWords,
} from './sha256d.js';
import type { MineTask, MineTaskResult } from './worker.js';

/** The worker module. Built JS even when this file runs from src/ (tests): build first. */
export const WORKER_URL = new URL('../dist/worker.js', import.meta.url);

/** Default worker count: all cores but one (for the node's event loop), at least 1. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

export interface MinerPoolOptions {
  /** Worker threads (default: cores - 1, at least 1). */
  threads?: number;
  /** Nonces per task (default 2^22: about 2 s of one worker). */
  chunkSize?: number;
  /** Nonces between two checks of the cancel flag (default 8192). */
  checkEvery?: number;
  /** Window over which hashrate() averages, in ms (default 3000). */
  hashrateWindowMs?: number;
  /** Hashing kernel (default 'auto': WebAssembly SIMD when available, else JavaScript). */
  engine?: Engine;
  /**
   * Niceness of the worker threads (Linux, 1..19; default 0 = unchanged). A positive value
   * lets the caller's event loop (the node's HTTP API) take the CPU first when it needs it.
   */
  workerNice?: number;
}

/** A header to mine: the 80-byte header (nonce bytes ignored) and the target it must meet. */
export interface MineTemplate {
  header80: Uint8Array;
  /** bigint, 32 bytes big-endian, 64 hex digits, or 8 u32 words most significant first. */
  target: TargetInput;
}

export interface MineOptions {
  /** First nonce to try (default 0). */
  startNonce?: number;
  /** End of the range, exclusive (default 2^32). */
  endNonce?: number;
  /** Nonces per task (default: the pool's chunkSize). */
  chunkSize?: number;
  /** Aborting cancels this job (as cancel() would, if it is still the current one). */
  signal?: AbortSignal;
}

export type MineResult =
  | {
      status: 'found';
      nonce: number;
      /** The template with the winning nonce written in (u32 little-endian, bytes 76..79). */
      header80: Uint8Array;
      /** SHA-256d of header80, internal byte order (display = reversed). */
      hash: Uint8Array;
      hashes: number;
      generation: number;
    }
  | { status: 'exhausted'; exhausted: true; hashes: number; generation: number }
  | { status: 'cancelled'; cancelled: true; hashes: number; generation: number };

export interface Hashrate {
  /** Hashes per second over the recent window, all workers. */
  total: number;
  /** Hashes per second of each worker (lane), same window. */
  perWorker: number[];
}

interface Job {
  generation: number;
  header: Uint8Array;
  target: Uint8Array;
  targetWords: TargetWords;
  cancelBuf: SharedArrayBuffer;
  flag: Int32Array;
  next: number;
  end: number;
  chunk: number;
  running: number;
  hashes: number;
  /** Set once the job's outcome is decided (hit, exhaustion, cancel, error). */
  settled: boolean;
  resolve: (r: MineResult) => void;
  reject: (e: unknown) => void;
  idleWaiters: (() => void)[];
}

interface Sample {
  t: number;
  counts: number[];
}

const SAMPLE_MS = 250;

export class MinerPool {
  readonly threads: number;
  readonly chunkSize: number;
  readonly checkEvery: number;
  readonly hashrateWindowMs: number;
  /** The kernel the workers use ('auto' resolved). */
  readonly engine: 'wasm' | 'js';
  readonly workerNice: number;
  /** The last error of a worker outside any task (diagnostics), if any. */
  lastWorkerError: unknown = undefined;
  readonly #piscina: Piscina<MineTask, MineTaskResult>;
  readonly #statsBuf: SharedArrayBuffer;
  readonly #stats: BigInt64Array;
  readonly #samples: Sample[] = [];
  readonly #sampler: NodeJS.Timeout;
  #generation = 0;
  #job: Job | undefined;
  #destroyed = false;

  constructor(options: MinerPoolOptions = {}) {
    const threads = options.threads ?? defaultThreads();
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError('threads must be >= 1');
    const chunkSize = options.chunkSize ?? 1 << 22;
    if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError('bad chunkSize');
    this.threads = threads;
    this.chunkSize = chunkSize;
    this.checkEvery = options.checkEvery ?? DEFAULT_CHECK_EVERY;
    this.hashrateWindowMs = options.hashrateWindowMs ?? 3000;
    this.engine = resolveEngine(options.engine); // same runtime as the workers
    this.workerNice = options.workerNice ?? 0;
    this.#statsBuf = new SharedArrayBuffer(8 * threads);
    this.#stats = new BigInt64Array(this.#statsBuf);
    this.#piscina = new Piscina<MineTask, MineTaskResult>({
      filename: WORKER_URL.href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 2 ** 31 - 1,
      concurrentTasksPerWorker: 1,
    });
    // Task failures reject their mine(); this catches a worker dying between tasks, which
    // would otherwise be an unhandled 'error' event (Piscina replaces the worker).
    this.#piscina.on('error', (error: unknown) => {
      this.lastWorkerError = error;
    });
    this.#sample();
    this.#sampler = setInterval(() => this.#sample(), SAMPLE_MS);
    this.#sampler.unref();
  }

  /** Bumped by every mine() and cancel(); a result is current iff its generation equals it. */
  get generation(): number {
    return this.#generation;
  }

  /** Whether any worker task is still running (a cancelled job may still be winding down). */
  get busy(): boolean {
    return this.#job !== undefined && this.#job.running > 0;
  }

  /** True iff `result` is a hit for the template most recently given to mine(). */
  isCurrent(result: MineResult): boolean {
    return result.status === 'found' && result.generation === this.#generation;
  }

  /**
   * Searches nonces of `template` on all workers. Resolves with the first hit, with
   * `exhausted` if the range (default: all 2^32 nonces) has none (change the time or the
   * extra nonce and call again), or with `cancelled` if cancel(), a newer mine() or the
   * signal stopped it. A newer mine() supersedes (cancels) the running one.
   */
  async mine(template: MineTemplate, opts: MineOptions = {}): Promise<MineResult> {
    this.#assertAlive();
    const header = template.header80;
    if (!(header instanceof Uint8Array) || header.length !== 80) {
      throw new RangeError('header80 must be 80 bytes');
    }
    const targetWords = targetToWords(template.target);
    const start = opts.startNonce ?? 0;
    const end = opts.endNonce ?? NONCE_SPACE;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > NONCE_SPACE) {
      throw new RangeError(`bad nonce range [${start}, ${end})`);
    }
    const chunk = opts.chunkSize ?? this.chunkSize;
    if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError('bad chunkSize');

    const generation = ++this.#generation;
    const cancelled = (): MineResult => ({
      status: 'cancelled',
      cancelled: true,
      hashes: 0,
      generation,
    });
    if (opts.signal?.aborted) return cancelled();
    // Stop the previous job and let its workers go idle before handing out new ranges.
    if (this.#job) {
      this.#stopJob(this.#job);
      await this.#whenIdle(this.#job);
    }
    if (this.#generation !== generation || this.#destroyed || opts.signal?.aborted) {
      return cancelled(); // superseded while waiting
    }

    const cancelBuf = new SharedArrayBuffer(4);
    const targetBytes = new Uint8Array(32); // big-endian, as the worker takes it
    const targetView = new DataView(targetBytes.buffer);
    for (let i = 0; i < 8; i++) targetView.setUint32(4 * i, targetWords[i]!);
    return new Promise<MineResult>((resolve, reject) => {
      const job: Job = {
        generation,
        header: Uint8Array.from(header),
        target: targetBytes,
        targetWords,
        cancelBuf,
        flag: new Int32Array(cancelBuf),
        next: start,
        end,
        chunk,
        running: 0,
        hashes: 0,
        settled: false,
        resolve,
        reject,
        idleWaiters: [],
      };
      this.#job = job;
      if (opts.signal) {
        const signal = opts.signal;
        const onAbort = (): void => {
          if (this.#job === job && !job.settled) {
            this.#generation++;
            this.#stopJob(job);
          }
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const cleanup = (): void => signal.removeEventListener('abort', onAbort);
        const res0 = job.resolve;
        const rej0 = job.reject;
        job.resolve = (r) => {
          cleanup();
          res0(r);
        };
        job.reject = (e) => {
          cleanup();
          rej0(e);
        };
      }
      for (let lane = 0; lane < this.threads; lane++) this.#launch(job, lane);
      this.#checkDone(job);
    });
  }

  /**
   * Keeps mining fresh templates until one yields a hit: `nextTemplate(attempt)` is called
   * for attempt 0, 1, ... each time the previous template's range was exhausted (give it a
   * new time or extra nonce). Resolves with the hit, or `cancelled`.
   */
  async mineUntilFound(
    nextTemplate: (attempt: number) => MineTemplate | Promise<MineTemplate>,
    opts: MineOptions & { maxAttempts?: number } = {},
  ): Promise<MineResult & { attempts: number }> {
    const max = opts.maxAttempts ?? Infinity;
    let last: MineResult | undefined;
    let attempt = 0;
    for (; attempt < max; attempt++) {
      const generationBefore = this.#generation;
      const template = await nextTemplate(attempt);
      if (this.#generation !== generationBefore) break; // cancelled while preparing
      last = await this.mine(template, opts);
      if (last.status !== 'exhausted') return { ...last, attempts: attempt + 1 };
    }
    const result = last ?? {
      status: 'cancelled' as const,
      cancelled: true as const,
      hashes: 0,
      generation: this.#generation,
    };
    return { ...result, attempts: attempt };
  }

  /**
   * Stops the running search (if any): sets its cancel flag, makes its mine() resolve
   * `cancelled`, and resolves once every worker has returned (within a few ms).
   */
  async cancel(): Promise<void> {
    this.#generation++;
    const job = this.#job;
    if (!job) return;
    this.#stopJob(job);
    await this.#whenIdle(job);
  }

  /** Hashes per second over the last `hashrateWindowMs`, in total and per worker. */
  hashrate(): Hashrate {
    const now = this.#read();
    const cutoff = now.t - this.hashrateWindowMs;
    let base: Sample | undefined;
    for (const s of this.#samples) {
      if (s.t >= cutoff) {
        base = s;
        break;
      }
    }
    base ??= this.#samples[this.#samples.length - 1];
    const dt = base ? (now.t - base.t) / 1000 : 0;
    const perWorker = now.counts.map((c, i) => (dt > 0 && base ? (c - base.counts[i]!) / dt : 0));
    return { total: perWorker.reduce((a, b) => a + b, 0), perWorker };
  }

  /** Hashes computed by each worker since the pool started. */
  totalHashes(): number[] {
    return this.#read().counts;
  }

  /** Cancels any search and terminates the workers. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    clearInterval(this.#sampler);
    const job = this.#job;
    this.#generation++;
    if (job) {
      this.#stopJob(job);
      await this.#whenIdle(job);
    }
    await this.#piscina.destroy();
  }

  // ---- internals ---------------------------------------------------------------------------

  #assertAlive(): void {
    if (this.#destroyed) throw new Error('MinerPool destroyed');
  }

  #read(): Sample {
    const counts: number[] = [];
    for (let i = 0; i < this.threads; i++) counts.push(Number(Atomics.load(this.#stats, i)));
    return { t: performance.now(), counts };
  }

  #sample(): void {
    const s = this.#read();
    this.#samples.push(s);
    const keep = s.t - this.hashrateWindowMs - 2 * SAMPLE_MS;
    while (this.#samples.length > 2 && this.#samples[0]!.t < keep) this.#samples.shift();
  }

  /** Raises the job's cancel flag and settles it as cancelled (if not settled yet). */
  #stopJob(job: Job): void {
    Atomics.store(job.flag, 0, 1);
    Atomics.notify(job.flag, 0);
    if (!job.settled) {
      job.settled = true;
      job.resolve({
        status: 'cancelled',
        cancelled: true,
        hashes: job.hashes,
        generation: job.generation,
      });
    }
  }

  #whenIdle(job: Job): Promise<void> {
    if (job.running === 0) return Promise.resolve();
    return new Promise((resolve) => job.idleWaiters.push(resolve));
  }

  /** Gives `lane` the next chunk of the job, if there is one and the job is still open. */
  #launch(job: Job, lane: number): void {
    if (job.settled || job.next >= job.end) return;
    const startNonce = job.next;
    const endNonce = Math.min(job.end, startNonce + job.chunk);
    job.next = endNonce;
    job.running++;
    const task: MineTask = {
      header: job.header,
      target: job.target,
      startNonce,
      endNonce,
      cancel: job.cancelBuf,
      cancelIndex: 0,
      stats: this.#statsBuf,
      workerSlot: lane,
      checkEvery: this.checkEvery,
      engine: this.engine,
      nice: this.workerNice,
    };
    this.#piscina.run(task).then(
      (result) => {
        job.running--;
        job.hashes += result.hashes;
        if (!job.settled) {
          if (result.found) this.#onHit(job, result.nonce);
          else if (result.reason === 'exhausted') this.#launch(job, lane);
        }
        this.#checkDone(job);
      },
      (error: unknown) => {
        job.running--;
        if (!job.settled) {
          job.settled = true;
          Atomics.store(job.flag, 0, 1);
          job.reject(error);
        }
        this.#checkDone(job);
      },
    );
  }

  #onHit(job: Job, nonce: number): void {
    // Stop the other lanes of this job at once.
    Atomics.store(job.flag, 0, 1);
    Atomics.notify(job.flag, 0);
    job.settled = true;
    const header80 = withNonce(job.header, nonce);
    const hash = sha256d(header80);
    const words = new Int32Array(8);
    const view = new DataView(hash.buffer, hash.byteOffset, 32);
    for (let i = 0; i < 8; i++) words[i] = view.getInt32(4 * i);
    if (!digestWordsMeetTarget(words, job.targetWords)) {
      job.reject(new Error(`worker reported nonce ${nonce}, but its hash misses the target`));
      return;
    }
    job.resolve({
      status: 'found',
      nonce,
      header80,
      hash,
      hashes: job.hashes,
      generation: job.generation,
    });
  }

  /** Settles an exhausted job and wakes cancel()/mine() waiters once no task runs. */
  #checkDone(job: Job): void {
    if (job.running > 0) return;
    if (!job.settled) {
      job.settled = true;
      job.resolve({
        status: 'exhausted',
        exhausted: true,
        hashes: job.hashes,
        generation: job.generation,
      });
    }
    const waiters = job.idleWaiters.splice(0);
    for (const w of waiters) w();
    if (this.#job === job) this.#job = undefined;
  }
}
