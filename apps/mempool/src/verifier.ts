// Signature verification off the event loop. Requests that arrive in the same turn of
// the event loop are batched, the batches spread over a Piscina pool of worker threads,
// and every result is remembered in the signature cache the chain service shares, so a
// tx is verified once: when it is pushed, not again when its block arrives.
//
// A batch travels as one packed byte buffer, moved (not copied) to the worker: per tx its
// txHash, signature and sender (see verify-worker.ts). The txHash is the one the mempool
// computed for the txid, so a worker neither parses nor hashes anything again.
//
// `threads: 0` verifies in this thread, a slice per turn of the event loop. That is the
// default where native libsecp256k1 loads: a recovery (~50 µs) then costs less than the
// hop to a worker and back at the batch sizes HTTP clients produce (docs/performance.md).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import {
  addressToBytes,
  fromHex,
  isHex,
  txHash,
  TX_SIG_BYTES,
  verifyTx,
  type SignatureCache,
  type SignedTx,
} from '@chainlab/core';
import type { Logger } from '@chainlab/service';

export interface VerifierOptions {
  /** Worker threads; 0 = verify in this thread. */
  threads: number;
  /** Where results are remembered (share the chain service's: blocks then skip verification). */
  cache?: SignatureCache;
  /** Most signatures per worker task (default 128). */
  maxBatch?: number;
  /** Most verifications queued or running; beyond it verify() throws VerifierBusyError. */
  maxQueue?: number;
  /** The compiled worker module (default: verify-worker.js beside this file). */
  workerFile?: string;
  log?: Logger;
}

/**
 * Most signatures verified in one turn of the event loop when verifying in this thread:
 * 64 recoveries are ~3 ms with native libsecp256k1 (~15 ms with the wasm build).
 */
export const MAIN_THREAD_SLICE = 64;

export class VerifierBusyError extends Error {
  override readonly name = 'VerifierBusyError';
}

interface Job {
  tx: SignedTx;
  id: string;
  resolve: (valid: boolean) => void;
}

export interface VerifierStats {
  threads: number;
  /** Signatures actually verified (cache misses). */
  verified: number;
  /** Answered from the signature cache. */
  cacheHits: number;
  /** Worker tasks sent. */
  batches: number;
  /** Verifications queued or running right now. */
  pending: number;
}

export class SignatureVerifier {
  private queue: Job[] = [];
  private readonly inflight = new Map<string, Promise<boolean>>();
  private scheduled = false;
  /** Verifications this turn may still do at once (threads: 0). */
  private inlineLeft = MAIN_THREAD_SLICE;
  private readonly pool: Piscina | null;
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private verified = 0;
  private cacheHits = 0;
  private batches = 0;

  constructor(private readonly options: VerifierOptions) {
    this.maxBatch = options.maxBatch ?? 128;
    this.maxQueue = options.maxQueue ?? 20_000;
    if (options.threads > 0) {
      const file =
        options.workerFile ?? fileURLToPath(new URL('./verify-worker.js', import.meta.url));
      if (!existsSync(file))
        throw new Error(`signature worker ${file} is missing: build the mempool first`);
      this.pool = new Piscina({
        filename: file,
        minThreads: options.threads,
        maxThreads: options.threads,
        idleTimeout: 60_000,
      });
    } else {
      this.pool = null;
    }
  }

  get threads(): number {
    return this.pool ? this.options.threads : 0;
  }

  stats(): VerifierStats {
    return {
      threads: this.threads,
      verified: this.verified,
      cacheHits: this.cacheHits,
      batches: this.batches,
      pending: this.inflight.size,
    };
  }

