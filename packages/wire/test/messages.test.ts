// The JSON messages of docs/protocol.md §10, exactly as plain JSON peers send them, and the
// binary `blocks` frame negotiated in hello.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { blockToJson, genesisBlock, type Block } from '@chainlab/core';
import {
  BINARY_TAG_BLOCKS,
  CAPABILITY_BINARY_BLOCKS,
  MAX_BLOCKS_PER_MESSAGE,
  blockMessage,
  blocksMessage,
  decodeBlocksBinary,
  encodeBlocksBinary,
  encodeMessage,
  getBlocksMessage,
  hasCapability,
  helloMessage,
  lastBlockHashOfFrame,
  parseMessage,
  readBlock,
  readBlocks,
  WireError,
} from '../src/index.js';
import { dataBlock, ledgerBlock, specs } from './fixtures.js';

const plain = (b: unknown) =>
  JSON.parse(JSON.stringify(b, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
const genesis = genesisBlock(specs[1]);

describe('JSON messages', () => {
  it('parses a plain JSON peer’s hello (no capabilities: no binary for it)', () => {
    const text = `{"type":"hello","chainId":1338,"height":0,"tip":"${genesis.hash}","chainwork":"0x0","url":null}`;
    const hello = parseMessage(text);
    expect(hello).toEqual({
      type: 'hello',
      chainId: 1338,
      height: 0,
      tip: genesis.hash,
      chainwork: '0x0',
      url: null,
    });
    expect(hasCapability(hello.type === 'hello' ? hello : null, CAPABILITY_BINARY_BLOCKS)).toBe(
      false,
    );
  });

  it('round-trips every message through its text frame (property)', () => {
    const hello = fc
      .record({
        chainId: fc.nat(),
        height: fc.nat(),
        tip: fc.constant(genesis.hash),
        chainwork: fc.bigInt(0n, 1n << 200n).map((w) => '0x' + w.toString(16)),
        url: fc.option(fc.webUrl(), { nil: null }),
        capabilities: fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }),
      })
      .map(helloMessage);
    const getblocks = fc
      .tuple(
        fc.array(fc.constant(genesis.hash), { maxLength: 200 }),
        fc.integer({ min: 1, max: 500 }),
      )
      .map(([locator, limit]) => getBlocksMessage(locator, limit));
    const block = dataBlock.map(blockMessage);
    fc.assert(
      fc.property(fc.oneof(hello, getblocks, block), (m) => {
        expect(parseMessage(encodeMessage(m))).toEqual(m);
      }),
    );
  });

  it('says what is wrong with a bad message', () => {
    const reason = (text: string) => {
      try {
        parseMessage(text);
      } catch (e) {
        expect(e).toBeInstanceOf(WireError);
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(reason('{nope')).toBe('malformed JSON');
    expect(reason('[1]')).toBe('message without a type');
    expect(reason('{"type":"inv"}')).toBe('unknown message type "inv"');
    expect(reason('{"type":"blocks","blocks":{}}')).toBe('blocks must be a list');
    expect(reason('{"type":"getblocks","locator":[1]}')).toBe('bad locator');
    expect(reason(`{"type":"getblocks","locator":${JSON.stringify(Array(201).fill('0x'))}}`)).toBe(
      'bad locator',
    );
    expect(reason('{"type":"hello","chainId":1,"chainwork":"zz"}')).toBe('bad chainwork in hello');
    expect(reason('{"type":"hello","chainId":"1","chainwork":"0x0"}')).toMatch(/chainId/);
    expect(reason('{"type":"block"}')).toMatch(/without a block/);
    expect(reason('{"type":"tx"}')).toMatch(/without a tx/);
  });

  it('clamps a getblocks limit and caps a blocks answer, as before', () => {
    const m = parseMessage('{"type":"getblocks","locator":[],"limit":100000}');
    expect(m).toEqual({ type: 'getblocks', locator: [], limit: MAX_BLOCKS_PER_MESSAGE });
    expect(parseMessage('{"type":"getblocks","locator":[]}')).toMatchObject({ limit: 500 });
    const many = parseMessage(JSON.stringify({ type: 'blocks', blocks: Array(600).fill({}) }));
    expect(many.type === 'blocks' && many.blocks.length).toBe(MAX_BLOCKS_PER_MESSAGE);
  });

  it('checks blocks against the receiver’s chain', () => {
    const m = blocksMessage([genesis]);
    expect(m.blocks).toEqual([blockToJson(genesis)]);
    expect(readBlocks(m, specs[1])).toEqual([genesis]);
    expect(() => readBlock(blockMessage(genesis), specs[2])).toThrow(/level-2 block carries/);
  });
});

describe('binary blocks frame', () => {
  it('carries the same blocks as the JSON answer (property)', () => {
    for (const [arb, level] of [
      [dataBlock, 1],
      [ledgerBlock, 2],
    ] as const) {
      fc.assert(
        fc.property(fc.array(arb as fc.Arbitrary<Block>, { maxLength: 8 }), (blocks) => {
          const frame = encodeBlocksBinary(blocks);
          expect(frame[0]).toBe(BINARY_TAG_BLOCKS);
          const back = decodeBlocksBinary(frame, specs[level]).blocks;
          expect(plain(back)).toEqual(plain(blocks));
          expect(plain(back)).toEqual(plain(readBlocks(blocksMessage(blocks), specs[level])));
        }),
        { numRuns: 100 },
      );
    }
  });

  it('refuses any truncation, trailing bytes, an unknown tag and too many blocks', () => {
    fc.assert(
      fc.property(fc.array(dataBlock, { minLength: 1, maxLength: 4 }), fc.nat(), (blocks, cut) => {
        const frame = encodeBlocksBinary(blocks);
        expect(() => decodeBlocksBinary(frame.subarray(0, cut % frame.length), specs[1])).toThrow();
        expect(() => decodeBlocksBinary(Uint8Array.of(...frame, 0), specs[1])).toThrow(
          /after the last block/,
        );
        expect(() => decodeBlocksBinary(Uint8Array.of(2, ...frame.subarray(1)), specs[1])).toThrow(
          /tag 2/,
        );
      }),
      { numRuns: 100 },
    );
    expect(() => decodeBlocksBinary(Uint8Array.of(1, 0xfd, 0xf5, 0x01), specs[1])).toThrow(
      'block count 501 is over 500',
    );
  });

  it('reads the last block’s hash without decoding the frame', () => {
    fc.assert(
      fc.property(fc.array(dataBlock, { maxLength: 5 }), (blocks) => {
        const frame = encodeBlocksBinary(blocks);
        expect(lastBlockHashOfFrame(frame)).toBe(blocks.at(-1)?.hash ?? null);
      }),
      { numRuns: 50 },
    );
    expect(() => lastBlockHashOfFrame(Uint8Array.of(1, 1, 0, 0, 0, 0, 2, 0, 0))).toThrow(WireError);
  });

  it('keeps the count budget of the JSON answer', () => {
    const blocks = Array.from({ length: 600 }, (_, i) => ({ ...genesis, height: i }));
    expect(decodeBlocksBinary(encodeBlocksBinary(blocks), specs[1]).blocks).toHaveLength(500);
    expect(blocksMessage(blocks).blocks).toHaveLength(500);
  });
});
