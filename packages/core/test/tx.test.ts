import { describe, expect, it } from 'vitest';
import {
  blockSubsidy,
  checkTxContext,
  checkTxSignature,
  createCoinbase,
  decodeTx,
  encodeTx,
  encodeTxForSigning,
  formatCoins,
  MAX_U128,
  parseCoins,
  parseTx,
  recoverTxSender,
  signTx,
  txHash,
  txid,
  txSize,
  txToJson,
  verifyTx,
} from '../src/tx.js';
import { SignatureCache } from '../src/sig-cache.js';
import { privateKeyToAddress, privateKeyToPublicKey } from '../src/address.js';
import { secp } from '../src/secp.js';
import { fromHex, toHex } from '../src/bytes.js';
import { hashToDisplay } from '../src/hash.js';
import { RuleError } from '../src/errors.js';
import type { TransferTx, Tx } from '../src/types.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof RuleError ? e.code : `not a RuleError: ${String(e)}`;
  }
  return undefined;
}

const KEY1 = '0x' + '0'.repeat(63) + '1';
const KEY2 = '0x' + '0'.repeat(63) + '2';
const ADDR1 = '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf';
const TO = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

// Pinned vector (for docs/protocol.md). Cross-checked against @noble/curves and
// node:crypto SHA-256 independently of this code.
const VECTOR = {
  unsigned: { to: TO, amount: 1_500_000n, fee: 1_000n, nonce: 7, chainId: 1337 },
  signingBytes:
    '0x01' + // type: transfer
    '00000539' + // chainId 1337
    '0000000000000007' + // nonce 7
    '7e5f4552091a69125d5dfcb7b8c2659029395bdf' + // from (key 1)
    '5aaeb6053f3e94c9b9a09f33669435e7ef1beaed' + // to
    '0000000000000000000000000016e360' + // amount 1500000
    '000000000000000000000000000003e8', // fee 1000
  txid: '0x583bcf04831c28f6bf3d55f30b3e3d4013e76348f974bf30cda68a842288b708',
  sig:
    '0x10e7bac6759c9a25fcffaad38bce05bae1f9f021460989851e218f2581c2eb0b' + // r
    '53f7359ccc938cd9f06b4d39fb9be6d540f4de91c00aeeae9ef5a549a8954888' + // s
    '00', // v
};

const COINBASE_VECTOR = {
  signingBytes:
    '0x00' + // type: coinbase
    '00000539' + // chainId 1337
    '000000000000002a' + // nonce = height 42
    '0000000000000000000000000000000000000000' + // from: zero
    '5aaeb6053f3e94c9b9a09f33669435e7ef1beaed' + // to
    '0000000000000002b5e3af16b1880000' + // amount 50 × 10^18
    '00000000000000000000000000000000', // fee 0
  txid: '0xa53f652868566bbdf0112be8fe1093882609bae0c4920b00d1bdf85ac0f2e945',
};

const signed = signTx(VECTOR.unsigned, KEY1);

describe('pinned test vectors', () => {
  it('transfer from private key 1: signing bytes, txid, signature', () => {
    expect(signed.from).toBe(ADDR1);
    expect(toHex(encodeTxForSigning(signed))).toBe(VECTOR.signingBytes);
    expect(txid(signed)).toBe(VECTOR.txid);
    expect(hashToDisplay(txHash(signed))).toBe(VECTOR.txid);
    expect(signed.sig).toBe(VECTOR.sig);
    expect(toHex(encodeTx(signed))).toBe(VECTOR.signingBytes + VECTOR.sig.slice(2));
    expect(encodeTx(signed).length).toBe(150);
    expect(txSize(signed)).toBe(150);
  });

  it('coinbase: signing bytes and txid; no signature on the wire', () => {
    const cb = createCoinbase(TO.toLowerCase(), 50n * 10n ** 18n, 42, 1337);
    expect(cb).toEqual({
      kind: 'coinbase',
      from: null,
      to: TO,
      amount: 50n * 10n ** 18n,
      fee: 0n,
      nonce: 42,
      chainId: 1337,
      sig: null,
    });
    expect(toHex(encodeTxForSigning(cb))).toBe(COINBASE_VECTOR.signingBytes);
    expect(toHex(encodeTx(cb))).toBe(COINBASE_VECTOR.signingBytes);
    expect(txid(cb)).toBe(COINBASE_VECTOR.txid);
    expect(txSize(cb)).toBe(85);
  });

  it('signing is deterministic (RFC6979) and the txid ignores the signature', () => {
    expect(signTx(VECTOR.unsigned, KEY1)).toEqual(signed);
    const otherSig = { ...signed, sig: '0x' + '11'.repeat(65) };
    expect(txid(otherSig)).toBe(txid(signed));
  });
});

