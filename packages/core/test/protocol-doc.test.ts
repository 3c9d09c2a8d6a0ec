// docs/protocol.md carries test vectors; this recomputes every one of them from the code,
// so the document and the implementation cannot drift apart.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  blockToJson,
  dataItemHash,
  encodeHeader,
  encodeTxForSigning,
  genesisBlock,
  hashHeader,
  hashToDisplay,
  headerWork,
  loadSpec,
  merkleRoot,
  privateKeyToAddress,
  devPrivateKey,
  signTx,
  toHex,
  txid,
  txToJson,
  contractAddress,
} from '../src/index.js';
import { BITCOIN_HEADERS, BLOCK_170_TXIDS } from './bitcoin-vectors.js';

const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');

function vectors(): Map<string, string> {
  const out = new Map<string, string>();
  const re = /<!-- vector: ([a-z0-9-]+) -->\s*```[a-z]*\n([\s\S]*?)\n```/g;
  // wire-* vectors (§10) are the wire package's: packages/wire/test/protocol-doc.test.ts.
  for (const m of doc.matchAll(re)) if (!m[1]!.startsWith('wire-')) out.set(m[1]!, m[2]!.trim());
  return out;
}

const KEY_1 = '0x' + '0'.repeat(63) + '1';
const exampleTx = signTx(
  {
    to: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    amount: 1500000n,
    fee: 1000n,
    nonce: 7,
    chainId: 1337,
  },
  KEY_1,
);

// Level 3: a call of Counter.increment() (selector 0xd09de08a) with 5 base units attached.
const exampleContractTx = signTx(
  {
    kind: 'contract',
    to: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    data: '0xd09de08a',
    amount: 5n,
    nonce: 3,
    chainId: 1339,
    gasLimit: 50000n,
    gasPrice: 1000000000n,
  },
  KEY_1,
);

const computed: Record<string, () => string> = {
  'bitcoin-genesis-header': () => toHex(encodeHeader(BITCOIN_HEADERS[0]!.header)),
  'bitcoin-genesis-hash': () => hashHeader(encodeHeader(BITCOIN_HEADERS[0]!.header)),
  'work-1d00ffff': () => headerWork(0x1d00ffff).toString(),
  'merkle-170': () => merkleRoot(BLOCK_170_TXIDS),
  'data-item-hello': () => hashToDisplay(dataItemHash('hello')),
  'address-key-1': () => privateKeyToAddress(KEY_1),
  'tx-signing-bytes': () => toHex(encodeTxForSigning(exampleTx)),
  'tx-txid': () => txid(exampleTx),
  'tx-sig': () => exampleTx.sig,
  'genesis-devnet': () => genesisBlock(loadSpec('devnet')).hash,
  'genesis-devnet-data': () => genesisBlock(loadSpec('devnet-data')).hash,
  'genesis-devnet-data-json': () =>
    JSON.stringify(blockToJson(genesisBlock(loadSpec('devnet-data')))),
  'dev-account-0': () => privateKeyToAddress(devPrivateKey(0)),
  'contract-tx-signing-bytes': () => toHex(encodeTxForSigning(exampleContractTx)),
  'contract-tx-txid': () => txid(exampleContractTx),
  'contract-tx-sig': () => exampleContractTx.sig,
  'contract-tx-json': () => JSON.stringify(txToJson(exampleContractTx)),
  'create-address-key-1-nonce-0': () => contractAddress(privateKeyToAddress(KEY_1), 0),
};

describe('docs/protocol.md test vectors', () => {
  const found = vectors();
  it('has every vector the code computes, and no unknown ones', () => {
    expect([...found.keys()].sort()).toEqual(Object.keys(computed).sort());
  });
  it.each(Object.entries(computed))('%s matches the code', (name, compute) => {
    expect(found.get(name)).toBe(compute());
  });
});
