import { describe, expect, it } from 'vitest';
import { merkleRoot, merkleRootBytes } from '../src/merkle.js';
import { sha256d, hashToDisplay } from '../src/hash.js';
import { concatBytes } from '../src/bytes.js';
import { BITCOIN_HEADERS, BLOCK_170_TXIDS } from './bitcoin-vectors.js';

describe('merkle root', () => {
  it('of Bitcoin block 170 matches its header', () => {
    expect(merkleRoot(BLOCK_170_TXIDS)).toBe(
      BITCOIN_HEADERS.find((b) => b.height === 170)!.header.merkleRoot,
    );
  });

  it('of a single item is the item itself (Bitcoin blocks 1 and 2: coinbase only)', () => {
    expect(merkleRoot(['0x0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098'])).toBe(
      '0x0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098',
    );
  });

  it('duplicates the last item of an odd level', () => {
    const [a, b, c] = [1, 2, 3].map((i) => sha256d(Uint8Array.of(i)));
    const ab = sha256d(concatBytes(a!, b!));
    const cc = sha256d(concatBytes(c!, c!));
    expect(hashToDisplay(merkleRootBytes([a!, b!, c!]))).toBe(
      hashToDisplay(sha256d(concatBytes(ab, cc))),
    );
  });
});
