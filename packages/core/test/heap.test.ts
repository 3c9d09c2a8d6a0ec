import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap } from '../src/heap.js';

describe('Heap', () => {
  it('pops every pushed item, in its order (stable for the ties the order breaks)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.nat())), (pairs) => {
        const items = pairs.map(([key], seq) => ({ key, seq }));
        const heap = new Heap<{ key: number; seq: number }>((a, b) =>
          a.key !== b.key ? a.key < b.key : a.seq < b.seq,
        );
        for (const item of items) heap.push(item);
        expect(heap.size).toBe(items.length);
        const out = [];
        while (heap.size > 0) out.push(heap.pop()!);
        expect(out).toEqual(
          [...items].sort((a, b) => (a.key !== b.key ? a.key - b.key : a.seq - b.seq)),
        );
        expect(heap.pop()).toBeUndefined();
      }),
    );
  });

  it('retain keeps exactly the items that pass, still in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), (values) => {
        const heap = new Heap<number>((a, b) => a < b);
        for (const v of values) heap.push(v);
        heap.retain((v) => v % 2 === 0);
        const out = [];
        while (heap.size > 0) out.push(heap.pop()!);
        expect(out).toEqual(values.filter((v) => v % 2 === 0).sort((a, b) => a - b));
      }),
    );
  });
});
