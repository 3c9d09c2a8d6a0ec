// The EVM worker thread: hosts Engine instances (one per EvmMachine) and answers their
// requests one at a time. The main thread blocks on a SharedArrayBuffer flag while a
// request runs (see bridge.ts), so from its side every call is synchronous.
import { workerData, type MessagePort } from 'node:worker_threads';
import { isRuleError } from '@chainlab/core';
import { Engine } from './engine.js';
import type { EngineConfig, WireError } from './types.js';

export interface WorkerRequest {
  id: number;
  engine: number;
  method: string;
  args: unknown[];
}

export type WorkerReply =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

const { port, asyncPort, signal } = workerData as {
  port: MessagePort;
  asyncPort: MessagePort;
  signal: SharedArrayBuffer;
};
const flag = new Int32Array(signal);
const engines = new Map<number, Engine>();
let nextEngine = 1;

// Only these Engine methods can be called from the main thread.
const METHODS = new Set([
  'applyBlock',
  'undoBlock',
  'template',
  'call',
  'estimateGas',
  'account',
  'code',
  'storage',
  'stateRoot',
  'dump',
  'nextBaseFee',
  'tipBaseFee',
]);

async function handle(req: WorkerRequest): Promise<unknown> {
  if (req.method === 'create') {
    const engine = await Engine.create(req.args[0] as EngineConfig);
    const id = nextEngine++;
    engines.set(id, engine);
    return id;
  }
  if (req.method === 'dispose') {
    engines.delete(req.engine);
    return null;
  }
  const engine = engines.get(req.engine);
  if (!engine) throw new Error(`no engine ${req.engine} (closed?)`);
  if (!METHODS.has(req.method)) throw new Error(`unknown engine method ${req.method}`);
  const fn = (engine as unknown as Record<string, (...a: unknown[]) => unknown>)[req.method]!;
  return await fn.apply(engine, req.args);
}

function toWire(e: unknown): WireError {
  if (isRuleError(e)) return { code: e.code, message: e.message, rule: true };
  if (e instanceof RangeError) return { code: 'RANGE', message: e.message, rule: false };
  const err = e as Error;
  return { code: 'INTERNAL', message: err?.stack ?? String(e), rule: false };
}

// One request at a time, in arrival order, from both ports: an engine's calls roll their
// changes back when they end, so two must never interleave at an await.
let queue: Promise<void> = Promise.resolve();
function enqueue(req: WorkerRequest, send: (r: WorkerReply) => void): void {
  queue = queue.then(() =>
    handle(req).then(
      (value) => send({ id: req.id, ok: true, value }),
      (e: unknown) => send({ id: req.id, ok: false, error: toWire(e) }),
    ),
  );
}
// The synchronous port: its sender blocks on the flag until the answer is there.
port.on('message', (req: WorkerRequest) => enqueue(req, reply));
// The asynchronous port (read-only queries): answered with a plain message.
asyncPort.on('message', (req: WorkerRequest) => enqueue(req, (r) => post(asyncPort, r)));

function post(to: MessagePort, r: WorkerReply): void {
  try {
    to.postMessage(r);
  } catch (e) {
    to.postMessage({
      id: r.id,
      ok: false,
      error: {
        code: 'INTERNAL',
        message: `unsendable reply: ${(e as Error).message}`,
        rule: false,
      },
    });
  }
}

function reply(r: WorkerReply): void {
  post(port, r);
  Atomics.store(flag, 0, r.id); // after the answer is posted: the waiting thread then finds it
  Atomics.notify(flag, 0);
}