describe('sign / verify', () => {
  it('round trip', () => {
    expect(verifyTx(signed)).toBe(true);
    expect(recoverTxSender(signed)).toBe(ADDR1);
    expect(() => checkTxSignature(signed)).not.toThrow();
    const tx2 = signTx({ to: ADDR1, amount: 1n, fee: 0n, nonce: 0, chainId: 1 }, KEY2);
    expect(tx2.from).toBe(privateKeyToAddress(KEY2));
    expect(verifyTx(tx2)).toBe(true);
  });

  it.each<[string, Partial<TransferTx>]>([
    ['amount', { amount: 1_500_001n }],
    ['fee', { fee: 999n }],
    ['nonce', { nonce: 8 }],
    ['chainId', { chainId: 1338 }],
    ['to', { to: ADDR1 }],
    ['from', { from: privateKeyToAddress(KEY2) }],
  ])('a tampered %s invalidates the signature', (_field, change) => {
    const tampered = { ...signed, ...change };
    expect(verifyTx(tampered)).toBe(false);
    expect(codeOf(() => checkTxSignature(tampered))).toBe('INVALID_SIGNATURE');
  });

  it('rejects the high-S twin of a valid signature', () => {
    const sig = fromHex(signed.sig, 65);
    const s = BigInt(toHex(sig.subarray(32, 64)));
    const highS = (N - s).toString(16).padStart(64, '0');
    // (r, n−s) with the flipped recovery id is mathematically valid for the same key.
    const twin = {
      ...signed,
      sig: toHex(sig.subarray(0, 32)) + highS + (sig[64] === 0 ? '01' : '00'),
    };
    // The twin really is a valid signature when malleable sigs are allowed…
    const compact = fromHex(twin.sig, 65).subarray(0, 64);
    const pub = privateKeyToPublicKey(KEY1);
    expect(secp.verify(compact, txHash(signed), pub, { prehash: false, lowS: false })).toBe(true);
    // …and chainlab refuses it.
    expect(verifyTx(twin)).toBe(false);
    expect(recoverTxSender(twin)).toBe(null);
    expect(codeOf(() => checkTxSignature(twin))).toBe('INVALID_SIGNATURE');
  });

  it.each([
    ['the other recovery id', VECTOR.sig.slice(0, -2) + '01'],
    ['recovery id 2', VECTOR.sig.slice(0, -2) + '02'],
    ['recovery id 27 (Ethereum legacy v)', VECTOR.sig.slice(0, -2) + '1b'],
    ['r = 0', '0x' + '00'.repeat(32) + VECTOR.sig.slice(66)],
    ['s = 0', VECTOR.sig.slice(0, 66) + '00'.repeat(32) + '00'],
    ['64 bytes', VECTOR.sig.slice(0, -2)],
    ['not hex', '0x' + 'zz'.repeat(65)],
  ])('rejects a signature with %s', (_name, sig) => {
    expect(verifyTx({ ...signed, sig })).toBe(false);
  });

  it('a coinbase has no signature to verify', () => {
    const cb = createCoinbase(TO, 1n, 1, 1337);
    expect(verifyTx(cb)).toBe(false);
    expect(codeOf(() => checkTxSignature(cb))).toBe('INVALID_SIGNATURE');
  });

  it('signTx validates what it signs', () => {
    expect(codeOf(() => signTx({ ...VECTOR.unsigned, amount: 0n }, KEY1))).toBe(
      'AMOUNT_OUT_OF_RANGE',
    );
    expect(codeOf(() => signTx({ ...VECTOR.unsigned, fee: -1n }, KEY1))).toBe(
      'AMOUNT_OUT_OF_RANGE',
    );
    expect(
      codeOf(() =>
        signTx({ ...VECTOR.unsigned, to: '0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed' }, KEY1),
      ),
    ).toBe('INVALID_ADDRESS');
    expect(codeOf(() => signTx({ ...VECTOR.unsigned, nonce: -1 }, KEY1))).toBe('MALFORMED_TX');
    expect(codeOf(() => signTx({ ...VECTOR.unsigned, chainId: 2 ** 32 }, KEY1))).toBe(
      'MALFORMED_TX',
    );
    expect(codeOf(() => signTx({ ...VECTOR.unsigned, from: TO }, KEY1))).toBe('INVALID_SIGNATURE');
    expect(codeOf(() => signTx(VECTOR.unsigned, '0x00'))).toBe('INVALID_PRIVATE_KEY');
    expect(signTx({ ...VECTOR.unsigned, from: ADDR1.toLowerCase() }, KEY1)).toEqual(signed);
  });
});

