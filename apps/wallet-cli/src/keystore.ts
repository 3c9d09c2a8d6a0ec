// The key store: one Web3 Secret Storage (keystore v3) file per key — scrypt, aes-128-ctr,
// keccak-256 MAC, written by @ethereumjs/wallet — so geth, ethers or MetaMask can open
// it. Files are named as geth names them, `UTC--<iso time>--<address>`; the human names
// live in `names.json` beside them ({"version": 1, "names": {"alice": "0xAbC…"}}), so a
// keystore file copied in from another tool just shows up without a name.
//
// The only I/O is on the keystore directory; encryption and decryption are done here too.
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Wallet } from '@ethereumjs/wallet';
import {
  privateKeyBytes,
  privateKeyToAddress,
  sameAddress,
  toChecksumAddress,
} from '@chainlab/core';
import { UsageError, WalletError } from './errors.js';

/** The standard scrypt cost (geth's "standard" N; ~1 s and 256 MiB per encryption). */
export const DEFAULT_KDF_N = 262_144;
export const MAX_KDF_N = 1 << 20;
export const NAMES_FILE = 'names.json';

const NAME_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

export interface KeyEntry {
  /** The label given with --name (or `keyN`), null for a file without one. */
  name: string | null;
  /** EIP-55 checksummed. */
  address: string;
  /** Absolute path of the keystore v3 file. */
  file: string;
}

/** Checks a --kdf-n / CHAINLAB_KDF_N value: scrypt needs a power of two. */
export function checkKdfN(n: number): number {
  if (!Number.isSafeInteger(n) || n < 2 || n > MAX_KDF_N || (n & (n - 1)) !== 0) {
    throw new UsageError(`the scrypt cost N must be a power of two in 2..${MAX_KDF_N}, got ${n}`);
  }
  return n;
}

export function checkName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw new UsageError(
      `bad key name ${JSON.stringify(name)}: a letter, then up to 63 letters, digits, '_', '.' or '-'`,
      'BAD_NAME',
    );
  }
  return name;
}

/** geth's file name: UTC--2026-01-01T12-00-00.000Z--<lowercase address without 0x>. */
export function keyFileName(address: string, now: Date): string {
  return `UTC--${now.toISOString().replace(/:/g, '-')}--${address.slice(2).toLowerCase()}`;
}

type V3Json = { version?: unknown; address?: unknown; crypto?: unknown; Crypto?: unknown };

export class Keystore {
  readonly kdfN: number;

  constructor(
    readonly dir: string,
    opts: { kdfN?: number } = {},
  ) {
    this.kdfN = checkKdfN(opts.kdfN ?? DEFAULT_KDF_N);
  }

  /**
   * Every key, oldest first (file names start with their creation time). `problems` names
   * files that look like keys but cannot be listed (no address, duplicates).
   */
  async list(): Promise<{ keys: KeyEntry[]; problems: string[] }> {
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { keys: [], problems: [] };
      throw new WalletError(
        'KEYSTORE_UNREADABLE',
        `cannot read the keystore ${this.dir}: ${(e as Error).message}`,
      );
    }
    const names = await this.readNames();
    const nameOf = new Map<string, string>();
    for (const [name, address] of Object.entries(names)) nameOf.set(address.toLowerCase(), name);

