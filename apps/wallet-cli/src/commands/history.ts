// `history`: every tx to or from an address — genesis allocation, mined txs found by paging
// through the node's active chain (GET /blockchain?from=&limit=), and the mempool's pending
// ones — newest first.
import {
  parseTx,
  sameAddress,
  txid as txidOf,
  type ChainSpec,
  type Tx,
  type TxJson,
} from '@chainlab/core';
import type { ChainClient } from '../client.js';
import type { Context } from '../context.js';
import { label } from '../context.js';
import { formatAmount } from '../amounts.js';
import { WalletError } from '../errors.js';
import { table } from '../output.js';
import { requireLedger } from '../spec.js';

export const PAGE_BLOCKS = 500;

export type Direction = 'in' | 'out' | 'self';

export interface HistoryEntry {
  /** null for a genesis allocation (it has no tx). */
  txid: string | null;
  kind: 'genesis' | Tx['kind'];
  direction: Direction;
  /** null while pending. */
  height: number | null;
  blockHash: string | null;
  confirmations: number;
  from: string | null;
  /** null for a level-3 contract deploy. */
  to: string | null;
  amount: string;
  fee: string;
  nonce: number | null;
  /** Effect on the address's balance in base units, signed. */
  delta: string;
}

export async function history(
  ctx: Context,
  who: string | undefined,
  opts: { limit?: number },
): Promise<void> {
  const spec = ctx.spec;
  requireLedger(spec, 'history');
  const target = await ctx.target(who);
  const client = await ctx.client();
  const [mined, pending] = await Promise.all([
    scanChain(client, spec, target.address),
    client.unprocessed(),
  ]);
  const entries: HistoryEntry[] = [];
  for (const json of pending.slice().reverse()) {
    const tx = parse(json, spec);
    if (tx && involves(tx, target.address)) entries.push(entry(tx, target.address, null, null, 0));
  }
  for (const e of mined) entries.push(e);
  const shown = opts.limit === undefined ? entries : entries.slice(0, opts.limit);
  if (ctx.level.features.contracts) await withReceipts(client, shown);

  const { keys } = await ctx.keystore
    .list()
    .catch(() => ({ keys: [] as { name: string | null; address: string }[] }));
  const nameOf = (a: string | null, direction: Direction): string => {
    if (a === null) return direction === 'in' ? '(block reward)' : '(contract deploy)';
    const k = keys.find((x) => sameAddress(x.address, a));
    return k?.name ? `${k.name} ${a}` : a;
  };
  const lines =
    shown.length === 0
      ? [`No txs to or from ${label(target)}.`]
      : [
          `History of ${label(target)}, newest first:`,
          ...table([
            ['HEIGHT', 'CONF', 'KIND', 'AMOUNT', 'COUNTERPARTY', 'TXID'],
            ...shown.map((e) => [
              e.height === null ? 'pending' : String(e.height),
              String(e.confirmations),
              e.kind === 'transfer' || e.kind === 'contract'
                ? e.direction === 'in'
                  ? 'received'
                  : e.direction === 'out'
                    ? 'sent'
                    : 'self'
                : e.kind,
              signed(BigInt(e.delta), spec),
              e.kind === 'genesis'
                ? '(genesis allocation)'
                : nameOf(e.direction === 'in' ? e.from : e.to, e.direction),
              e.txid ?? '-',
            ]),
          ]),
        ];
  if (shown.length < entries.length)
    lines.push(`(${entries.length - shown.length} older entries not shown: raise --limit)`);
  ctx.out.result({ address: target.address, txs: shown }, lines);
}

/**
 * The address's mined txs, newest first. Pages are chained by prevHash: if the active chain
 * reorganizes during the scan the scan starts over (up to 3 times).
 */