describe('signature cache', () => {
  it('verifies each (txid, sig) once', () => {
    const cache = new SignatureCache(10);
    expect(verifyTx(signed, cache)).toBe(true);
    expect(cache.misses).toBe(1);
    expect(verifyTx(signed, cache)).toBe(true);
    expect(cache.hits).toBe(1);
    // Same txid, other sig: a separate entry, verified on its own.
    const bad = { ...signed, sig: VECTOR.sig.slice(0, -2) + '01' };
    expect(verifyTx(bad, cache)).toBe(false);
    expect(verifyTx(bad, cache)).toBe(false);
    expect(cache.size).toBe(2);
    // A tampered field changes the txid, so a cached "valid" cannot leak to it.
    expect(verifyTx({ ...signed, amount: 1n }, cache)).toBe(false);
  });

  it('is bounded and evicts the least recently used entry', () => {
    const cache = new SignatureCache(2);
    cache.set('0xa', '0x1', true);
    cache.set('0xb', '0x1', true);
    expect(cache.get('0xa', '0x1')).toBe(true); // a is now the most recent
    cache.set('0xc', '0x1', true);
    expect(cache.size).toBe(2);
    expect(cache.get('0xb', '0x1')).toBe(undefined);
    expect(cache.get('0xa', '0x1')).toBe(true);
    expect(cache.get('0xc', '0x1')).toBe(true);
    expect(() => new SignatureCache(0)).toThrow(RangeError);
  });
});

describe('context', () => {
  it('WRONG_CHAIN for a tx signed for another chain', () => {
    expect(() => checkTxContext(signed, 1337)).not.toThrow();
    expect(codeOf(() => checkTxContext(signed, 1))).toBe('WRONG_CHAIN');
  });
});

describe('binary codec', () => {
  it('decodeTx inverts encodeTx', () => {
    const cb = createCoinbase(TO, 123n, 9, 1337);
    expect(decodeTx(encodeTx(signed))).toEqual(signed);
    expect(decodeTx(encodeTx(cb))).toEqual(cb);
  });

  it('refuses bad encodings', () => {
    const bytes = encodeTx(signed);
    expect(codeOf(() => decodeTx(bytes.subarray(0, 149)))).toBe('MALFORMED_TX');
    expect(codeOf(() => decodeTx(bytes.subarray(0, 84)))).toBe('MALFORMED_TX');
    const contract = Uint8Array.from(bytes);
    contract[0] = 2;
    expect(codeOf(() => decodeTx(contract))).toBe('TX_NOT_ALLOWED');
    contract[0] = 9;
    expect(codeOf(() => decodeTx(contract))).toBe('MALFORMED_TX');
  });

  it('refuses fields that do not fit their width', () => {
    expect(codeOf(() => encodeTxForSigning({ ...signed, amount: MAX_U128 + 1n }))).toBe(
      'AMOUNT_OUT_OF_RANGE',
    );
    expect(codeOf(() => encodeTxForSigning({ ...signed, amount: -1n }))).toBe(
      'AMOUNT_OUT_OF_RANGE',
    );
    expect(codeOf(() => encodeTxForSigning({ ...signed, nonce: 1.5 }))).toBe('MALFORMED_TX');
    expect(codeOf(() => encodeTxForSigning({ ...signed, chainId: -1 }))).toBe('MALFORMED_TX');
    expect(codeOf(() => encodeTxForSigning({ ...signed, to: '0x12' }))).toBe('INVALID_ADDRESS');
    expect(
      toHex(encodeTxForSigning({ ...signed, amount: MAX_U128 })).slice(2 + 53 * 2, 2 + 69 * 2),
    ).toBe('ff'.repeat(16));
  });
});

