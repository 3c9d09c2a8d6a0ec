// Level 3: how much gas a tx gets and what it pays per gas. The wallet asks the node: a
// read-only `POST /call` of the same call at the tip answers whether it succeeds and the
// smallest gasLimit that does (`gasEstimate`); the tx gets that plus a margin, since the
// state may change before it is mined. A call that fails at the tip is still sent (its
// failure is then recorded on chain, fee charged) with a fixed gas limit, and a warning.
import {
  TX_BASE_GAS,
  contractAddress,
  intrinsicGas,
  sameAddress,
  type ChainSpec,
  type ContractTx,
} from '@chainlab/core';
import type { Abi } from 'viem';
import type { CallAnswer } from './client.js';
import type { Context } from './context.js';
import { UsageError } from './errors.js';

export const GWEI = 1_000_000_000n;
/** Gas for a tx whose call fails at the tip, or whose target has no code yet. */
export const FALLBACK_GAS_LIMIT = 1_000_000n;

/**
 * The default gas price: 1 gwei (10^9 base units per gas, Ethereum's habit), or more if
 * the mempool's floor asks for it (gasPrice × 21,000 ≥ the spec's minFee).
 */
export function defaultGasPrice(spec: Pick<ChainSpec, 'minFee'>): bigint {
  const floor = (spec.minFee + TX_BASE_GAS - 1n) / TX_BASE_GAS;
  return floor > GWEI ? floor : GWEI;
}

/** `--gas-price`: base units per gas ("1000000000"), or gwei with the unit ("1gwei", "2.5 gwei"). */
export function parseGasPrice(text: string): bigint {
  const t = text.trim().toLowerCase();
  const gwei = /^(\d+)(?:\.(\d{1,9}))?\s*gwei$/.exec(t);
  if (gwei) return BigInt(gwei[1]!) * GWEI + BigInt((gwei[2] ?? '').padEnd(9, '0') || '0');
  if (/^\d+$/.test(t) && t.length <= 39) return BigInt(t);
  throw new UsageError(
    `--gas-price ${JSON.stringify(text)}: expected base units per gas (e.g. 1000000000) or gwei (e.g. 1gwei)`,
    'BAD_GAS_PRICE',
  );
}

/** `--gas-limit`: a positive integer of gas. */
export function parseGasLimit(text: string): bigint {
  const t = text.trim();
  if (!/^[1-9]\d{0,18}$/.test(t))
    throw new UsageError(
      `--gas-limit ${JSON.stringify(text)}: expected a whole number of gas`,
      'BAD_GAS_LIMIT',
    );
  return BigInt(t);
}

/** "1 gwei", "47619048 base units" — for humans. */
export function formatGasPrice(price: bigint): string {
  if (price % GWEI === 0n) return `${price / GWEI} gwei`;
  if (price > GWEI) return `${Number(price) / 1e9} gwei`;
  return `${price} base units`;
}

/** The most a contract tx can cost in gas: gasLimit × gasPrice. */
export function maxFee(tx: Pick<ContractTx, 'gasLimit' | 'gasPrice'>): bigint {
  return tx.gasLimit * tx.gasPrice;
}

/**
 * The gasLimit for an estimate: exact when no code ran (a value transfer to a key's
 * address costs exactly the intrinsic gas), else 20 % more, within the block gas limit.
 */
export function withMargin(estimate: bigint, intrinsic: bigint, blockGasLimit: bigint): bigint {
  const limit = estimate <= intrinsic ? estimate : estimate + (estimate + 4n) / 5n;
  return limit > blockGasLimit ? blockGasLimit : limit;
}

export interface GasRequest {
  from: string;
  /** null: a deploy. */
  to: string | null;
  data: string;
  value?: bigint;
  /** --gas-limit: used as is, no estimate. */
  gasLimit?: bigint | undefined;
  /** The contract's ABI when known: decodes its custom errors in the warning. */
  abi?: Abi | undefined;
}

export interface GasPlan {
  gasLimit: bigint;
  /** The dry run at the tip (undefined when --gas-limit was given). */
  dryRun?: CallAnswer;
}

/** Estimates through the node's POST /call (see the top of this file). */
export async function planGas(ctx: Context, req: GasRequest): Promise<GasPlan> {
  if (req.gasLimit !== undefined) return { gasLimit: req.gasLimit };
  const spec = ctx.spec;
  const client = await ctx.client();
  const dryRun = await client.callContract({
    to: req.to,
    data: req.data,
    from: req.from,
    ...(req.value !== undefined && req.value > 0n ? { value: req.value.toString() } : {}),
  });
  const fallback =
    FALLBACK_GAS_LIMIT < spec.blockGasLimit ? FALLBACK_GAS_LIMIT : spec.blockGasLimit;
  if (dryRun.status === 1 && dryRun.gasEstimate !== null) {
    const intrinsic = intrinsicGas({ to: req.to, data: req.data });
    const estimate = BigInt(dryRun.gasEstimate);
    // No code ran: a key's address — or a contract whose deploy is still in the mempool,
    // whose code will run once it is mined. Then the intrinsic gas would not do.
    if (estimate <= intrinsic && req.to !== null && (await pendingContract(ctx, req.to))) {
      ctx.out.note(
        `note: ${req.to} is a contract whose deploy is still pending; sending with gasLimit ${fallback} (only the gas used is charged)`,
      );
      return { gasLimit: fallback, dryRun };
    }
    return { gasLimit: withMargin(estimate, intrinsic, spec.blockGasLimit), dryRun };
  }
  let why = dryRun.revertReason;
  if (why === undefined && req.abi && dryRun.result !== '0x') {
    const { decodeRevert } = await import('@chainlab/evm');
    why = decodeRevert(dryRun.result, req.abi);
  }
  why ??= dryRun.error ?? 'it fails';
  ctx.out.note(
    `warning: this ${req.to === null ? 'deploy' : 'call'} fails at the tip (${why}); sending it anyway with gasLimit ${fallback}: ` +
      'it will be mined and charged, and change nothing (pass --gas-limit to choose)',
  );
  return { gasLimit: fallback, dryRun };
}

/** Whether `address` is where a deploy waiting in the mempool will put a contract. */
async function pendingContract(ctx: Context, address: string): Promise<boolean> {
  const client = await ctx.client();
  const pending = await client.unprocessed().catch(() => []);
  return pending.some(
    (t) =>
      t.to === null &&
      typeof t.from === 'string' &&
      sameAddress(contractAddress(t.from, t.nonce), address),
  );
}

/** Just the gas limit (for value transfers). */
export async function gasLimitFor(ctx: Context, req: GasRequest): Promise<bigint> {
  return (await planGas(ctx, req)).gasLimit;
}
