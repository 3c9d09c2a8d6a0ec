// Arbitrary blocks of every level for the round-trip properties. Structure only: the
// codec must carry any well-formed block, valid or not under the chain's rules (a receiver
// decodes first and judges after), so signatures and merkle roots are random bytes.
import fc from 'fast-check';
import {
  MAX_U128,
  addressFromBytes,
  blockHash,
  loadSpec,
  toHex,
  type Block,
  type ChainSpec,
  type Header,
  type Tx,
} from '@chainlab/core';

export const specs: Record<1 | 2 | 3, ChainSpec> = {
  1: loadSpec('devnet-data'),
  2: loadSpec('devnet'),
  3: loadSpec('devnet-contracts'),
};

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const hex = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((b) => toHex(b));
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map(addressFromBytes);

export const header: fc.Arbitrary<Header> = fc.record({
  version: u32,
  prevHash: hex(32, 32),
  merkleRoot: hex(32, 32),
  time: u32,
  bits: u32,
  nonce: u32,
});

function block(payload: fc.Arbitrary<{ data: string[] } | { txs: Tx[] }>): fc.Arbitrary<Block> {
  return fc
    .tuple(header, u32, payload)
    .map(([h, height, p]) => ({ hash: blockHash(h), height, header: h, ...p }) as Block);
}

export const dataBlock = block(
  fc.record({ data: fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { maxLength: 6 }) }),
);

const coinbase = (withRoot: boolean): fc.Arbitrary<Tx> =>
  fc.record({
    kind: fc.constant('coinbase' as const),
    from: fc.constant(null),
    to: address,
    amount: fc.bigInt(0n, MAX_U128),
    fee: fc.constant(0n as const),
    nonce: fc.maxSafeNat(),
    chainId: u32,
    sig: fc.constant(null),
    ...(withRoot ? { data: hex(32, 32) } : {}),
  });

const transfer = (maxAmount: bigint): fc.Arbitrary<Tx> =>
  fc.record({
    kind: fc.constant('transfer' as const),
    from: address,
    to: address,
    amount: fc.bigInt(1n, maxAmount),
    fee: fc.bigInt(0n, maxAmount),
    nonce: fc.maxSafeNat(),
    chainId: u32,
    sig: hex(65, 65),
  });

const contract = (maxAmount: bigint): fc.Arbitrary<Tx> =>
  fc.record({
    kind: fc.constant('contract' as const),
    from: address,
    to: fc.option(address, { nil: null }),
    amount: fc.bigInt(0n, maxAmount),
    fee: fc.constant(0n as const),
    nonce: fc.maxSafeNat(),
    chainId: u32,
    sig: hex(65, 65),
    data: hex(0, 64),
    gasLimit: fc.bigInt(0n, (1n << 64n) - 1n),
    gasPrice: fc.bigInt(0n, MAX_U128),
  });

export const ledgerBlock = block(
  fc
    .tuple(coinbase(false), fc.array(transfer(specs[2].maxAmount), { maxLength: 4 }))
    .map(([cb, txs]) => ({ txs: [cb, ...txs] })),
);

/** Level 3: a root-carrying coinbase, then transfers, contract txs and the given Ethereum txs. */
export function contractsBlock(ethTxs: Tx[]): fc.Arbitrary<Block> {
  const max = specs[3].maxAmount;
  return block(
    fc
      .tuple(
        coinbase(true),
        fc.array(fc.oneof(transfer(max), contract(max), fc.constantFrom(...ethTxs)), {
          maxLength: 5,
        }),
      )
      .map(([cb, txs]) => ({ txs: [cb, ...txs] })),
  );
}