describe('JSON codec', () => {
  const json = txToJson(signed);

  it('has exactly the docs/protocol.md fields, in order', () => {
    expect(JSON.stringify(json)).toBe(
      `{"from":"${ADDR1}","to":"${TO}","amount":"1500000","fee":"1000","nonce":7,"chainId":1337,"sig":"${VECTOR.sig}"}`,
    );
    const cb = createCoinbase(TO, 5n, 3, 1337);
    expect(JSON.stringify(txToJson(cb))).toBe(
      `{"from":null,"to":"${TO}","amount":"5","fee":"0","nonce":3,"chainId":1337,"sig":null}`,
    );
  });

  it('round trips transfers and coinbases through JSON text', () => {
    const cb = createCoinbase(TO, MAX_U128, 3, 1337);
    for (const tx of [signed, cb] as Tx[]) {
      const back = parseTx(JSON.parse(JSON.stringify(txToJson(tx))));
      expect(back).toEqual(tx);
      expect(txid(back)).toBe(txid(tx));
    }
  });

  it('normalizes address and sig case', () => {
    const tx = parseTx({
      ...json,
      from: ADDR1.toLowerCase(),
      to: '0x' + TO.slice(2).toUpperCase(),
      sig: VECTOR.sig.toUpperCase().replace('0X', '0x'),
    });
    expect(tx).toEqual(signed);
    expect(verifyTx(tx)).toBe(true);
  });

  it('a coinbase may mint 0 (no subsidy left, no fees)', () => {
    expect(parseTx({ ...txToJson(createCoinbase(TO, 1n, 3, 1337)), amount: '0' }).amount).toBe(0n);
  });

  const { sig: _sig, ...withoutSig } = json;
  const cases: [string, unknown, string][] = [
    ['null', null, 'MALFORMED_TX'],
    ['an array', [json], 'MALFORMED_TX'],
    ['a string', JSON.stringify(json), 'MALFORMED_TX'],
    ['a missing field', withoutSig, 'MALFORMED_TX'],
    ['an extra field', { ...json, data: '0x' }, 'MALFORMED_TX'],
    [
      'a __proto__ field',
      JSON.parse(`{"__proto__":1,${JSON.stringify(json).slice(1)}`),
      'MALFORMED_TX',
    ],
    ['an undefined field', { ...json, fee: undefined }, 'MALFORMED_TX'],
    ['amount as a number', { ...json, amount: 1500000 }, 'MALFORMED_TX'],
    ['amount with an exponent', { ...json, amount: '1e6' }, 'MALFORMED_TX'],
    ['amount with a plus sign', { ...json, amount: '+5' }, 'MALFORMED_TX'],
    ['amount with a leading zero', { ...json, amount: '05' }, 'MALFORMED_TX'],
    ['amount with a fraction', { ...json, amount: '1.5' }, 'MALFORMED_TX'],
    ['amount with spaces', { ...json, amount: ' 5' }, 'MALFORMED_TX'],
    ['amount empty', { ...json, amount: '' }, 'MALFORMED_TX'],
    ['amount hex', { ...json, amount: '0x10' }, 'MALFORMED_TX'],
    ['amount "-0"', { ...json, amount: '-0' }, 'MALFORMED_TX'],
    ['amount 0', { ...json, amount: '0' }, 'AMOUNT_OUT_OF_RANGE'],
    ['a negative amount', { ...json, amount: '-5' }, 'AMOUNT_OUT_OF_RANGE'],
    ['amount 2^128', { ...json, amount: (MAX_U128 + 1n).toString() }, 'AMOUNT_OUT_OF_RANGE'],
    ['a huge amount', { ...json, amount: '9'.repeat(5000) }, 'AMOUNT_OUT_OF_RANGE'],
    ['a negative fee', { ...json, fee: '-1' }, 'AMOUNT_OUT_OF_RANGE'],
    ['fee 2^128', { ...json, fee: (MAX_U128 + 1n).toString() }, 'AMOUNT_OUT_OF_RANGE'],
    ['fee as a number', { ...json, fee: 1000 }, 'MALFORMED_TX'],
    ['nonce as a string', { ...json, nonce: '7' }, 'MALFORMED_TX'],
    ['a negative nonce', { ...json, nonce: -1 }, 'MALFORMED_TX'],
    ['a fractional nonce', { ...json, nonce: 1.5 }, 'MALFORMED_TX'],
    ['nonce 2^53', { ...json, nonce: 2 ** 53 }, 'MALFORMED_TX'],
    ['chainId 2^32', { ...json, chainId: 2 ** 32 }, 'MALFORMED_TX'],
    ['chainId as a string', { ...json, chainId: '1337' }, 'MALFORMED_TX'],
    ['from null with a sig', { ...json, from: null }, 'MALFORMED_TX'],
    ['sig null with a from', { ...json, sig: null }, 'MALFORMED_TX'],
    ['from as a number', { ...json, from: 5 }, 'MALFORMED_TX'],
    ['to null', { ...json, to: null }, 'MALFORMED_TX'],
    ['a short sig', { ...json, sig: VECTOR.sig.slice(0, -2) }, 'MALFORMED_TX'],
    ['a sig without 0x', { ...json, sig: VECTOR.sig.slice(2) }, 'MALFORMED_TX'],
    [
      'a bad checksum in to',
      { ...json, to: '0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed' },
      'INVALID_ADDRESS',
    ],
    [
      'a bad checksum in from',
      { ...json, from: '0x7e5F4552091A69125d5DfCb7b8C2659029395Bdf' },
      'INVALID_ADDRESS',
    ],
    ['a short to', { ...json, to: '0x1234' }, 'INVALID_ADDRESS'],
    [
      'a coinbase with a fee',
      { ...txToJson(createCoinbase(TO, 1n, 3, 1337)), fee: '1' },
      'MALFORMED_TX',
    ],
  ];
  it.each(cases)('rejects %s', (_name, input, code) => {
    expect(codeOf(() => parseTx(input))).toBe(code);
  });

  it('enforces maxAmount on transfer amount and fee', () => {
    const opts = { maxAmount: 1_000_000n };
    expect(codeOf(() => parseTx(json, opts))).toBe('AMOUNT_OUT_OF_RANGE');
    expect(parseTx({ ...json, amount: '1000000' }, opts).amount).toBe(1_000_000n);
    expect(codeOf(() => parseTx({ ...json, amount: '1', fee: '1000001' }, opts))).toBe(
      'AMOUNT_OUT_OF_RANGE',
    );
  });

  it('parsing never verifies: a parsed tampered tx fails verifyTx', () => {
    const tx = parseTx({ ...json, amount: '2' });
    expect(verifyTx(tx)).toBe(false);
  });
});

