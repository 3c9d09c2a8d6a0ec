import { describe, expect, it } from 'vitest';
import { blockToJson, genesisBlock, loadSpec } from '@chainlab/core';
import { analyzeBlock, dataItemId, powInfo, type BlockJson } from '../src/analysis.js';
import { resolveChainInfo } from '../src/chain-info.js';

describe('block analysis', () => {
  it('explains the proof of work of Bitcoin’s genesis block', () => {
    const p = powInfo(
      '0x000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
      0x1d00ffff,
      0x1d00ffff,
    )!;
    expect(p.meetsTarget).toBe(true);
    expect(p.hashLeadingZeroBits).toBe(43);
    expect(p.targetLeadingZeroBits).toBe(32);
    expect(p.expectedHashes).toBe('4295032833');
    expect(p.log2ExpectedHashes).toBeCloseTo(32, 2);
    expect(p.difficulty).toBe(1);
    expect(p.hashToTargetRatio).toBeLessThan(1);
    expect(powInfo('0x' + 'ff'.repeat(32), 0x1d00ffff)!.meetsTarget).toBe(false);
  });

  it('decodes a level-2 genesis (allocations as coinbase-form txs) and a level-1 one (data items)', () => {
    const spec = loadSpec('devnet');
    const a = analyzeBlock(
      blockToJson(genesisBlock(spec)) as unknown as BlockJson,
      2,
      spec.powLimitBits,
    );
    expect(a.decodeError).toBeUndefined();
    expect(a.txs!.length).toBe(Object.keys(spec.genesis.allocations).length);
    expect(a.txs!.every((t) => t.kind === 'coinbase' && /^0x[0-9a-f]{64}$/.test(t.txid))).toBe(
      true,
    );
    expect(a.size).toBeGreaterThan(80);
    const data = loadSpec('devnet-data');
    const d = analyzeBlock(
      blockToJson(genesisBlock(data)) as unknown as BlockJson,
      1,
      data.powLimitBits,
    );
    expect(d.items).toEqual([
      {
        index: 0,
        id: dataItemId('chainlab devnet-data genesis'),
        text: 'chainlab devnet-data genesis',
        bytes: 28,
      },
    ]);
    // docs/protocol.md's vector for the item "hello"
    expect(dataItemId('hello')).toBe(
      '0x503d8319a48348cdc610a582f7bf754b5833df65038606eb48510790dfc99595',
    );
  });

  it('reports a payload it cannot decode instead of throwing', () => {
    const a = analyzeBlock(
      {
        hash: '0x' + '00'.repeat(32),
        height: 1,
        header: {
          version: 1,
          prevHash: '0x' + '00'.repeat(32),
          merkleRoot: '0x' + '00'.repeat(32),
          time: 1,
          bits: 0x207fffff,
          nonce: 0,
        },
        txs: [{ bad: 1 }],
      },
      2,
    );
    expect(a.decodeError).toBeTruthy();
    expect(a.pow).not.toBeNull();
  });
});

describe('chain identification', () => {
  it('uses --spec when its chain id matches the nodes, else a built-in of the same chain id', () => {
    expect(resolveChainInfo('devnet', 1337, 'devnet', 2)).toMatchObject({
      specSource: 'flag',
      level: 2,
      coin: { symbol: 'CLC', decimals: 18 },
    });
    expect(resolveChainInfo('devnet', 1338, 'devnet-data', 1)).toMatchObject({
      specSource: 'node',
      level: 1,
      specName: 'devnet-data',
    });
    expect(resolveChainInfo('devnet-data', 1337, 'test-devnet', 2)).toMatchObject({
      specSource: 'builtin-chain-id',
      level: 2,
      specName: 'test-devnet',
    });
    expect(resolveChainInfo('devnet', 4242, 'mine', 2)).toMatchObject({
      specSource: 'none',
      chainId: 4242,
      level: 2,
    });
  });
});
