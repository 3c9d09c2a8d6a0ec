import { describe, expect, it } from 'vitest';
import { compareWork, detectReorg, leftTip, tipPosition, type TreeJson } from '../src/network.js';

const h = (n: string) => '0x' + n.padStart(64, '0');
interface B {
  hash: string;
  height: number;
  prevHash: string;
  chainwork: string;
}
const b = (id: string, height: number, parent: string, work: number): B => ({
  hash: h(id),
  height,
  prevHash: h(parent),
  chainwork: '0x' + work.toString(16),
});

function tree(tip: B, blocks: (B & { active: boolean; status?: string })[]): TreeJson {
  return {
    tip: tip.hash,
    height: tip.height,
    fromHeight: 0,
    blocks: blocks.map((x) => ({ ...x, time: 0, bits: 0x207fffff, status: x.status ?? 'valid' })),
  };
}

describe('reorg detection', () => {
  const g = b('g', 0, '0', 1);
  const a1 = b('a1', 1, 'g', 2);
  const a2 = b('a2', 2, 'a1', 3);
  const b1 = b('b1', 1, 'g', 2);
  const b2 = b('b2', 2, 'b1', 3);
  const b3 = b('b3', 3, 'b2', 4);
  const known = new Map([g, a1, a2, b1, b2, b3].map((x) => [x.hash, x]));

  it('sees no reorg when the tip only moved forward', () => {
    const t = tree(a2, [
      { ...g, active: true },
      { ...a1, active: true },
      { ...a2, active: true },
    ]);
    expect(detectReorg('node-1', a1.hash, t, known)).toBeNull();
    expect(detectReorg('node-1', null, t, known)).toBeNull();
    expect(detectReorg('node-1', a2.hash, t, known)).toBeNull();
  });

  it('reports the fork point and the blocks disconnected and connected when a chain with more work wins', () => {
    const t = tree(b3, [
      { ...g, active: true },
      { ...a1, active: false },
      { ...a2, active: false },
      { ...b1, active: true },
      { ...b2, active: true },
      { ...b3, active: true },
    ]);
    const r = detectReorg('node-1', a2.hash, t, known)!;
    expect(r.forkPoint).toEqual({ hash: g.hash, height: 0 });
    expect(r.disconnected).toEqual([a2.hash, a1.hash]);
    expect(r.connected).toEqual([b1.hash, b2.hash, b3.hash]);
    expect(r.reason).toBe('more-work');
    expect(r.oldTip).toEqual({ hash: a2.hash, height: 2, chainwork: a2.chainwork });
    expect(r.newTip.hash).toBe(b3.hash);
  });

  it('says "invalidated" when the old tip was marked invalid', () => {
    const t = tree(a1, [
      { ...g, active: true },
      { ...a1, active: true },
      { ...a2, active: false, status: 'invalid' },
    ]);
    const r = detectReorg('node-1', a2.hash, t, known)!;
    expect(r.reason).toBe('invalidated');
    expect(r.disconnected).toEqual([a2.hash]);
    expect(r.connected).toEqual([]);
    expect(r.forkPoint?.hash).toBe(a1.hash);
  });

  it('says "equal-work" when the node moved between tips of the same work', () => {
    const t = tree(b1, [
      { ...g, active: true },
      { ...a1, active: false },
      { ...b1, active: true },
    ]);
    const r = detectReorg('node-1', a1.hash, t, known)!;
    expect(r.reason).toBe('equal-work');
    expect(r.disconnected).toEqual([a1.hash]);
    expect(r.connected).toEqual([b1.hash]);
  });

  it('compares chainwork as big integers', () => {
    expect(compareWork('0x10', '0xf')).toBe(1);
    expect(compareWork('0x' + 'f'.repeat(40), '0x' + 'f'.repeat(39))).toBe(1);
    expect(compareWork(null, '0x0')).toBe(0);
    expect(compareWork('0x1', undefined)).toBe(1);
  });
});

