// Level-3 contract txs in core: the type-2 encoding, JSON, signatures, the coinbase's state
// root, the context-free gas rules, the CREATE address, and block sanity at level 3.
import { describe, expect, it } from 'vitest';
import {
  checkTxSignature,
  createCoinbase,
  decodeTx,
  encodeTx,
  encodeTxForSigning,
  parseTx,
  signTx,
  txSize,
  txToJson,
  verifyTx,
} from '../src/tx.js';
import { checkContractTx, contractAddress, intrinsicGas, upfrontCost } from '../src/contract-tx.js';
import { assembleBlock, blockToJson, checkBlockSanity, parseBlock } from '../src/block.js';
import { solveBlock } from '../src/builder.js';
import { loadSpec } from '../src/spec.js';
import { RuleError } from '../src/errors.js';
import { toHex } from '../src/bytes.js';
import type { Tx } from '../src/types.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof RuleError ? e.code : `not a RuleError: ${String(e)}`;
  }
  return undefined;
}

const KEY1 = '0x' + '0'.repeat(63) + '1';
const FROM = '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf';
const TO = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
const ROOT = '0x' + 'ab'.repeat(32);

const call = signTx(
  {
    kind: 'contract',
    to: TO,
    data: '0xd09de08a',
    amount: 5n,
    nonce: 3,
    chainId: 1339,
    gasLimit: 50_000n,
    gasPrice: 10n ** 9n,
  },
  KEY1,
);
const deploy = signTx(
  {
    kind: 'contract',
    to: null,
    data: '0x6080604052',
    amount: 0n,
    nonce: 0,
    chainId: 1339,
    gasLimit: 100_000n,
    gasPrice: 0n,
  },
  KEY1,
);

describe('contract tx encoding (type 2)', () => {
  it('extends the level-2 layout: head, toPresent, gasLimit, gasPrice, data length, data', () => {
    const bytes = encodeTxForSigning(call);
    expect(bytes.length).toBe(85 + 1 + 8 + 16 + 4 + 4);
    expect(bytes[0]).toBe(2);
    expect(toHex(bytes.subarray(33, 53))).toBe(TO.toLowerCase());
    expect(bytes[85]).toBe(1);
    expect(toHex(bytes.subarray(110, 114))).toBe('0x00000004');
    expect(toHex(bytes.subarray(114))).toBe('0xd09de08a');
    const d = encodeTxForSigning(deploy);
    expect(d[85]).toBe(0);
    expect(d.subarray(33, 53).every((b) => b === 0)).toBe(true);
    expect(txSize(call)).toBe(encodeTx(call).length);
    expect(txSize(deploy)).toBe(encodeTx(deploy).length);
  });

  it('decodes back at level 3 only', () => {
    for (const tx of [call, deploy]) {
      expect(decodeTx(encodeTx(tx), { level: 3 })).toEqual(tx);
      expect(codeOf(() => decodeTx(encodeTx(tx)))).toBe('TX_NOT_ALLOWED');
    }
    const bytes = encodeTx(call);
    expect(codeOf(() => decodeTx(bytes.subarray(0, bytes.length - 1), { level: 3 }))).toBe(
      'MALFORMED_TX',
    );
    const badFlag = Uint8Array.from(bytes);
    badFlag[85] = 2;
    expect(codeOf(() => decodeTx(badFlag, { level: 3 }))).toBe('MALFORMED_TX');
  });

  it('is signed like a transfer: the txid covers data and gas, the sig recovers `from`', () => {
    expect(call.from).toBe(FROM);
    expect(verifyTx(call)).toBe(true);
    expect(verifyTx({ ...call, data: '0xd09de08b' })).toBe(false);
    expect(verifyTx({ ...call, gasPrice: 1n })).toBe(false);
    expect(verifyTx({ ...call, to: null })).toBe(false);
    expect(() => checkTxSignature(deploy)).not.toThrow();
  });

  it('refuses a fee (gas pays) and out-of-range gas fields', () => {
    expect(
      codeOf(() =>
        signTx(
          {
            kind: 'contract',
            to: TO,
            data: '0x',
            amount: 0n,
            nonce: 0,
            chainId: 1,
            gasLimit: 1n << 64n,
            gasPrice: 0n,
          },
          KEY1,
        ),
      ),
    ).toBe('GAS_LIMIT');
    expect(
      codeOf(() =>
        signTx(
          {
            kind: 'contract',
            to: TO,
            data: '0x',
            amount: 0n,
            nonce: 0,
            chainId: 1,
            gasLimit: 21_000n,
            gasPrice: 1n << 128n,
          },
          KEY1,
        ),
      ),
    ).toBe('AMOUNT_OUT_OF_RANGE');
    expect(
      codeOf(() =>
        signTx(
          {
            kind: 'contract',
            to: TO,
            data: '0x1',
            amount: 0n,
            nonce: 0,
            chainId: 1,
            gasLimit: 21_000n,
            gasPrice: 0n,
          },
          KEY1,
        ),
      ),
    ).toBe('MALFORMED_TX');
    expect(codeOf(() => parseTx({ ...txToJson(call), fee: '1' }, { level: 3 }))).toBe(
      'MALFORMED_TX',
    );
  });
});

