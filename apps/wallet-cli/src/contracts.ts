// Level 3 helpers for deploy / call / send-call: the contracts this wallet deployed (their
// ABIs, remembered in <keystore-dir>/contracts.json so that events and custom errors of
// later calls decode), arguments that name keys, values and events printed for humans
// and for --json, and waiting for a receipt.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeLevel } from '@chainlab/levels/describe';
import type { Abi, AbiParameter } from 'viem';
import type { ChainSpec } from '@chainlab/core';
import type { LogJson, ReceiptAnswer } from './client.js';
import { checkAddress, type Context } from './context.js';
import { UsageError, WalletError } from './errors.js';
import { formatAmount } from './amounts.js';

export const CONTRACTS_FILE = 'contracts.json';

/** A contract this wallet deployed. */
export interface KnownContract {
  name: string;
  /** The .sol file it was compiled from (as given on the command line). */
  source: string;
  abi: Abi;
  deployer: string;
  txid: string;
}

type Registry = Record<string, KnownContract>;

const keyOf = (chainId: number, address: string) => `${chainId}:${address.toLowerCase()}`;

/** The ABIs this wallet remembers, per chain and address (a plain JSON file beside the keys). */
export class ContractBook {
  constructor(readonly dir: string) {}

  private get file(): string {
    return join(this.dir, CONTRACTS_FILE);
  }

  private async read(): Promise<Registry> {
    try {
      const json = JSON.parse(await readFile(this.file, 'utf8')) as { contracts?: unknown };
      return typeof json.contracts === 'object' && json.contracts !== null
        ? (json.contracts as Registry)
        : {};
    } catch {
      return {};
    }
  }

  async get(chainId: number, address: string): Promise<KnownContract | undefined> {
    return (await this.read())[keyOf(chainId, address)];
  }

  async remember(chainId: number, address: string, contract: KnownContract): Promise<void> {
    const all = await this.read();
    all[keyOf(chainId, address)] = contract;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ version: 1, contracts: all }, null, 2) + '\n');
    await rename(tmp, this.file);
  }
}

/** deploy / call / send-call exist on level-3 chains only. */
export function requireContracts(spec: ChainSpec, what: string): void {
  const level = describeLevel(spec);
  if (!level.features.contracts) {
    throw new WalletError(
      'WRONG_LEVEL',
      `${what}: the chain spec ${spec.name} is level ${level.number} (${level.name}): contracts need a level-3 chain (e.g. --spec devnet-contracts)`,
    );
  }
}

/**
 * Command-line arguments for `params`: an `address` (or address[]) argument may name a key
 * of the keystore (`bob`), like --to does; everything else goes to the ABI encoder as typed.
 */
export async function resolveArgs(
  ctx: Context,
  params: readonly AbiParameter[],
  args: readonly string[],
  what: string,
): Promise<string[]> {
  if (args.length !== params.length) {
    const types = params.map((p) => p.type).join(', ');
    throw new UsageError(
      `${what} takes ${params.length} argument(s)${types ? ` (${types})` : ''}, got ${args.length}`,
      'BAD_ARGS',
    );
  }
  const out: string[] = [];
  for (const [i, p] of params.entries()) {
    const arg = args[i]!;
    if (p.type === 'address') out.push(await addressArg(ctx, arg));
    else if (/^address\[\d*\]$/.test(p.type)) {
      let list: unknown;
      try {
        list = JSON.parse(arg);
      } catch {
        throw new UsageError(`argument ${i + 1} (${p.type}) must be a JSON array`, 'BAD_ARGS');
      }
      if (!Array.isArray(list))
        throw new UsageError(`argument ${i + 1} (${p.type}) must be a JSON array`, 'BAD_ARGS');
      out.push(JSON.stringify(await Promise.all(list.map((a) => addressArg(ctx, String(a))))));
    } else out.push(arg);
  }
  return out;
}

async function addressArg(ctx: Context, arg: string): Promise<string> {
  if (arg.startsWith('0x') || arg.startsWith('0X')) return checkAddress(arg);
  return (await ctx.target(arg)).address;
}

/** Turns ABI values into JSON: bigints as decimal strings, arrays and structs kept. */
export function jsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(jsonValue);
  if (v instanceof Uint8Array) return '0x' + Buffer.from(v).toString('hex');
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonValue(x)]));
  return v;
}

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/** Names of the keystore's keys by lowercase address, to label addresses in output. */
export async function keyNames(ctx: Context): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  try {
    for (const k of (await ctx.keystore.list()).keys)
      if (k.name) names.set(k.address.toLowerCase(), k.name);
  } catch {
    // no keystore: no labels
  }
  return names;
}