describe('tipPosition: behind (an ancestor of the best tip) or on another branch', () => {
  // g ─ a1 ─ a2 ─ a3 ─ a4   (best)
  //       └─ b2 ─ b3          (a node after /dev/invalidate of a2)
  const g = b('g', 0, '0', 1);
  const a1 = b('a1', 1, 'g', 2);
  const a2 = b('a2', 2, 'a1', 3);
  const a3 = b('a3', 3, 'a2', 4);
  const a4 = b('a4', 4, 'a3', 5);
  const b2 = b('b2', 2, 'a1', 3);
  const b3 = b('b3', 3, 'b2', 4);
  const known = new Map([g, a1, a2, a3, a4, b2, b3].map((x) => [x.hash, x]));

  it('the best tip itself', () => {
    expect(tipPosition(a4, a4, known)).toEqual({ position: 'best' });
  });
  it('an ancestor of the best tip is behind by the height difference', () => {
    expect(tipPosition(a2, a4, known)).toEqual({ position: 'behind', blocks: 2 });
    expect(tipPosition(g, a4, known)).toEqual({ position: 'behind', blocks: 4 });
  });
  it('a tip off the best chain is on another branch, with the fork height', () => {
    expect(tipPosition(b3, a4, known)).toEqual({ position: 'branch', forkHeight: 1 });
    expect(tipPosition(b2, a3, known)).toEqual({ position: 'branch', forkHeight: 1 });
  });
  it('a higher tip that is not the best one is another branch', () => {
    expect(tipPosition(b3, a2, known)).toEqual({ position: 'branch', forkHeight: 1 });
  });
  it('unknown when the blocks in between are not held', () => {
    const partial = new Map([a4, a3].map((x) => [x.hash, x]));
    expect(tipPosition(a1, a4, partial)).toEqual({ position: 'unknown' });
    expect(tipPosition(b2, a4, partial)).toEqual({ position: 'branch', forkHeight: null });
  });
});

describe('a reorg between two tree reads (leftTip)', () => {
  // g ← h1 (an honest block the node announced) and g ← p1 ← p2 (a pool's release that
  // came within milliseconds): the previous read saw the tip at g, the next sees p2.
  const g = b('g', 0, '0', 1);
  const h1 = b('h1', 1, 'g', 2);
  const p1 = b('p1', 1, 'g', 2);
  const p2 = b('p2', 2, 'p1', 3);
  const known = new Map([g, h1, p1, p2].map((x) => [x.hash, x]));
  const after = tree(p2, [
    { ...g, active: true },
    { ...h1, active: false },
    { ...p1, active: true },
    { ...p2, active: true },
  ]);

  it('finds the announced tip the node left, and the reorg from it', () => {
    // The trees alone: g is still active, a plain extension.
    expect(detectReorg('node-1', g.hash, after, known)).toBeNull();
    const left = leftTip([h1.hash], after);
    expect(left).toEqual({ tip: h1.hash, pending: [] });
    expect(detectReorg('node-1', left.tip, after, known)).toMatchObject({
      oldTip: { hash: h1.hash, height: 1 },
      newTip: { hash: p2.hash, height: 2 },
      forkPoint: { hash: g.hash, height: 0 },
      disconnected: [h1.hash],
      connected: [p1.hash, p2.hash],
      reason: 'more-work',
    });
  });

  it('ignores announcements still active and keeps those the tree does not hold yet', () => {
    expect(leftTip([p1.hash, p2.hash], after)).toEqual({ tip: null, pending: [] });
    const x = h('x');
    expect(leftTip([p2.hash, x], after)).toEqual({ tip: null, pending: [x] });
    // Several left: the last announced was the tip.
    const h2 = b('h2', 2, 'h1', 3);
    const t = tree(p2, [
      { ...g, active: true },
      { ...h1, active: false },
      { ...h2, active: false },
      { ...p1, active: true },
      { ...p2, active: true },
    ]);
    expect(leftTip([h1.hash, h2.hash], t).tip).toBe(h2.hash);
  });
});