  /**
   * Whether `tx` carries a valid signature by `from`. `id` is its txid. Never rejects;
   * throws VerifierBusyError at once when too many verifications are waiting.
   */
  verify(tx: SignedTx, id: string): Promise<boolean> {
    const cached = this.options.cache?.get(id, tx.sig);
    if (cached !== undefined) {
      this.cacheHits++;
      return Promise.resolve(cached);
    }
    // In this thread, the first slice of a turn is verified at once: a lone push then
    // answers without waiting a turn; a burst queues the rest for the following turns.
    if (!this.pool && this.queue.length === 0 && this.inlineLeft > 0) {
      if (this.inlineLeft-- === MAIN_THREAD_SLICE)
        setImmediate(() => (this.inlineLeft = MAIN_THREAD_SLICE));
      this.verified++;
      return Promise.resolve(verifyTx(tx, this.options.cache));
    }
    const key = id + tx.sig.toLowerCase();
    const running = this.inflight.get(key);
    if (running) return running;
    if (this.inflight.size >= this.maxQueue) {
      throw new VerifierBusyError(
        `${this.inflight.size} signatures are waiting for verification; try again shortly`,
      );
    }
    const promise = new Promise<boolean>((resolve) => {
      this.queue.push({
        tx,
        id,
        resolve: (valid) => {
          this.inflight.delete(key);
          this.options.cache?.set(id, tx.sig, valid);
          resolve(valid);
        },
      });
    });
    this.inflight.set(key, promise);
    this.schedule();
    return promise;
  }

  /** Everything that arrives during this turn of the event loop goes in one dispatch. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    // In this thread, one slice per turn of the event loop: a burst of thousands of txs
    // (a restore, a peer's flood) must not hold up every other request meanwhile.
    const slice = this.pool ? this.queue : this.queue.slice(0, MAIN_THREAD_SLICE);
    this.queue = this.pool ? [] : this.queue.slice(slice.length);
    if (this.queue.length > 0) this.schedule();
    const jobs: Job[] = [];
    for (const job of slice) {
      // An Ethereum tx signs its own RLP bytes, not the txHash a packed batch carries: its
      // check is the decode itself (verifyTx re-decodes the raw bytes), done here.
      if (job.tx.kind === 'contract' && job.tx.eth !== undefined)
        this.finish(job, verifyTx(job.tx, this.options.cache));
      // A sig or sender that is not even well-formed is refused here (as verifyTx would).
      else if (wellFormed(job.tx)) jobs.push(job);
      else this.finish(job, false);
    }
    if (jobs.length === 0) return;
    if (!this.pool) {
      for (const job of jobs) this.finish(job, verifyTx(job.tx, this.options.cache));
      return;
    }
    // Spread the jobs evenly over the threads, in batches of at most maxBatch.
    const size = Math.max(
      1,
      Math.min(this.maxBatch, Math.ceil(jobs.length / this.options.threads)),
    );
    for (let i = 0; i < jobs.length; i += size) {
      const batch = jobs.slice(i, i + size);
      const packed = packBatch(batch.map((j) => j.tx));
      this.batches++;
      this.pool.run(Piscina.move(packed)).then(
        (results: Uint8Array) => batch.forEach((job, k) => this.finish(job, results[k] === 1)),
        (err: unknown) => {
          // A worker that died takes nothing with it: verify this batch here instead.
          this.options.log?.error(
            { err: (err as Error).message },
            'signature worker failed; verifying in the main thread',
          );
          for (const job of batch) this.finish(job, verifyTx(job.tx, this.options.cache));
        },
      );
    }
  }

  private finish(job: Job, valid: boolean): void {
    this.verified++;
    job.resolve(valid);
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}

/** Bytes per tx in a packed batch: txHash 32 ‖ sig 65 (r ‖ s ‖ v) ‖ sender 20. */
export const PACKED_TX_BYTES = 32 + TX_SIG_BYTES + 20;

/** Whether a tx's sig and sender have the shape packBatch needs (parseTx guarantees both). */
function wellFormed(tx: SignedTx): boolean {
  return isHex(tx.sig, TX_SIG_BYTES) && typeof tx.from === 'string' && ADDRESS.test(tx.from);
}
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** The batch as verify-worker.ts reads it; every tx must be wellFormed. */
export function packBatch(txs: readonly SignedTx[]): Uint8Array {
  const out = new Uint8Array(txs.length * PACKED_TX_BYTES);
  for (let i = 0; i < txs.length; i++) {
    const tx = txs[i]!;
    const at = i * PACKED_TX_BYTES;
    out.set(txHash(tx), at);
    out.set(fromHex(tx.sig, TX_SIG_BYTES), at + 32);
    out.set(addressToBytes(tx.from), at + 32 + TX_SIG_BYTES);
  }
  return out;
}
