import { describe, expect, it } from 'vitest';
import { layoutTree, type LayoutInput } from '../web/src/tree-layout.js';

const h = (n: string) => '0x' + n.padStart(64, '0');
function block(
  id: string,
  height: number,
  parent: string,
  onBest = false,
  work = height,
): LayoutInput {
  return { hash: h(id), height, prevHash: h(parent), onBest, chainwork: '0x' + work.toString(16) };
}

describe('fork tree layout', () => {
  it('puts a straight chain on lane 0, one column per height', () => {
    const l = layoutTree([
      block('a', 10, 'z', true),
      block('b', 11, 'a', true),
      block('c', 12, 'b', true),
    ]);
    expect(l.lanes).toBe(1);
    expect(l.cols).toBe(3);
    expect(l.minHeight).toBe(10);
    expect([...l.placed.values()].map((p) => [p.col, p.lane])).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
    ]);
    expect(l.edges).toEqual([
      { from: h('a'), to: h('b') },
      { from: h('b'), to: h('c') },
    ]);
  });

  it('keeps the best chain on lane 0 even when a side branch is seen first or has a lower hash', () => {
    const l = layoutTree([
      block('a', 1, 'z', true),
      block('1', 2, 'a', false), // stale sibling, listed first
      block('b', 2, 'a', true),
      block('c', 3, 'b', true),
    ]);
    expect(l.placed.get(h('b'))!.lane).toBe(0);
    expect(l.placed.get(h('c'))!.lane).toBe(0);
    expect(l.placed.get(h('1'))!.lane).toBe(1);
    expect(l.lanes).toBe(2);
  });

  it('reuses a lane for side branches that do not overlap, and stacks those that do', () => {
    const l = layoutTree([
      block('a', 1, 'z', true),
      block('b', 2, 'a', true),
      block('c', 3, 'b', true),
      block('d', 4, 'c', true),
      block('e', 5, 'd', true),
      block('x', 2, 'a'), // fork at 1, spans 2
      block('y', 5, 'd'), // fork at 4, spans 5: same lane as x
      block('p', 3, 'b'), // fork at 2, spans 3-4: overlaps x's connector → another lane
      block('q', 4, 'p'),
    ]);
    expect(l.placed.get(h('x'))!.lane).toBe(1);
    expect(l.placed.get(h('y'))!.lane).toBe(1);
    expect(l.placed.get(h('p'))!.lane).toBe(2);
    expect(l.placed.get(h('q'))!.lane).toBe(2);
  });

  it('of two competing branches without a best one, continues the one with more work', () => {
    const l = layoutTree([
      block('a', 1, 'z', false, 1),
      block('b', 2, 'a', false, 2),
      block('c', 2, 'a', false, 5),
    ]);
    expect(l.placed.get(h('c'))!.lane).toBe(0);
    expect(l.placed.get(h('b'))!.lane).toBe(1);
  });

  it('handles an empty tree and long chains', () => {
    expect(layoutTree([]).lanes).toBe(0);
    const chain: LayoutInput[] = [];
    for (let i = 0; i < 5000; i++) chain.push(block(`c${i}`, i, i === 0 ? 'z' : `c${i - 1}`, true));
    const l = layoutTree(chain);
    expect(l.lanes).toBe(1);
    expect(l.cols).toBe(5000);
  });
});
