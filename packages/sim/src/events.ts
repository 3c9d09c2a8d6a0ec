// The simulator's scheduled events (faults, restarts, deliveries to eager nodes, settles of
// a block in a component, the stop) in one queue. Events at the same instant run by rank,
// then by insertion order: a seed reproduces a run exactly.
import type { Fault } from './scenario.js';
import { MinHeap, type Keyed } from './heap.js';
import type { SimBlock } from './types.js';

export type SimEvent = Keyed &
  (
    | { kind: 'fault'; fault: Fault }
    | { kind: 'restart'; nodes: number[] }
    | { kind: 'arrival'; block: SimBlock; node: number; version: number }
    | { kind: 'settle'; block: SimBlock; comp: number; version: number }
    | { kind: 'stop' }
  );

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event to schedule; `seq` defaults to the insertion order. */
export type NewEvent = DistributiveOmit<SimEvent, 'seq'> & { seq?: number };

export const RANK_FAULT = 0;
export const RANK_ARRIVAL_FIRST = 1;
export const RANK_ARRIVAL = 2;
export const RANK_SETTLE = 3;
export const RANK_STOP = 4;

export class EventQueue {
  private readonly heap = new MinHeap<SimEvent>();
  private seq = 0;

  push(e: NewEvent): void {
    (e as SimEvent).seq ??= this.seq++;
    this.heap.push(e as SimEvent);
  }

  peek(): SimEvent | undefined {
    return this.heap.peek();
  }

  pop(): SimEvent | undefined {
    return this.heap.pop();
  }
}
