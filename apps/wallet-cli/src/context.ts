// What every command gets: the global options, the output, and lazily built pieces (the
// chain spec, the key store, the HTTP client, the password) so that a command touches only
// what it needs — `list` never loads the HTTP stack, `balance` never asks for a password.
import type { ChainSpec } from '@chainlab/core';
import { parseAddress } from '@chainlab/core';
import { describeLevel, type LevelDescription } from '@chainlab/levels/describe';
import type { ChainClient } from './client.js';
import { UsageError, WalletError } from './errors.js';
import { Keystore, describe, type KeyEntry } from './keystore.js';
import type { Output } from './output.js';
import { getPassword } from './password.js';
import { readSpec } from './spec.js';

export interface GlobalOptions {
  mempool: string;
  node: string;
  spec: string;
  keystoreDir: string;
  passwordFile?: string | undefined;
  json: boolean;
  kdfN: number;
}

/** A name or an address as the user typed it, resolved. */
export interface Target {
  address: string;
  /** The key's name when it is (or names) a key of the keystore. */
  name: string | null;
}

const ADDRESS_LIKE = /^0x[0-9a-fA-F]*$/;

export class Context {
  private specCache: ChainSpec | undefined;
  private keystoreCache: Keystore | undefined;
  private clientCache: ChainClient | undefined;

  constructor(
    readonly opts: GlobalOptions,
    readonly out: Output,
    readonly env: Readonly<Record<string, string | undefined>> = process.env,
  ) {}

  get spec(): ChainSpec {
    return (this.specCache ??= readSpec(this.opts.spec));
  }

  /** The chain's level: what its chain has (accounts, contracts), asked instead of its number. */
  get level(): LevelDescription {
    return describeLevel(this.spec);
  }

  get keystore(): Keystore {
    return (this.keystoreCache ??= new Keystore(this.opts.keystoreDir, { kdfN: this.opts.kdfN }));
  }

  async client(): Promise<ChainClient> {
    if (!this.clientCache) {
      const { ChainClient } = await import('./client.js');
      this.clientCache = new ChainClient(this.opts.mempool, this.opts.node);
    }
    return this.clientCache;
  }

  password(prompt: string, confirm = false): Promise<string> {
    const env = this.env.CHAINLAB_PASSWORD === '' ? undefined : this.env.CHAINLAB_PASSWORD;
    return getPassword({ file: this.opts.passwordFile, env }, { prompt, confirm });
  }

  /** A key of the keystore by name or address; the default (oldest) key when omitted. */
  async key(nameOrAddress?: string): Promise<KeyEntry> {
    if (nameOrAddress === undefined) {
      const key = await this.keystore.defaultKey();
      if (!key) {
        throw new WalletError(
          'NO_KEYS',
          `no keys in ${this.keystore.dir}: create one with \`pnpm wallet -- new\` (or pass --keystore-dir)`,
        );
      }
      return key;
    }
    if (ADDRESS_LIKE.test(nameOrAddress)) checkAddress(nameOrAddress);
    const key = await this.keystore.find(nameOrAddress);
    if (!key) {
      throw new WalletError(
        'KEY_NOT_FOUND',
        `no key ${nameOrAddress} in ${this.keystore.dir} (see \`pnpm wallet -- list\`)`,
      );
    }
    return key;
  }

  /** An address typed as such (checked, checksummed) or a key name; the default key when omitted. */
  async target(nameOrAddress?: string): Promise<Target> {
    if (nameOrAddress !== undefined && ADDRESS_LIKE.test(nameOrAddress)) {
      const address = checkAddress(nameOrAddress);
      const key = await this.keystore.find(address).catch(() => undefined);
      return { address, name: key?.name ?? null };
    }
    const key = await this.key(nameOrAddress);
    return { address: key.address, name: key.name };
  }

  /** Asks for (or reads) the password and decrypts the key. */
  async unlock(key: KeyEntry): Promise<Uint8Array> {
    const password = await this.password(`Password for ${describe(key)}: `);
    return this.keystore.unlock(key, password);
  }
}

/** An address from the command line, EIP-55 checked: a bad one is a usage error (exit 2). */
export function checkAddress(text: string): string {
  try {
    return parseAddress(text);
  } catch (e) {
    throw new UsageError((e as Error).message, 'INVALID_ADDRESS');
  }
}

export function label(t: Target): string {
  return t.name ? `${t.name} (${t.address})` : t.address;
}
