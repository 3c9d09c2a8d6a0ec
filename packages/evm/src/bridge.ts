// Synchronous calls into the EVM worker. The block tree (core's Chain) drives state
// machines synchronously, but @ethereumjs/evm is asynchronous all the way down; so the
// EVM runs in a worker thread and the caller blocks on Atomics.wait until the answer is
// there (the technique of synckit). One worker per process hosts every EvmMachine's
// engine; it is unref'd, so it never keeps a process alive.
//
// Read-only queries that a server answers many of (eth_call, eth_estimateGas) may instead
// go through requestAsync: a second port whose answers arrive as ordinary messages, so the
// main thread keeps serving HTTP while the worker executes. The worker runs every request,
// from either port, one at a time in arrival order.
import {
  MessageChannel,
  Worker,
  receiveMessageOnPort,
  type MessagePort,
} from 'node:worker_threads';
import { RuleError, type RuleCode } from '@chainlab/core';
import type { WorkerReply } from './worker.js';
import type { WireError } from './types.js';

/** Run from the TypeScript sources (vitest) or from the build. */
const FROM_SOURCES = import.meta.url.endsWith('.ts');

export const DEFAULT_TIMEOUT_MS = 120_000;

export class EvmWorkerError extends Error {
  override readonly name = 'EvmWorkerError';
}

export class EvmWorker {
  private static shared: EvmWorker | undefined;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly asyncPort: MessagePort;
  private readonly flag: Int32Array;
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }
  >();
  private dead: Error | null = null;

  /** The process-wide worker, started on first use. */
  static get(): EvmWorker {
    if (!EvmWorker.shared || EvmWorker.shared.dead) EvmWorker.shared = new EvmWorker();
    return EvmWorker.shared;
  }

  /** Stops the shared worker (tests; a process exits fine without it). */
  static async shutdown(): Promise<void> {
    const w = EvmWorker.shared;
    EvmWorker.shared = undefined;
    if (w) await w.worker.terminate();
  }

  private constructor() {
    const signal = new SharedArrayBuffer(4);
    this.flag = new Int32Array(signal);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const async = new MessageChannel();
    this.asyncPort = async.port1;
    const file = new URL(FROM_SOURCES ? './worker-dev.mjs' : './worker.js', import.meta.url);
    this.worker = new Worker(file, {
      workerData: { port: port2, asyncPort: async.port2, signal },
      transferList: [port2, async.port2],
    });
    this.worker.on('error', (e) => {
      this.dead = e;
      this.failWaiting();
    });
    this.worker.on('exit', (code) => {
      this.dead ??= new EvmWorkerError(`the EVM worker exited (code ${code})`);
      this.failWaiting();
    });
    this.asyncPort.on('message', (reply: WorkerReply) => this.settle(reply));
    this.worker.unref();
    this.port.unref();
    this.asyncPort.unref();
  }

  /**
   * Sends one request without blocking: the answer (or the same errors as request's)
   * arrives as a promise. For read-only queries; the worker still runs them one at a time.
   */
  requestAsync<T>(
    engine: number,
    method: string,
    args: unknown[],
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<T> {
    if (this.dead)
      return Promise.reject(new EvmWorkerError(`the EVM worker is gone: ${this.dead.message}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.waiting.delete(id)) {
          if (this.waiting.size === 0) this.asyncPort.unref();
          reject(new EvmWorkerError(`no answer to ${method} in ${timeoutMs} ms`));
        }
      }, timeoutMs);
      timer.unref();
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
        method,
      });
      // An answer is awaited: keep the process alive until it comes.
      if (this.waiting.size === 1) this.asyncPort.ref();
      this.asyncPort.postMessage({ id, engine, method, args });
    });
  }

  private settle(reply: WorkerReply): void {
    const w = this.waiting.get(reply.id);
    if (!w) return; // timed out already
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.asyncPort.unref();
    if (reply.ok) w.resolve(reply.value);
    else w.reject(toError(reply.error, w.method));
  }

  private failWaiting(): void {
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      w.reject(new EvmWorkerError(`the EVM worker is gone: ${this.dead?.message ?? 'exited'}`));
    }
    this.asyncPort.unref();
  }

  /**
   * Sends one request and blocks until the worker answers. A RuleError thrown in the
   * worker is rethrown here as a RuleError with the same code; anything else as EvmWorkerError.
   */
  request<T>(engine: number, method: string, args: unknown[], timeoutMs = DEFAULT_TIMEOUT_MS): T {
    if (this.dead) throw new EvmWorkerError(`the EVM worker is gone: ${this.dead.message}`);
    const id = this.nextId++;
    this.port.postMessage({ id, engine, method, args });
    // The worker stores the id of each answer in the flag after posting it: wait for ours.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.flag, 0);
      if (seen === id) break;
      const left = deadline - Date.now();
      if (left <= 0) {
        this.dead = new EvmWorkerError(`no answer to ${method} in ${timeoutMs} ms`);
        void this.worker.terminate();
        throw this.dead;
      }
      Atomics.wait(this.flag, 0, seen, Math.min(left, 1000));
    }
    let received = receiveMessageOnPort(this.port);
    // Answers to earlier requests that gave up waiting (none in normal operation) are dropped.
    while (received && (received.message as WorkerReply).id !== id)
      received = receiveMessageOnPort(this.port);
    if (!received)
      throw new EvmWorkerError(`the EVM worker signalled but sent no answer to ${method}`);
    const reply = received.message as WorkerReply;
    if (reply.id !== id)
      throw new EvmWorkerError(`EVM worker answered request ${reply.id}, expected ${id}`);
    if (reply.ok) return reply.value as T;
    throw toError(reply.error, method);
  }
}

/** A RuleError thrown in the worker comes back as a RuleError with the same code. */
function toError(error: WireError, method: string): Error {
  if (error.rule) return new RuleError(error.code as RuleCode, error.message);
  if (error.code === 'RANGE') return new RangeError(error.message);
  return new EvmWorkerError(`${method} failed in the EVM worker: ${error.message}`);
}