describe('coins', () => {
  it.each([
    ['1.5', 18, 1_500_000_000_000_000_000n],
    ['0', 18, 0n],
    ['0.000000000000000001', 18, 1n],
    ['12', 0, 12n],
    ['1.50', 2, 150n],
    ['340282366920938463463.374607431768211455', 18, MAX_U128],
  ])('parseCoins(%s, %i) = %s', (text, decimals, units) => {
    expect(parseCoins(text, decimals)).toBe(units);
  });

  it.each([
    '',
    '.5',
    '5.',
    '01',
    '-1',
    '+1',
    '1e3',
    '1,5',
    ' 1',
    '0x10',
    '1.0000000000000000001',
    'NaN',
  ])('parseCoins refuses %j', (text) => {
    expect(codeOf(() => parseCoins(text, 18))).toBe('AMOUNT_OUT_OF_RANGE');
  });

  it.each([
    [1_500_000_000_000_000_000n, 18, '1.5'],
    [0n, 18, '0'],
    [1n, 18, '0.000000000000000001'],
    [10n ** 18n * 12n, 18, '12'],
    [150n, 2, '1.5'],
    [7n, 0, '7'],
    [-150n, 2, '-1.5'],
    [MAX_U128, 18, '340282366920938463463.374607431768211455'],
  ])('formatCoins(%s, %i) = %s', (units, decimals, text) => {
    expect(formatCoins(units, decimals)).toBe(text);
    if (units >= 0n) expect(parseCoins(text, decimals)).toBe(units);
  });

  it('blockSubsidy halves every interval, never with interval 0, and ends after 64 halvings', () => {
    const spec = { blockReward: 50n * 10n ** 8n, halvingIntervalBlocks: 210_000 };
    expect(blockSubsidy(0, spec)).toBe(5_000_000_000n);
    expect(blockSubsidy(209_999, spec)).toBe(5_000_000_000n);
    expect(blockSubsidy(210_000, spec)).toBe(2_500_000_000n);
    expect(blockSubsidy(420_000, spec)).toBe(1_250_000_000n);
    expect(blockSubsidy(210_000 * 33, spec)).toBe(0n); // 50 BTC in satoshis runs out after 33
    expect(blockSubsidy(3, { blockReward: MAX_U128, halvingIntervalBlocks: 1 })).toBe(
      MAX_U128 >> 3n,
    );
    expect(blockSubsidy(63, { blockReward: MAX_U128, halvingIntervalBlocks: 1 })).toBe(
      MAX_U128 >> 63n,
    );
    expect(blockSubsidy(64, { blockReward: MAX_U128, halvingIntervalBlocks: 1 })).toBe(0n);
    expect(blockSubsidy(10 ** 9, { blockReward: 7n, halvingIntervalBlocks: 0 })).toBe(7n);
  });
});
