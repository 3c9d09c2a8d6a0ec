import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Chain } from '../src/chain.js';
import { NoState } from '../src/state-machine.js';
import { withNonce, assembleBlock } from '../src/block.js';
import { blockHash } from '../src/header.js';
import { checkProofOfWork } from '../src/pow.js';
import { blockLocator, findLocatorFork, activeBlocksAfter } from '../src/locator.js';
import type { Block, DataBlock } from '../src/types.js';
import { BlockGenerator, easySpec, NOW } from './chain-gen.js';

const spec = easySpec('devnet-data');

function newChain() {
  return new Chain(spec, new NoState());
}

function rehash(block: Block): Block {
  return { ...block, hash: blockHash(block.header) };
}

/** A block whose hash is above its target (nonces until one fails the check). */
function badPow(block: Block): Block {
  for (let n = 0; ; n++) {
    const b = withNonce(block, n);
    if (!checkProofOfWork(b.hash, b.header.bits)) return b;
  }
}

describe('chain: level 1', () => {
  it('extends the tip and reports the connected blocks', () => {
    const gen = new BlockGenerator(spec);
    const chain = newChain();
    const b1 = gen.next('b1', 'genesis');
    const r = chain.processBlock(b1, { now: NOW });
    expect(r.status).toBe('accepted');
    expect(r.reorg?.connected.map((n) => n.hash)).toEqual([b1.hash]);
    expect(chain.tip.hash).toBe(b1.hash);
    expect(chain.processBlock(b1, { now: NOW }).status).toBe('duplicate');
  });

  it('keeps the first seen of two equal-work tips, then reorgs to the heavier branch', () => {
    const gen = new BlockGenerator(spec);
    const chain = newChain();
    for (const [name, parent] of [
      ['b1', 'genesis'],
      ['b2', 'b1'],
      ['c2', 'b1'],
    ] as const) {
      chain.processBlock(gen.next(name, parent), { now: NOW });
    }
    expect(chain.tip.hash).toBe(gen.block('b2').hash); // equal work: first seen stays
    const r = chain.processBlock(gen.next('c3', 'c2'), { now: NOW });
    expect(chain.tip.hash).toBe(gen.block('c3').hash);
    expect(r.reorg?.disconnected.map((n) => n.hash)).toEqual([gen.block('b2').hash]);
    expect(r.reorg?.connected.map((n) => n.hash)).toEqual([
      gen.block('c2').hash,
      gen.block('c3').hash,
    ]);
    expect(r.reorg?.forkPoint.hash).toBe(gen.block('b1').hash);
    // The losing block stays in the tree, off the active chain.
    const b2 = chain.get(gen.block('b2').hash)!;
    expect(chain.isActive(b2)).toBe(false);
    expect(chain.confirmations(b2)).toBe(0);
    expect(chain.confirmations(chain.get(gen.block('b1').hash)!)).toBe(3);
  });

  it('holds orphans until their parent arrives, then connects them all', () => {
    const gen = new BlockGenerator(spec);
    const chain = newChain();
    const blocks = ['b1', 'b2', 'b3', 'b4'].map((n, i) =>
      gen.next(n, i === 0 ? 'genesis' : `b${i}`),
    );
    for (const b of blocks.slice(1).reverse()) {
      const r = chain.processBlock(b, { now: NOW });
      expect(r.status).toBe('orphan');
      expect(r.missingParent).toBe(b.header.prevHash);
    }
    expect(chain.orphanCount).toBe(3);
    const r = chain.processBlock(blocks[0]!, { now: NOW });
    expect(r.added.map((n) => n.hash)).toEqual(blocks.map((b) => b.hash));
    expect(chain.height).toBe(4);
    expect(chain.orphanCount).toBe(0);
  });

  describe('rejections, one code per rule', () => {
    const gen = new BlockGenerator(spec);
    const b1 = gen.next('b1', 'genesis');
    const cases: [string, () => Block, string][] = [
      ['bad proof of work', () => badPow(gen.next('x1', 'genesis')), 'HIGH_HASH'],
      [
        'bits not what the retarget rule says',
        () =>
          gen.resolve(
            assembleBlock(
              { ...b1.header, height: 1, bits: 0x1f7fffff },
              { data: (b1 as DataBlock).data },
            ),
          ),
        'BAD_DIFFICULTY',
      ],
      // bits are checked before proof of work, so these need no nonce search
      [
        'bits easier than the pow limit',
        () => rehash({ ...b1, header: { ...b1.header, bits: 0x217fffff } }),
        'BAD_BITS',
      ],
      [
        'negative compact target',
        () => rehash({ ...b1, header: { ...b1.header, bits: 0x04923456 } }),
        'BAD_BITS',
      ],
      [
        'time not after median time past',
        () =>
          gen.resolve(
            assembleBlock({ ...b1.header, height: 1, time: spec.genesis.time }, { data: ['x'] }),
          ),
        'TIME_TOO_OLD',
      ],
      [
        'time too far in the future',
        () =>
          gen.resolve(
            assembleBlock(
              { ...b1.header, height: 1, time: NOW + spec.maxFutureDriftSeconds + 1 },
              { data: ['x'] },
            ),
          ),
        'TIME_TOO_NEW',
      ],
      [
        'merkle root does not match the data',
        () => gen.resolve({ ...b1, data: ['tampered'] } as Block),
        'BAD_MERKLE_ROOT',
      ],
      [
        'oversized block',
        () =>
          gen.resolve(
            assembleBlock(
              { ...b1.header, height: 1 },
              { data: Array.from({ length: 300 }, (_, i) => `${i}`.padEnd(4000, 'x')) },
            ),
          ),
        'BLOCK_TOO_LARGE',
      ],
      [
        'data item over 4 KiB',
        () => gen.resolve(assembleBlock({ ...b1.header, height: 1 }, { data: ['x'.repeat(4097)] })),
        'BAD_DATA_ITEM',
      ],
      [
        'duplicate data items (merkle mutation)',
        () => gen.resolve(assembleBlock({ ...b1.header, height: 1 }, { data: ['a', 'a'] })),
        'BAD_DATA_ITEM',
      ],
      [
        'claimed hash differs from the header',
        () => ({ ...b1, hash: blockHash({ ...b1.header, nonce: b1.header.nonce + 1 }) }),
        'MALFORMED_BLOCK',
      ],
      ['wrong height', () => gen.resolve({ ...b1, height: 5 }), 'MALFORMED_BLOCK'],
    ];
    it.each(cases)('%s → %s', (_name, make, code) => {
      const chain = newChain();
      const r = chain.processBlock(make(), { now: NOW });
      expect(r.status).toBe('invalid');
      expect(r.error?.code).toBe(code);
      expect(chain.height).toBe(0);
      // and the valid block still goes through afterwards
      expect(chain.processBlock(b1, { now: NOW }).status).toBe('accepted');
    });
  });

  it('invalidate and reconsider move the tip like Bitcoin Core', () => {
    const gen = new BlockGenerator(spec);
    const chain = newChain();
    for (const [n, p] of [
      ['b1', 'genesis'],
      ['b2', 'b1'],
      ['b3', 'b2'],
      ['c2', 'b1'],
    ] as const)
      chain.processBlock(gen.next(n, p), { now: NOW });
    expect(chain.tip.hash).toBe(gen.block('b3').hash);
    const r = chain.invalidateBlock(gen.block('b2').hash);
    expect(chain.tip.hash).toBe(gen.block('c2').hash);
    expect(r.reorg?.disconnected.map((n) => n.hash)).toEqual([
      gen.block('b3').hash,
      gen.block('b2').hash,
    ]);
    // a child of a block invalidated by hand is kept, flagged, off the active chain...
    const b4 = chain.processBlock(gen.next('b4', 'b3'), { now: NOW });
    expect(b4.error?.code).toBe('INVALID_PARENT');
    expect(chain.get(gen.block('b4').hash)?.status).toBe('invalid-parent');
    expect(chain.tip.hash).toBe(gen.block('c2').hash);
    // ...so reconsidering brings the whole branch back, b4 included
    chain.reconsiderBlock(gen.block('b2').hash);
    expect(chain.tip.hash).toBe(gen.block('b4').hash);
  });

  it('a child of a block that broke a rule is refused, not kept', () => {
    const gen = new BlockGenerator(spec);
    const chain = newChain();
    chain.processBlock(gen.next('b1', 'genesis'), { now: NOW });
    const b2 = chain.processBlock(gen.next('b2', 'b1'), { now: NOW });
    expect(b2.status).toBe('accepted');
    // mark b2 as having failed a rule (what a state failure does), then offer a child
    const node = chain.get(gen.block('b2').hash)!;
    chain.invalidateBlock(node.hash);
    node.failure = { code: 'INSUFFICIENT_FUNDS', message: 'test' };
    const r = chain.processBlock(gen.next('b3', 'b2'), { now: NOW });
    expect(r.error?.code).toBe('INVALID_PARENT');
    expect(chain.get(gen.block('b3').hash)).toBeUndefined();
  });

  it('block locators find the fork point of a peer that is behind or forked', () => {
    const gen = new BlockGenerator(spec);
    const ours = newChain();
    const theirs = newChain();
    let parent = 'genesis';
    for (let i = 1; i <= 40; i++) {
      const b = gen.next(`b${i}`, parent);
      ours.processBlock(b, { now: NOW });
      if (i <= 25) theirs.processBlock(b, { now: NOW });
      parent = `b${i}`;
    }
    theirs.processBlock(gen.next('t26', 'b25'), { now: NOW });
    const locator = blockLocator(theirs);
    expect(locator[0]).toBe(theirs.tip.hash);
    expect(locator.at(-1)).toBe(theirs.genesis.hash);
    const fork = findLocatorFork(ours, locator);
    expect(fork.height).toBe(25);
    expect(activeBlocksAfter(ours, fork, 10).map((n) => n.height)).toEqual([
      26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
    ]);
  });

  it('fork choice picks the max-work tip whatever the arrival order (property)', () => {
    // A random tree of blocks; deliver them in a random order; the tip must have max work.
    const gen = new BlockGenerator(spec);
    const names = ['genesis'];
    const tree = fc.sample(fc.array(fc.nat(), { minLength: 30, maxLength: 30 }), {
      numRuns: 1,
      seed: 42,
    })[0]!;
    tree.forEach((r, i) => {
      const parent = names[r % names.length]!;
      gen.next(`n${i}`, parent);
      names.push(`n${i}`);
    });
    const blocks = names.slice(1).map((n) => gen.block(n));
    const maxHeight = blocks.reduce((m, b) => Math.max(m, b.height), 0);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(blocks, { minLength: blocks.length, maxLength: blocks.length }),
        (order) => {
          const chain = newChain();
          for (const b of order) chain.processBlock(b, { now: NOW });
          // fixed difficulty: work is proportional to height
          expect(chain.height).toBe(maxHeight);
          expect(chain.orphanCount).toBe(0);
        },
      ),
      { numRuns: 50 },
    );
  });
});