describe('contract tx JSON (docs/protocol.md: level 3 adds data, gasLimit, gasPrice; to null deploys)', () => {
  it('round-trips at level 3', () => {
    const json = txToJson(call);
    expect(json).toEqual({
      from: FROM,
      to: TO,
      amount: '5',
      fee: '0',
      nonce: 3,
      chainId: 1339,
      sig: call.sig,
      data: '0xd09de08a',
      gasLimit: '50000',
      gasPrice: '1000000000',
    });
    expect(parseTx(json, { level: 3 })).toEqual(call);
    expect(parseTx(txToJson(deploy), { level: 3 })).toEqual(deploy);
    expect(txToJson(deploy).to).toBeNull();
  });

  it('is TX_NOT_ALLOWED below level 3; half a contract shape is malformed', () => {
    expect(codeOf(() => parseTx(txToJson(call)))).toBe('TX_NOT_ALLOWED');
    const { gasPrice: _drop, ...partial } = txToJson(call);
    expect(codeOf(() => parseTx(partial, { level: 3 }))).toBe('MALFORMED_TX');
    expect(codeOf(() => parseTx({ ...txToJson(call), data: 'd09d' }, { level: 3 }))).toBe(
      'MALFORMED_TX',
    );
    expect(
      codeOf(() => parseTx({ ...txToJson(call), gasLimit: '18446744073709551616' }, { level: 3 })),
    ).toBe('GAS_LIMIT');
    expect(codeOf(() => parseTx({ ...txToJson(call), extra: 1 }, { level: 3 }))).toBe(
      'MALFORMED_TX',
    );
  });

  it('level-2 transfers still parse at level 3', () => {
    const t = signTx({ to: TO, amount: 1n, fee: 1n, nonce: 0, chainId: 1339 }, KEY1);
    expect(parseTx(txToJson(t), { level: 3 })).toEqual(t);
  });
});

describe('the level-3 coinbase carries the state root', () => {
  const cb = createCoinbase(TO, 50n, 7, 1339, ROOT);

  it('in its signing bytes (85 + 32), hence its txid and the merkle root', () => {
    const bytes = encodeTx(cb);
    expect(bytes.length).toBe(117);
    expect(toHex(bytes.subarray(85))).toBe(ROOT);
    expect(decodeTx(bytes, { level: 3 })).toEqual(cb);
    expect(codeOf(() => decodeTx(bytes))).toBe('MALFORMED_TX');
    const json = txToJson(cb);
    expect(json.data).toBe(ROOT);
    expect(parseTx(json, { level: 3 })).toEqual(cb);
    expect(codeOf(() => parseTx(json))).toBe('MALFORMED_TX');
    expect(codeOf(() => createCoinbase(TO, 50n, 7, 1339, '0x1234'))).toBe('MALFORMED_TX');
  });
});

