import { describe, expect, it } from 'vitest';
import {
  addressFromBytes,
  addressToBytes,
  generatePrivateKey,
  isValidAddress,
  parseAddress,
  privateKeyBytes,
  privateKeyToAddress,
  privateKeyToPublicKey,
  publicKeyToAddress,
  sameAddress,
  toChecksumAddress,
  ZERO_ADDRESS,
} from '../src/address.js';
import { RuleError } from '../src/errors.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof RuleError ? e.code : `not a RuleError: ${String(e)}`;
  }
  return undefined;
}

// The test cases of EIP-55 itself (https://eips.ethereum.org/EIPS/eip-55).
const EIP55 = [
  // all caps
  '0x52908400098527886E0F7030069857D2E4169EE7',
  '0x8617E340B3D01FA5F11F306F4090FD50E238070D',
  // all lower
  '0xde709f2102306220921060314715629080e2fb77',
  '0x27b1fdb04752bbc536007a920d24acb045561c26',
  // normal
  '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
  '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
  '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
  '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
];

function flipFirstLetterCase(address: string): string {
  const i = [...address].findIndex((c, k) => k >= 2 && /[a-fA-F]/.test(c));
  const c = address[i]!;
  const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
  return address.slice(0, i) + flipped + address.slice(i + 1);
}

describe('EIP-55 checksum', () => {
  it.each(EIP55)('%s: checksummed from any case, valid, parsed unchanged', (address) => {
    expect(toChecksumAddress(address.toLowerCase())).toBe(address);
    expect(toChecksumAddress('0x' + address.slice(2).toUpperCase())).toBe(address);
    expect(isValidAddress(address)).toBe(true);
    expect(parseAddress(address)).toBe(address);
  });

  it.each(EIP55.slice(4))('%s: one letter with flipped case is rejected', (address) => {
    const bad = flipFirstLetterCase(address);
    expect(bad).not.toBe(address);
    expect(isValidAddress(bad)).toBe(false);
    expect(codeOf(() => parseAddress(bad))).toBe('INVALID_ADDRESS');
  });

  it('every single flipped letter of a checksummed address is caught', () => {
    const address = '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359';
    for (let i = 2; i < address.length; i++) {
      const c = address[i]!;
      if (!/[a-fA-F]/.test(c)) continue;
      const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
      const bad = address.slice(0, i) + flipped + address.slice(i + 1);
      // Flipping one letter can only yield an all-lower/all-upper string if the address has one letter.
      expect(isValidAddress(bad)).toBe(false);
    }
  });

  it('accepts all-lowercase and all-uppercase addresses (no checksum) and returns the checksummed form', () => {
    const address = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
    expect(isValidAddress(address.toLowerCase())).toBe(true);
    expect(isValidAddress('0x' + address.slice(2).toUpperCase())).toBe(true);
    expect(parseAddress(address.toLowerCase())).toBe(address);
    expect(parseAddress('0x' + address.slice(2).toUpperCase())).toBe(address);
  });

  it.each([
    ['no prefix', '5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'],
    ['0X prefix', '0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'],
    ['39 digits', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe'],
    ['41 digits', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed0'],
    ['non-hex', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg'],
    ['spaces', ' 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'],
    ['empty', ''],
    ['number', 42],
    ['null', null],
  ])('rejects %s', (_name, value) => {
    expect(isValidAddress(value)).toBe(false);
    expect(codeOf(() => parseAddress(value))).toBe('INVALID_ADDRESS');
  });

  it('toChecksumAddress refuses a non-address', () => {
    expect(codeOf(() => toChecksumAddress('0x1234'))).toBe('INVALID_ADDRESS');
  });

  it('converts to and from bytes', () => {
    const address = '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb';
    const bytes = addressToBytes(address.toLowerCase());
    expect(bytes.length).toBe(20);
    expect(addressFromBytes(bytes)).toBe(address);
    expect(addressFromBytes(new Uint8Array(20))).toBe(ZERO_ADDRESS);
    expect(sameAddress(address, address.toLowerCase())).toBe(true);
    expect(sameAddress(address, ZERO_ADDRESS)).toBe(false);
  });
});

describe('keys', () => {
  const KEY1 = '0x' + '0'.repeat(63) + '1';

  it('private key 1 is the well-known address 0x7E5F…5Bdf', () => {
    expect(privateKeyToAddress(KEY1)).toBe('0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf');
    expect(privateKeyToAddress(KEY1.slice(2))).toBe('0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf');
    expect(privateKeyToAddress(privateKeyBytes(KEY1))).toBe(
      '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf',
    );
  });

  it('private keys 2 and 3 give their well-known addresses', () => {
    expect(privateKeyToAddress('0x' + '0'.repeat(63) + '2')).toBe(
      '0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF',
    );
    expect(privateKeyToAddress('0x' + '0'.repeat(63) + '3')).toBe(
      '0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69',
    );
  });

  it('public key: 65 bytes uncompressed (G for key 1); compressed gives the same address', () => {
    const pub = privateKeyToPublicKey(KEY1);
    expect(pub.length).toBe(65);
    expect(Buffer.from(pub).toString('hex')).toBe(
      '0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8',
    );
    const compressed = privateKeyToPublicKey(KEY1, true);
    expect(compressed.length).toBe(33);
    expect(publicKeyToAddress(compressed)).toBe(publicKeyToAddress(pub));
  });

  it('rejects invalid public keys', () => {
    expect(codeOf(() => publicKeyToAddress(new Uint8Array(65)))).toBe('INVALID_ADDRESS');
    expect(codeOf(() => publicKeyToAddress(new Uint8Array(10)))).toBe('INVALID_ADDRESS');
  });

  it.each([
    ['zero', '0x' + '0'.repeat(64)],
    ['n (the group order)', '0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'],
    ['above n', '0x' + 'f'.repeat(64)],
    ['31 bytes', '0x' + '1'.repeat(62)],
    ['non-hex', '0x' + 'z'.repeat(64)],
  ])('rejects the private key: %s', (_name, key) => {
    expect(codeOf(() => privateKeyToAddress(key))).toBe('INVALID_PRIVATE_KEY');
  });

  it('generatePrivateKey is a pure function of the randomness it is given', () => {
    const seed = new Uint8Array(48).map((_, i) => i * 7 + 1);
    const a = generatePrivateKey(seed);
    expect(a.length).toBe(32);
    expect(generatePrivateKey(seed)).toEqual(a);
    expect(generatePrivateKey(seed.map((b) => b ^ 1))).not.toEqual(a);
    // seed mod (n−1) + 1: the all-zero seed maps to key 1.
    expect(privateKeyToAddress(generatePrivateKey(new Uint8Array(48)))).toBe(
      '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf',
    );
    expect(() => generatePrivateKey(new Uint8Array(32))).toThrow(RangeError);
  });
});
