// Sweep points on worker threads: `workers` threads take the next point as they finish one.
// Each point's result is a function of its scenario alone, so the output is the same for
// any number of workers and any completion order (results are returned in point order).
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runSimPoint, type SimPointInput, type SimPointOutput } from './sim-point.js';

// The worker is the built JS; run from TypeScript sources (the unit tests) it is dist's.
const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER_FILE = import.meta.url.endsWith('.ts')
  ? path.join(here, '..', 'dist', 'sim-worker.js')
  : path.join(here, 'sim-worker.js');

export function defaultWorkers(points: number): number {
  return Math.max(1, Math.min(points, availableParallelism()));
}

export async function runSimPoints(
  inputs: SimPointInput[],
  workers: number,
  onDone: (index: number, out: SimPointOutput) => void,
): Promise<SimPointOutput[]> {
  const results: SimPointOutput[] = new Array(inputs.length);
  if (workers <= 1) {
    for (const [i, input] of inputs.entries()) {
      results[i] = runSimPoint(input);
      onDone(i, results[i]);
    }
    return results;
  }
  let next = 0;
  const pool = Array.from(
    { length: Math.min(workers, inputs.length) },
    () => new Worker(WORKER_FILE),
  );
  try {
    await Promise.all(
      pool.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= inputs.length) return resolve();
              const id = next++;
              w.postMessage({ id, input: inputs[id] });
            };
            w.on('message', (msg: { id: number; output?: SimPointOutput; error?: string }) => {
              if (msg.error !== undefined)
                return reject(new Error(`sweep point ${msg.id + 1}: ${msg.error}`));
              results[msg.id] = msg.output!;
              onDone(msg.id, msg.output!);
              send();
            });
            w.on('error', reject);
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}
