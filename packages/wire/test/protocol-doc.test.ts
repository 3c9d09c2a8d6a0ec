// docs/protocol.md §10 documents the binary `blocks` frame with a test vector; this
// recomputes it (and decodes it back), so the document and the codec cannot drift apart.
// The other sections' vectors are checked by packages/core/test/protocol-doc.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blockToJson, fromHex, genesisBlock, loadSpec, toHex } from '@chainlab/core';
import { decodeBlocksBinary, encodeBlocksBinary } from '../src/index.js';

const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');

function vectors(): Map<string, string> {
  const out = new Map<string, string>();
  const re = /<!-- vector: (wire-[a-z0-9-]+) -->\s*```[a-z]*\n([\s\S]*?)\n```/g;
  for (const m of doc.matchAll(re)) out.set(m[1]!, m[2]!.trim());
  return out;
}

const spec = loadSpec('devnet-data');
const computed: Record<string, () => string> = {
  'wire-blocks-binary-genesis-devnet-data': () => toHex(encodeBlocksBinary([genesisBlock(spec)])),
};

describe('docs/protocol.md wire vectors', () => {
  const found = vectors();
  it('has every wire vector the code computes, and no unknown ones', () => {
    expect([...found.keys()].sort()).toEqual(Object.keys(computed).sort());
  });
  it.each(Object.entries(computed))('%s matches the code', (name, compute) => {
    expect(found.get(name)).toBe(compute());
  });
  it('the documented frame decodes to the genesis block', () => {
    const frame = fromHex(found.get('wire-blocks-binary-genesis-devnet-data')!);
    expect(decodeBlocksBinary(frame, spec).blocks.map(blockToJson)).toEqual([
      blockToJson(genesisBlock(spec)),
    ]);
  });
});
