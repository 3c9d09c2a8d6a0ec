// Ethereum-signed txs as level-3 txs: decoding authenticates the sender (recovered from the
// signature) and the JSON view must agree with the raw bytes; a trusted party's sender
// (parseTx's trustSender, a node reading its own mempool's feed) skips only the recovery.
import { describe, expect, it } from 'vitest';
import { Mainnet, createCustomCommon, Hardfork } from '@ethereumjs/common';
import { createFeeMarket1559Tx } from '@ethereumjs/tx';
import {
  decodeEthTx,
  devPrivateKey,
  fromHex,
  parseTx,
  privateKeyToAddress,
  toHex,
  txToJson,
} from '../src/index.js';

const CHAIN_ID = 1339;
const key = devPrivateKey(0);
const other = privateKeyToAddress(devPrivateKey(1));

function signed1559(nonce: number): string {
  const common = createCustomCommon({ chainId: CHAIN_ID }, Mainnet, { hardfork: Hardfork.Prague });
  const tx = createFeeMarket1559Tx(
    {
      chainId: BigInt(CHAIN_ID),
      nonce: BigInt(nonce),
      to: '0x000000000000000000000000000000000000dEaD',
      value: 5n,
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 10n ** 9n,
    },
    { common },
  ).sign(fromHex(key, 32));
  return toHex(tx.serialize());
}

describe('Ethereum txs', () => {
  it('recovers the sender and round-trips through the JSON view', () => {
    const tx = decodeEthTx(signed1559(0));
    expect(tx.from).toBe(privateKeyToAddress(key));
    const back = parseTx(txToJson(tx), { level: 3 });
    expect(txToJson(back)).toEqual(txToJson(tx));
  });

  it('refuses a view whose from is not the signer', () => {
    const json = { ...txToJson(decodeEthTx(signed1559(1))), from: other };
    expect(() => parseTx(json, { level: 3 })).toThrow(/from does not match the raw tx/);
  });

  it('trustSender takes from as given and still checks every other field', () => {
    const tx = decodeEthTx(signed1559(2));
    const trusted = parseTx(txToJson(tx), { level: 3, trustSender: true });
    expect(txToJson(trusted)).toEqual(txToJson(tx));
    // The recovery is what it skips: a wrong sender passes (the trusted party vouches).
    const lie = parseTx({ ...txToJson(tx), from: other }, { level: 3, trustSender: true });
    expect(lie.from).toBe(other);
    // Everything else is still compared with the raw bytes.
    expect(() => parseTx({ ...txToJson(tx), nonce: 9 }, { level: 3, trustSender: true })).toThrow(
      /nonce does not match the raw tx/,
    );
  });
});
