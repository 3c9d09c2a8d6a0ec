// Synchronous calls into the EVM worker. The block tree (core's Chain) drives state
// machines synchronously, but @ethereumjs/evm is asynchronous all the way down; so the
// EVM runs in a worker thread and the caller blocks on Atomics.wait until the answer is
// there (the technique of synckit). One worker per process hosts every EvmMachine's
// engine; it is unref'd, so it never keeps a process alive.
import {
  MessageChannel,
  Worker,
  receiveMessageOnPort,
  type MessagePort,
} from 'node:worker_threads';
import { RuleError, type RuleCode } from '@chainlab/core';
import type { WorkerReply } from './worker.js';

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
  private readonly flag: Int32Array;
  private nextId = 1;
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
    const file = new URL(FROM_SOURCES ? './worker-dev.mjs' : './worker.js', import.meta.url);
    this.worker = new Worker(file, { workerData: { port: port2, signal }, transferList: [port2] });
    this.worker.on('error', (e) => {
      this.dead = e;
    });
    this.worker.on('exit', (code) => {
      this.dead ??= new EvmWorkerError(`the EVM worker exited (code ${code})`);
    });
    this.worker.unref();
    this.port.unref();
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
    if (reply.error.rule) throw new RuleError(reply.error.code as RuleCode, reply.error.message);
    if (reply.error.code === 'RANGE') throw new RangeError(reply.error.message);
    throw new EvmWorkerError(`${method} failed in the EVM worker: ${reply.error.message}`);
  }
}