/** A value for humans: bigints in decimal, addresses labelled with a key's name. */
export function humanValue(v: unknown, names: ReadonlyMap<string, string> = new Map()): string {
  if (typeof v === 'string' && ADDRESS_RE.test(v)) {
    const name = names.get(v.toLowerCase());
    return name ? `${v} (${name})` : v;
  }
  if (
    typeof v === 'string' ||
    typeof v === 'bigint' ||
    typeof v === 'number' ||
    typeof v === 'boolean'
  )
    return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => humanValue(x, names)).join(', ')}]`;
  return JSON.stringify(jsonValue(v));
}

export interface EventJson {
  address: string;
  /** The event's name, when the contract's ABI is known. */
  event?: string;
  args?: unknown;
  topics: string[];
  data: string;
}

export interface DecodedEvent {
  json: EventJson;
  /** viem's decoded args (bigints kept), for human output. */
  args?: unknown;
}

/** Decodes logs with the ABI when there is one (loads @chainlab/evm's viem helpers lazily). */
export async function decodeEvents(
  logs: readonly LogJson[],
  abi: Abi | undefined,
): Promise<DecodedEvent[]> {
  if (!abi) return logs.map((l) => ({ json: { ...l } }));
  const { decodeLogs } = await import('@chainlab/evm');
  return decodeLogs(abi, logs).map((d) => {
    const json: EventJson = { address: d.address, topics: d.topics, data: d.data };
    if (d.eventName === undefined) return { json };
    json.event = d.eventName;
    json.args = jsonValue(d.args);
    return { json, args: d.args };
  });
}

/** `Incremented(by: 0x… (bob), count: 1)`, or the raw log when its ABI is unknown. */
export function humanEvent(e: DecodedEvent, names: ReadonlyMap<string, string>): string {
  const { json } = e;
  if (json.event === undefined)
    return `log from ${json.address}: topics [${json.topics.join(', ')}] data ${json.data}`;
  const args = e.args;
  const inner = Array.isArray(args)
    ? args.map((v) => humanValue(v, names)).join(', ')
    : typeof args === 'object' && args !== null
      ? Object.entries(args)
          .map(([k, v]) => `${k}: ${humanValue(v, names)}`)
          .join(', ')
      : '';
  return `${json.event}(${inner})`;
}

/**
 * Waits until the node serves the receipt of `txid` (the mempool may count a confirmation a
 * moment before the node it is compared with has the block).
 */
export async function waitForReceipt(
  ctx: Context,
  txid: string,
  deadline: number,
  pollMs = 300,
): Promise<ReceiptAnswer> {
  const client = await ctx.client();
  for (;;) {
    const r = await client.receipt(txid);
    if (r) return r;
    if (Date.now() >= deadline) {
      throw new WalletError(
        'TIMEOUT',
        `the node at ${client.nodeUrl} has no receipt for ${txid} yet (is it behind the mempool?); check with \`pnpm wallet -- status ${txid}\``,
        { txid },
      );
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The lines and JSON fields of a receipt; throws REVERTED (exit 1) after printing when it failed. */
export async function reportReceipt(
  ctx: Context,
  receipt: ReceiptAnswer,
  abi: Abi | undefined,
  json: Record<string, unknown>,
  header: string[],
  onSuccess: string[] = [],
): Promise<void> {
  const names = await keyNames(ctx);
  const events = await decodeEvents(receipt.logs, abi);
  let reason = receipt.revertReason;
  if (reason === undefined && receipt.output && abi) {
    const { decodeRevert } = await import('@chainlab/evm');
    reason = decodeRevert(receipt.output, abi);
  }
  const spec = ctx.spec;
  Object.assign(json, {
    blockHeight: receipt.blockHeight ?? null,
    status: receipt.status,
    gasUsed: receipt.gasUsed,
    fee: receipt.fee,
    events: events.map((e) => e.json),
  });
  // The EVM's failure ("revert", "out of gas"…) as evmError: "error" is --json's refusal object.
  if (receipt.error !== undefined) json.evmError = receipt.error;
  if (reason !== undefined) json.revertReason = reason;
  if (receipt.output !== undefined) json.output = receipt.output;
  const lines = [
    ...header,
    `Mined in block ${receipt.blockHash ?? '?'}${receipt.blockHeight !== undefined ? ` (height ${receipt.blockHeight})` : ''}: ` +
      (receipt.status === 1
        ? 'status 1 (success)'
        : `status 0 (failed: ${receipt.error ?? 'reverted'})`),
    `  gasUsed ${receipt.gasUsed}, fee ${formatAmount(BigInt(receipt.fee), spec)}`,
    ...events.map((e) => `  event ${humanEvent(e, names)}`),
  ];
  if (receipt.status === 1) {
    ctx.out.result(json, [...lines, ...onSuccess]);
    return;
  }
  if (reason !== undefined) lines.push(`  revert reason: ${reason}`);
  for (const l of lines) ctx.out.line(l);
  throw new WalletError(
    'REVERTED',
    `the tx was mined but failed (${receipt.error ?? 'reverted'})${reason !== undefined ? `: ${reason}` : ''}; its fee was charged and nothing else changed`,
    json,
  );
}