describe('gas rules that need no state', () => {
  it('intrinsic gas: 21000 + 4/16 per zero/non-zero byte; deploys + 32000 + 2 per init-code word', () => {
    expect(intrinsicGas({ to: TO, data: '0x' })).toBe(21_000n);
    expect(intrinsicGas({ to: TO, data: '0x00ff' })).toBe(21_020n);
    expect(intrinsicGas({ to: null, data: '0x' + 'ff'.repeat(33) })).toBe(
      21_000n + 33n * 16n + 32_000n + 2n * 2n,
    );
    expect(upfrontCost(call)).toBe(5n + 50_000n * 10n ** 9n);
  });

  it('checkContractTx: intrinsic ≤ gasLimit ≤ block gas limit; init code ≤ 49152 bytes', () => {
    const spec = { blockGasLimit: 30_000_000n };
    expect(() => checkContractTx(call, spec)).not.toThrow();
    expect(codeOf(() => checkContractTx({ ...call, gasLimit: 21_063n }, spec))).toBe('GAS_LIMIT');
    expect(codeOf(() => checkContractTx({ ...call, gasLimit: 30_000_001n }, spec))).toBe(
      'GAS_LIMIT',
    );
    expect(
      codeOf(() =>
        checkContractTx(
          { ...deploy, data: '0x' + '00'.repeat(49_153), gasLimit: 29_000_000n },
          spec,
        ),
      ),
    ).toBe('MALFORMED_TX');
  });

  it("CREATE addresses are Ethereum's", () => {
    // Widely published: the contracts 0x6ac7…dbf0 creates at nonces 0..3.
    const sender = '0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0';
    expect([0, 1, 2, 3].map((n) => contractAddress(sender, n).toLowerCase())).toEqual([
      '0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d',
      '0x343c43a37d37dff08ae8c4a11544c718abb4fcf8',
      '0xf778b86fa74e846c4f0a1fbd1335fe81c00a0c91',
      '0xfffd933a0bc612844eaf0c6fe3e5b8e9b6c1d19c',
    ]);
  });
});

describe('blocks at level 3', () => {
  const l3 = loadSpec({
    extends: 'devnet-contracts',
    genesis: { bits: 0x207fffff },
    retarget: { rule: 'fixed' },
  });
  const l2 = loadSpec({
    extends: 'devnet',
    genesis: { bits: 0x207fffff },
    retarget: { rule: 'fixed' },
  });
  const fields = {
    height: 1,
    prevHash: '0x' + '00'.repeat(32),
    time: 1767225700,
    bits: 0x207fffff,
  };
  const at = (chainId: number) =>
    signTx(
      {
        kind: 'contract',
        to: TO,
        data: '0x',
        amount: 1n,
        nonce: 0,
        chainId,
        gasLimit: 21_000n,
        gasPrice: 1n,
      },
      KEY1,
    );
  const make = (txs: Tx[]) => solveBlock(assembleBlock(fields, { txs }));

  it('sanity accepts a coinbase with a state root followed by contract txs, and JSON round-trips', () => {
    const block = make([createCoinbase(TO, 1n, 1, l3.chainId, ROOT), at(l3.chainId)]);
    expect(() => checkBlockSanity(block, l3)).not.toThrow();
    expect(parseBlock(JSON.parse(JSON.stringify(blockToJson(block))), l3)).toEqual(block);
  });

  it('level 3 needs the state root; level 2 refuses it and contract txs', () => {
    expect(codeOf(() => checkBlockSanity(make([createCoinbase(TO, 1n, 1, l3.chainId)]), l3))).toBe(
      'BAD_COINBASE',
    );
    expect(
      codeOf(() => checkBlockSanity(make([createCoinbase(TO, 1n, 1, l2.chainId, ROOT)]), l2)),
    ).toBe('BAD_COINBASE');
    expect(
      codeOf(() =>
        checkBlockSanity(make([createCoinbase(TO, 1n, 1, l2.chainId), at(l2.chainId)]), l2),
      ),
    ).toBe('TX_NOT_ALLOWED');
  });

  it('a contract tx above the block gas limit fails sanity (GAS_LIMIT)', () => {
    const tx = signTx(
      {
        kind: 'contract',
        to: TO,
        data: '0x',
        amount: 1n,
        nonce: 0,
        chainId: l3.chainId,
        gasLimit: l3.blockGasLimit + 1n,
        gasPrice: 1n,
      },
      KEY1,
    );
    expect(
      codeOf(() => checkBlockSanity(make([createCoinbase(TO, 1n, 1, l3.chainId, ROOT), tx]), l3)),
    ).toBe('GAS_LIMIT');
  });
});
