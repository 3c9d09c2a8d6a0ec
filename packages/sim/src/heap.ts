// The simulator's event queue: core's binary heap, ordered by time, then by a per-kind
// rank, then by insertion sequence, so simultaneous events are handled in one fixed order
// and a seed reproduces a run exactly.
import { Heap } from '@chainlab/core';

export interface Keyed {
  time: number;
  rank: number;
  seq: number;
}

/** True when event `a` is handled before event `b`. */
export function eventBefore(a: Keyed, b: Keyed): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.rank !== b.rank) return a.rank < b.rank;
  return a.seq < b.seq;
}

export class MinHeap<T extends Keyed> extends Heap<T> {
  constructor() {
    super(eventBefore);
  }
}