export async function scanChain(
  client: ChainClient,
  spec: ChainSpec,
  address: string,
): Promise<HistoryEntry[]> {
  for (let attempt = 1; ; attempt++) {
    const found: Omit<HistoryEntry, 'confirmations'>[] = [];
    let from = 0;
    let length = 1;
    let prevHash: string | null = null;
    let consistent = true;
    while (from < length) {
      const page = await client.blockchain(from, PAGE_BLOCKS);
      length = page.length;
      if (page.blocks.length === 0) break;
      for (const block of page.blocks) {
        if (prevHash !== null && block.header.prevHash !== prevHash) consistent = false;
        prevHash = block.hash;
        if (block.height === 0) {
          const alloc = Object.entries(spec.genesis.allocations).find(([a]) =>
            sameAddress(a, address),
          );
          if (alloc) {
            found.push({
              txid: null,
              kind: 'genesis',
              direction: 'in',
              height: 0,
              blockHash: block.hash,
              from: null,
              to: alloc[0],
              amount: alloc[1].toString(),
              fee: '0',
              nonce: null,
              delta: alloc[1].toString(),
            });
          }
        }
        for (const json of block.txs ?? []) {
          const tx = parse(json, spec);
          if (tx && involves(tx, address))
            found.push(entry(tx, address, block.height, block.hash, 0));
        }
      }
      if (!consistent) break;
      from += page.blocks.length;
    }
    if (consistent) {
      // confirmations against the final length: the tip block has 1.
      return found
        .reverse()
        .map((e) => ({ ...e, confirmations: e.height === null ? 0 : length - e.height }));
    }
    if (attempt >= 3)
      throw new WalletError(
        'CHAIN_CHANGING',
        'the chain kept reorganizing while it was read: try again',
      );
  }
}

function parse(json: TxJson, spec: ChainSpec): Tx | undefined {
  try {
    return parseTx(json, spec);
  } catch {
    return undefined;
  }
}

/**
 * Level 3: a mined contract tx pays gasUsed × gasPrice, and moves its amount only if it
 * succeeded; the receipts (GET /receipt/:txid on the node) make fee and delta exact.
 * (Coins a contract pays out from inside its code do not show here: they are no tx.)
 */
async function withReceipts(client: ChainClient, entries: HistoryEntry[]): Promise<void> {
  for (const e of entries) {
    if (e.kind !== 'contract' || e.height === null || e.txid === null) continue;
    const r = await client.receipt(e.txid).catch(() => undefined);
    if (!r) continue;
    const fee = BigInt(r.fee);
    const moved = r.status === 1 ? BigInt(e.amount) : 0n;
    e.fee = fee.toString();
    e.delta = (
      e.direction === 'in' ? moved : e.direction === 'out' ? -(moved + fee) : -fee
    ).toString();
  }
}

function involves(tx: Tx, address: string): boolean {
  return (
    (tx.to !== null && sameAddress(tx.to, address)) ||
    (tx.from !== null && sameAddress(tx.from, address))
  );
}

function entry(
  tx: Tx,
  address: string,
  height: number | null,
  blockHash: string | null,
  confirmations: number,
): HistoryEntry {
  const incoming = tx.to !== null && sameAddress(tx.to, address);
  const outgoing = tx.from !== null && sameAddress(tx.from, address);
  const direction: Direction = incoming && outgoing ? 'self' : incoming ? 'in' : 'out';
  const delta =
    direction === 'in' ? tx.amount : direction === 'out' ? -(tx.amount + tx.fee) : -tx.fee;
  return {
    txid: txidOf(tx),
    kind: tx.kind,
    direction,
    height,
    blockHash,
    confirmations,
    from: tx.from,
    to: tx.to,
    amount: tx.amount.toString(),
    fee: tx.fee.toString(),
    nonce: tx.kind === 'coinbase' ? null : tx.nonce,
    delta: delta.toString(),
  };
}

function signed(units: bigint, spec: ChainSpec): string {
  return units < 0n ? `-${formatAmount(-units, spec)}` : `+${formatAmount(units, spec)}`;
}
