import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Wallet } from '@ethereumjs/wallet';
import { privateKeyToAddress, toHex } from '@chainlab/core';
import { Keystore, checkKdfN, keyFileName } from '../src/keystore.js';
import { WalletError } from '../src/errors.js';

// A low scrypt cost keeps the tests fast; the format is the same as with the standard N.
const N = 1024;
const KEY = '0x' + '11'.repeat(32);
const dirs: string[] = [];
const tempKeystore = (): Keystore => {
  const dir = mkdtempSync(join(tmpdir(), 'wallet-ks-'));
  dirs.push(dir);
  return new Keystore(join(dir, 'keystore'), { kdfN: N });
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('keystore', () => {
  it('writes a keystore v3 file that decrypts with the password to the same address', async () => {
    const ks = tempKeystore();
    const entry = await ks.add(KEY, 'correct horse', { name: 'alice' });
    expect(entry.address).toBe(privateKeyToAddress(KEY));
    expect(entry.name).toBe('alice');

    const json = JSON.parse(readFileSync(entry.file, 'utf8'));
    expect(json.version).toBe(3);
    expect(json.crypto.cipher).toBe('aes-128-ctr');
    expect(json.crypto.kdf).toBe('scrypt');
    expect(json.crypto.kdfparams).toMatchObject({ n: N, r: 8, p: 1, dklen: 32 });
    expect(json.crypto.mac).toMatch(/^[0-9a-f]{64}$/);
    expect(json.address).toBe(entry.address.slice(2).toLowerCase());
    expect(JSON.stringify(json)).not.toContain('11'.repeat(32)); // no plaintext key

    const key = await ks.unlock(entry, 'correct horse');
    expect(toHex(key)).toBe(KEY);
    expect(privateKeyToAddress(key)).toBe(entry.address);
  });

  it('is readable by other Ethereum tools: @ethereumjs/wallet opens it directly', async () => {
    const ks = tempKeystore();
    const entry = await ks.add(KEY, 'pw', { name: 'alice' });
    const wallet = await Wallet.fromV3(readFileSync(entry.file, 'utf8'), 'pw');
    expect(wallet.getChecksumAddressString()).toBe(entry.address);
    expect(toHex(wallet.getPrivateKey())).toBe(KEY);
  });

  it('names files like geth: UTC--<iso time>--<address>', async () => {
    const ks = tempKeystore();
    const now = new Date('2026-01-02T03:04:05.678Z');
    const entry = await ks.add(KEY, 'pw', { now });
    expect(
      entry.file.endsWith(`UTC--2026-01-02T03-04-05.678Z--${entry.address.slice(2).toLowerCase()}`),
    ).toBe(true);
    expect(keyFileName(entry.address, now)).toMatch(
      /^UTC--2026-01-02T03-04-05\.678Z--[0-9a-f]{40}$/,
    );
  });

  it('refuses a wrong password with WRONG_PASSWORD', async () => {
    const ks = tempKeystore();
    const entry = await ks.add(KEY, 'pw', { name: 'alice' });
    const err = await ks.unlock(entry, 'not the password').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WalletError);
    expect((err as WalletError).code).toBe('WRONG_PASSWORD');
    expect((err as WalletError).message).toContain('alice');
  });

  it('detects a file whose address does not match its key', async () => {
    const ks = tempKeystore();
    const entry = await ks.add(KEY, 'pw', { name: 'alice' });
    const json = JSON.parse(readFileSync(entry.file, 'utf8'));
    const other = privateKeyToAddress('0x' + '22'.repeat(32));
    json.address = other.slice(2).toLowerCase();
    writeFileSync(entry.file, JSON.stringify(json));
    const [listed] = (await ks.list()).keys;
    expect(listed!.address).toBe(other);
    await expect(ks.unlock(listed!, 'pw')).rejects.toMatchObject({ code: 'KEYSTORE_MISMATCH' });
  });

  it('lists keys oldest first with their names, finds them by name or address', async () => {
    const ks = tempKeystore();
    const a = await ks.add(KEY, 'pw', { name: 'alice', now: new Date('2026-01-01T00:00:00Z') });
    const b = await ks.add('0x' + '22'.repeat(32), 'pw', { now: new Date('2026-01-01T00:00:01Z') });
    const c = await ks.add('0x' + '33'.repeat(32), 'pw', { now: new Date('2026-01-01T00:00:02Z') });
    expect(b.name).toBe('key1');
    expect(c.name).toBe('key2');
    const { keys, problems } = await ks.list();
    expect(problems).toEqual([]);
    expect(keys.map((k) => k.name)).toEqual(['alice', 'key1', 'key2']);
    expect(await ks.defaultKey()).toEqual(a);
    expect(await ks.find('key1')).toEqual(b);
    expect(await ks.find(c.address.toLowerCase())).toEqual(c);
    expect(await ks.find('nobody')).toBeUndefined();
    const names = JSON.parse(readFileSync(join(ks.dir, 'names.json'), 'utf8'));
    expect(names).toEqual({
      version: 1,
      names: { alice: a.address, key1: b.address, key2: c.address },
    });
  });

  it('refuses a duplicate key, a taken name and a bad name', async () => {
    const ks = tempKeystore();
    await ks.add(KEY, 'pw', { name: 'alice' });
    await expect(ks.add(KEY, 'pw', { name: 'other' })).rejects.toMatchObject({
      code: 'KEY_EXISTS',
    });
    await expect(ks.add('0x' + '22'.repeat(32), 'pw', { name: 'alice' })).rejects.toMatchObject({
      code: 'NAME_TAKEN',
    });
    await expect(ks.add('0x' + '22'.repeat(32), 'pw', { name: '0xabc' })).rejects.toMatchObject({
      code: 'BAD_NAME',
      exitCode: 2,
    });
    expect((await ks.list()).keys).toHaveLength(1);
  });

  it('lists a keystore file copied in from another tool, without a name', async () => {
    const ks = tempKeystore();
    await ks.add(KEY, 'pw', { name: 'alice' });
    const foreign = Wallet.fromPrivateKey(new Uint8Array(32).fill(0x44));
    const v3 = await foreign.toV3('pw', { kdf: 'pbkdf2', c: 1000 });
    writeFileSync(
      join(ks.dir, foreign.getV3Filename(Date.parse('2030-01-01T00:00:00Z'))),
      JSON.stringify(v3),
    );
    writeFileSync(join(ks.dir, 'README.txt'), 'not a key');
    const { keys } = await ks.list();
    expect(keys).toHaveLength(2);
    const k = keys[1]!;
    expect(k).toMatchObject({ name: null, address: foreign.getChecksumAddressString() });
    expect(toHex(await ks.unlock(k, 'pw'))).toBe('0x' + '44'.repeat(32));
  });

  it('an empty or missing directory has no keys', async () => {
    const ks = tempKeystore();
    expect(await ks.list()).toEqual({ keys: [], problems: [] });
    expect(await ks.defaultKey()).toBeUndefined();
    expect(readdirSync(join(ks.dir, '..'))).toEqual([]);
  });

  it('accepts only powers of two as the scrypt cost', () => {
    expect(checkKdfN(262_144)).toBe(262_144);
    expect(() => checkKdfN(1000)).toThrow(/power of two/);
    expect(() => checkKdfN(1)).toThrow();
    expect(() => checkKdfN(1 << 21)).toThrow();
  });
});
