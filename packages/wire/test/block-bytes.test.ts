import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { privateKeyToAccount } from 'viem/accounts';
import { blockSize, decodeEthTx, devPrivateKey, type Block, type Tx } from '@chainlab/core';
import { decodeBlockBytes, encodeBlockBytes } from '../src/block-bytes.js';
import { contractsBlock, dataBlock, ledgerBlock, specs } from './fixtures.js';

/** Plain objects: a decoded header is frozen, txs too; the fields are what count. */
const plain = (b: Block) =>
  JSON.parse(JSON.stringify(b, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));

function roundTrips(block: Block, level: 1 | 2 | 3): void {
  const bytes = encodeBlockBytes(block);
  expect(bytes.length).toBe(blockSize(block));
  const back = decodeBlockBytes(bytes, block.height, specs[level]);
  expect(plain(back)).toEqual(plain(block));
  expect(encodeBlockBytes(back)).toEqual(bytes);
}

const ethTxs: Tx[] = [];
beforeAll(async () => {
  // Every Ethereum tx type chainlab takes, signed as Ethereum tools sign them.
  const account = privateKeyToAccount(devPrivateKey(0) as `0x${string}`);
  const common = {
    chainId: 1339,
    nonce: 3,
    to: '0x000000000000000000000000000000000000dEaD',
    value: 5n,
    gas: 21000n,
  } as const;
  const raws = [
    await account.signTransaction({ ...common, type: 'legacy', gasPrice: 10n ** 9n }),
    await account.signTransaction({
      ...common,
      type: 'eip2930',
      gasPrice: 10n ** 9n,
      accessList: [],
    }),
    await account.signTransaction({
      ...common,
      type: 'eip1559',
      maxFeePerGas: 10n ** 9n,
      maxPriorityFeePerGas: 1000n,
      data: '0xd09de08a',
    }),
  ];
  for (const raw of raws) ethTxs.push(decodeEthTx(raw));
});

describe('canonical block bytes', () => {
  it('level 1: data blocks round-trip, and their length is blockSize (property)', () => {
    fc.assert(
      fc.property(dataBlock, (b) => roundTrips(b, 1)),
      { numRuns: 200 },
    );
  });

  it('level 2: coinbase and transfers round-trip (property)', () => {
    fc.assert(
      fc.property(ledgerBlock, (b) => roundTrips(b, 2)),
      { numRuns: 200 },
    );
  });

  it('level 3: state-root coinbase, contract txs and Ethereum raw txs round-trip (property)', () => {
    expect(ethTxs.map((t) => t.kind === 'contract' && t.eth?.type)).toEqual([0, 1, 2]);
    fc.assert(
      fc.property(contractsBlock(ethTxs), (b) => roundTrips(b, 3)),
      { numRuns: 200 },
    );
  });

  it('keeps a leading byte-order mark of a data item (it is data)', () => {
    fc.assert(
      fc.property(dataBlock, (b) => {
        if (b.height === 0) return;
        roundTrips({ ...b, data: ['\uFEFFbom'] } as Block, 1);
      }),
      { numRuns: 5 },
    );
  });

  it('refuses truncated bytes, trailing bytes and invalid UTF-8', () => {
    fc.assert(
      fc.property(dataBlock, fc.nat(), (b, cut) => {
        const bytes = encodeBlockBytes(b);
        const at = cut % bytes.length;
        expect(() => decodeBlockBytes(bytes.subarray(0, at), 1, specs[1])).toThrow();
        const longer = new Uint8Array(bytes.length + 1);
        longer.set(bytes);
        expect(() => decodeBlockBytes(longer, 1, specs[1])).toThrow(/after the block/);
      }),
      { numRuns: 100 },
    );
    const header = encodeBlockBytes({
      hash: '',
      height: 1,
      header: {
        version: 1,
        prevHash: '0x' + '00'.repeat(32),
        merkleRoot: '0x' + '00'.repeat(32),
        time: 0,
        bits: 0,
        nonce: 0,
      },
      data: [],
    }).subarray(0, 80);
    const bad = new Uint8Array([...header, 1, 2, 0xc3, 0x28]);
    expect(() => decodeBlockBytes(bad, 1, specs[1])).toThrow(/not valid UTF-8/);
  });

  it('decodes txs by the chain’s level: a contract tx is refused below level 3', () => {
    fc.assert(
      fc.property(contractsBlock(ethTxs), (b) => {
        const bytes = encodeBlockBytes(b);
        const txs = (b as { txs: Tx[] }).txs;
        if (txs.length > 1 && txs.slice(1).some((t) => t.kind === 'contract'))
          expect(() => decodeBlockBytes(bytes, b.height, specs[2])).toThrow();
      }),
      { numRuns: 50 },
    );
  });

  it('checks amounts as the JSON codec does (a transfer above maxAmount is refused)', () => {
    fc.assert(
      fc.property(ledgerBlock, (b) => {
        const txs = (b as { txs: Tx[] }).txs;
        if (txs.length < 2) return;
        const over = { ...txs[1]!, amount: specs[2].maxAmount + 1n } as Tx;
        const bytes = encodeBlockBytes({ ...b, txs: [txs[0]!, over] } as Block);
        expect(() => decodeBlockBytes(bytes, b.height, specs[2])).toThrow(/amount/);
      }),
      { numRuns: 20 },
    );
  });
});
