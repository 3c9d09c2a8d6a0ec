// Key management, offline: new, import, list, address.
import {
  generatePrivateKey,
  privateKeyBytes,
  PRIVATE_KEY_SEED_BYTES,
  isRuleError,
  privateKeyToAddress,
} from '@chainlab/core';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { promptHidden } from '../password.js';
import { table } from '../output.js';

export async function newKey(ctx: Context, opts: { name?: string }): Promise<void> {
  // A bad or taken name fails before the password is asked for.
  await ctx.keystore.checkAvailable(opts.name);
  const seed = crypto.getRandomValues(new Uint8Array(PRIVATE_KEY_SEED_BYTES));
  const key = generatePrivateKey(seed);
  const password = await ctx.password('Password for the new key: ', true);
  const entry = await ctx.keystore.add(
    key,
    password,
    opts.name === undefined ? {} : { name: opts.name },
  );
  ctx.out.result({ address: entry.address, name: entry.name, file: entry.file }, [
    `New key ${entry.name}: ${entry.address}`,
    `Keystore file: ${entry.file}`,
    'Keep the password safe: the key cannot be recovered without it.',
  ]);
}

export async function importKey(ctx: Context, hex: string, opts: { name?: string }): Promise<void> {
  await ctx.keystore.checkAvailable(opts.name);
  const text = hex === '-' ? await readSecret('Private key (64 hex digits): ') : hex;
  let key: Uint8Array;
  try {
    key = privateKeyBytes(text.trim());
  } catch (e) {
    if (isRuleError(e)) throw new UsageError(e.message, e.code);
    throw e;
  }
  await ctx.keystore.checkAvailable(opts.name, privateKeyToAddress(key));
  const password = await ctx.password('Password to encrypt the key with: ', true);
  const entry = await ctx.keystore.add(
    key,
    password,
    opts.name === undefined ? {} : { name: opts.name },
  );
  ctx.out.result({ address: entry.address, name: entry.name, file: entry.file }, [
    `Imported key ${entry.name}: ${entry.address}`,
    `Keystore file: ${entry.file}`,
  ]);
}

export async function listKeys(ctx: Context): Promise<void> {
  const { keys, problems } = await ctx.keystore.list();
  for (const p of problems) ctx.out.note(`warning: ${p}`);
  const json = {
    keys: keys.map((k, i) => ({
      name: k.name,
      address: k.address,
      file: k.file,
      default: i === 0,
    })),
  };
  if (keys.length === 0) {
    ctx.out.result(
      json,
      `No keys in ${ctx.keystore.dir} (create one with \`pnpm wallet -- new\`).`,
    );
    return;
  }
  ctx.out.result(json, [
    ...table([
      ['', 'NAME', 'ADDRESS'],
      ...keys.map((k, i) => [i === 0 ? '*' : '', k.name ?? '-', k.address]),
    ]),
    `(${keys.length} key${keys.length === 1 ? '' : 's'} in ${ctx.keystore.dir}; * = default, used when a command names no key)`,
  ]);
}

export async function showAddress(ctx: Context, name: string | undefined): Promise<void> {
  const key = await ctx.key(name);
  ctx.out.result({ address: key.address, name: key.name }, key.address);
}

/** A secret from a hidden prompt on a terminal, else the whole of stdin. */
async function readSecret(prompt: string): Promise<string> {
  if (process.stdin.isTTY) return promptHidden(prompt, process.stdin, process.stderr);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