    const keys: KeyEntry[] = [];
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const f of files.sort()) {
      if (f === NAMES_FILE || f.startsWith('.') || f.endsWith('.tmp')) continue;
      const file = join(this.dir, f);
      let json: V3Json;
      try {
        json = JSON.parse(await readFile(file, 'utf8')) as V3Json;
      } catch {
        continue; // not a key file (a directory, a README…): ignored, as geth does
      }
      if (typeof json !== 'object' || json === null || json.version !== 3) continue;
      if (typeof json.crypto !== 'object' && typeof json.Crypto !== 'object') continue;
      const raw =
        typeof json.address === 'string' ? json.address : /--([0-9a-fA-F]{40})$/.exec(f)?.[1];
      if (!raw || !/^(0x)?[0-9a-fA-F]{40}$/.test(raw)) {
        problems.push(`${f}: no address in the file or its name`);
        continue;
      }
      const address = toChecksumAddress(raw.startsWith('0x') ? raw : `0x${raw}`);
      if (seen.has(address.toLowerCase())) {
        problems.push(`${f}: a second file for ${address} (ignored)`);
        continue;
      }
      seen.add(address.toLowerCase());
      keys.push({ name: nameOf.get(address.toLowerCase()) ?? null, address, file });
    }
    return { keys, problems };
  }

  /** A key by name or by address (any case); undefined if the keystore has none. */
  async find(nameOrAddress: string): Promise<KeyEntry | undefined> {
    const { keys } = await this.list();
    if (ADDRESS_RE.test(nameOrAddress))
      return keys.find((k) => sameAddress(k.address, nameOrAddress));
    return keys.find((k) => k.name === nameOrAddress);
  }

  /** The default key: the oldest one (marked * by `list`). */
  async defaultKey(): Promise<KeyEntry | undefined> {
    return (await this.list()).keys[0];
  }

  /**
   * Throws what add() would refuse — a name in use (NAME_TAKEN), an address already
   * present (KEY_EXISTS), a bad name — so a command can check before asking for a password.
   */
  async checkAvailable(name: string | undefined, address?: string): Promise<void> {
    if (name !== undefined) checkName(name);
    const { keys } = await this.list();
    if (name !== undefined && keys.some((k) => k.name === name)) {
      throw new WalletError('NAME_TAKEN', `a key named ${name} already exists`);
    }
    const existing =
      address === undefined ? undefined : keys.find((k) => sameAddress(k.address, address));
    if (existing) {
      throw new WalletError(
        'KEY_EXISTS',
        `the keystore already holds ${existing.address}${existing.name ? ` as ${existing.name}` : ''} (${existing.file})`,
      );
    }
  }

  /**
   * Encrypts `privateKey` with `password` into a new keystore file and records its name
   * (default: the first free `keyN`). Refuses a key already present (KEY_EXISTS) and a
   * name in use (NAME_TAKEN).
   */
  async add(
    privateKey: Uint8Array | string,
    password: string,
    opts: { name?: string; now?: Date } = {},
  ): Promise<KeyEntry> {
    const key = privateKeyBytes(privateKey);
    const address = privateKeyToAddress(key);
    await this.checkAvailable(opts.name, address);
    const { keys } = await this.list();
    const taken = new Set(keys.map((k) => k.name).filter((n): n is string => n !== null));
    let name: string;
    if (opts.name !== undefined) {
      name = opts.name;
    } else {
      let i = 1;
      while (taken.has(`key${i}`)) i++;
      name = `key${i}`;
    }

    const v3 = (await Wallet.fromPrivateKey(key).toV3(password, {
      kdf: 'scrypt',
      n: this.kdfN,
    })) as V3Json;
    if (typeof v3.address !== 'string' || !sameAddress(`0x${v3.address}`, address)) {
      throw new WalletError(
        'KEYSTORE_MISMATCH',
        `the keystore file's address ${String(v3.address)} is not ${address}`,
      );
    }
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = join(this.dir, keyFileName(address, opts.now ?? new Date()));
    // 'wx': never overwrite a key file, whatever happens.
    await writeFile(file, JSON.stringify(v3), { mode: 0o600, flag: 'wx' });
    const names = await this.readNames();
    names[name] = address;
    await this.writeNames(names);
    return { name, address, file };
  }

  /**
   * Decrypts a key file. WRONG_PASSWORD when the MAC does not match; KEYSTORE_MISMATCH when
   * the decrypted key's address is not the one the file claims.
   */
  async unlock(entry: KeyEntry, password: string): Promise<Uint8Array> {
    let text: string;
    try {
      text = await readFile(entry.file, 'utf8');
    } catch (e) {
      throw new WalletError(
        'KEYSTORE_UNREADABLE',
        `cannot read ${entry.file}: ${(e as Error).message}`,
      );
    }
    let wallet: Wallet;
    try {
      wallet = await Wallet.fromV3(text, password, true);
    } catch (e) {
      const message = (e as Error).message;
      if (/passphrase|Key derivation failed/i.test(message)) {
        throw new WalletError('WRONG_PASSWORD', `wrong password for ${describe(entry)}`);
      }
      throw new WalletError('BAD_KEYSTORE', `cannot decrypt ${entry.file}: ${message}`);
    }
    const key = wallet.getPrivateKey();
    const address = privateKeyToAddress(key);
    if (!sameAddress(address, entry.address)) {
      throw new WalletError(
        'KEYSTORE_MISMATCH',
        `${entry.file} claims address ${entry.address} but its key is ${address}: the file was altered`,
      );
    }
    return key;
  }

  private async readNames(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await readFile(join(this.dir, NAMES_FILE), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw e;
    }
    try {
      const json = JSON.parse(text) as { names?: unknown };
      const out: Record<string, string> = {};
      if (typeof json.names === 'object' && json.names !== null) {
        for (const [name, address] of Object.entries(json.names)) {
          if (NAME_RE.test(name) && typeof address === 'string' && ADDRESS_RE.test(address))
            out[name] = address;
        }
      }
      return out;
    } catch {
      throw new WalletError(
        'KEYSTORE_UNREADABLE',
        `${join(this.dir, NAMES_FILE)} is not valid JSON`,
      );
    }
  }

  private async writeNames(names: Record<string, string>): Promise<void> {
    const path = join(this.dir, NAMES_FILE);
    const tmp = `${path}.${process.pid}.tmp`;
    const sorted = Object.fromEntries(Object.entries(names).sort(([a], [b]) => a.localeCompare(b)));
    await writeFile(tmp, JSON.stringify({ version: 1, names: sorted }, null, 2) + '\n', {
      mode: 0o600,
    });
    await rename(tmp, path);
  }
}

export function describe(entry: KeyEntry): string {
  return entry.name ? `${entry.name} (${entry.address})` : entry.address;
}
