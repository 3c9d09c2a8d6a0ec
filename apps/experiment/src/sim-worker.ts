// Worker thread of the parallel sweep (parallel.ts): runs the points it is sent, one at a time.
import { parentPort } from 'node:worker_threads';
import { runSimPoint, type SimPointInput } from './sim-point.js';

parentPort!.on('message', (msg: { id: number; input: SimPointInput }) => {
  try {
    parentPort!.postMessage({ id: msg.id, output: runSimPoint(msg.input) });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: (e as Error).stack ?? String(e) });
  }
});
