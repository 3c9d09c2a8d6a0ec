// A block hash names a header, not a body: a copy of a known block is a duplicate, but a
// known hash carrying another body (or a lying `hash` field) is checked and refused, and
// the stored block is left as it was (issue 14).
import { describe, expect, it } from 'vitest';
import { Chain, sameBlock } from '../src/chain.js';
import { LedgerMachine } from '../src/ledger-machine.js';
import { NoState } from '../src/state-machine.js';
import { blockToJson, parseBlock } from '../src/block.js';
import { privateKeyToAddress } from '../src/address.js';
import type { Block, TxBlock } from '../src/types.js';
import { BlockGenerator, easySpec, NOW } from './chain-gen.js';

describe('chain: a known hash with another body', () => {
  const dataSpec = easySpec('devnet-data');

  it('a copy of the stored block (parsed again from JSON) is a duplicate', () => {
    const gen = new BlockGenerator(dataSpec);
    const chain = new Chain(dataSpec, new NoState());
    const b1 = gen.next('b1', 'genesis');
    expect(chain.processBlock(b1, { now: NOW }).status).toBe('accepted');
    const copy = parseBlock(JSON.parse(JSON.stringify(blockToJson(b1))), dataSpec);
    expect(copy).not.toBe(b1);
    expect(sameBlock(copy, b1)).toBe(true);
    expect(chain.processBlock(copy, { now: NOW }).status).toBe('duplicate');
  });

  it('level 1: the known header over other data items is invalid, the stored block unchanged', () => {
    const gen = new BlockGenerator(dataSpec);
    const chain = new Chain(dataSpec, new NoState());
    const b1 = gen.next('b1', 'genesis');
    chain.processBlock(b1, { now: NOW });
    const forged = { ...b1, data: ['not', 'what', 'was', 'mined'] } as Block;
    const r = chain.processBlock(forged, { now: NOW });
    expect(r.status).toBe('invalid');
    expect(r.error?.code).toBe('BAD_MERKLE_ROOT');
    expect(r.added).toEqual([]);
    expect(chain.get(b1.hash)!.block).toBe(b1);
    expect(chain.get(b1.hash)!.status).not.toMatch(/invalid/);
    expect(chain.tip.hash).toBe(b1.hash);
  });

  it('a lying hash field (another header under a known hash) is invalid', () => {
    const gen = new BlockGenerator(dataSpec);
    const chain = new Chain(dataSpec, new NoState());
    const b1 = gen.next('b1', 'genesis');
    const c1 = gen.next('c1', 'genesis');
    chain.processBlock(b1, { now: NOW });
    const r = chain.processBlock({ ...c1, hash: b1.hash }, { now: NOW });
    expect(r.status).toBe('invalid');
    expect(r.error?.code).toBe('MALFORMED_BLOCK');
  });

  it('another height under a known header is invalid', () => {
    const gen = new BlockGenerator(dataSpec);
    const chain = new Chain(dataSpec, new NoState());
    const b1 = gen.next('b1', 'genesis');
    chain.processBlock(b1, { now: NOW });
    const r = chain.processBlock({ ...b1, height: 7 }, { now: NOW });
    expect(r.status).toBe('invalid');
    expect(r.error?.code).toBe('MALFORMED_BLOCK');
    expect(r.error?.message).toMatch(/another height/);
  });

  it('level 2: a known header over a body of repeated coinbases is invalid', () => {
    const spec = easySpec('devnet');
    const gen = new BlockGenerator(spec);
    const chain = new Chain(spec, new LedgerMachine(spec));
    const b1 = gen.next('b1', 'genesis', {
      coinbase: privateKeyToAddress(spec.devKeys[0]!),
    }) as TxBlock;
    expect(chain.processBlock(b1, { now: NOW }).status).toBe('accepted');
    const coinbase = b1.txs[0]!;
    const stuffed = { ...b1, txs: Array.from({ length: 5_000 }, () => coinbase) } as TxBlock;
    const r = chain.processBlock(stuffed, { now: NOW });
    expect(r.status).toBe('invalid');
    expect(r.error?.code).toMatch(/MULTIPLE_COINBASE|BLOCK_TOO_LARGE/);
    expect(chain.get(b1.hash)!.block).toBe(b1);
    expect(chain.tip.hash).toBe(b1.hash);
  });

  it('a known orphan with another body is refused too', () => {
    const gen = new BlockGenerator(dataSpec);
    const chain = new Chain(dataSpec, new NoState());
    gen.next('b1', 'genesis');
    const b2 = gen.next('b2', 'b1');
    expect(chain.processBlock(b2, { now: NOW }).status).toBe('orphan');
    expect(chain.processBlock(b2, { now: NOW }).status).toBe('duplicate');
    const r = chain.processBlock({ ...b2, data: ['x'] } as Block, { now: NOW });
    expect(r.status).toBe('invalid');
  });
});
