// `send`: a transfer from a key of the keystore, optionally waiting for confirmations.
import type { Context } from '../context.js';
import { label } from '../context.js';
import { formatAmount, parseAmount } from '../amounts.js';
import { requireLedger } from '../spec.js';
import { submitTransfer, waitForConfirmations, type Sent } from '../transfer.js';
import { defaultGasPrice, formatGasPrice, maxFee } from '../gas.js';
import { TX_BASE_GAS } from '@chainlab/core';

export interface SendOptions {
  to: string;
  amount: string;
  fee?: string;
  from?: string;
  wait: number;
  timeout: number;
  nonce?: number;
}

export async function send(ctx: Context, opts: SendOptions): Promise<void> {
  const spec = ctx.spec;
  requireLedger(spec, 'send');
  const amount = parseAmount(opts.amount, spec);
  const fee = opts.fee === undefined ? spec.minFee : parseAmount(opts.fee, spec, '--fee', true);
  const to = await ctx.target(opts.to);
  const key = await ctx.key(opts.from);
  const privateKey = await ctx.unlock(key);
  // Level 3: a gas-metered contract tx; --fee, when given, sets the price of its 21,000 gas.
  const gasPrice = ctx.level.features.contracts
    ? opts.fee === undefined
      ? defaultGasPrice(spec)
      : (fee + TX_BASE_GAS - 1n) / TX_BASE_GAS
    : undefined;
  const sent = await submitTransfer(ctx, {
    key: privateKey,
    from: key.address,
    to: to.address,
    amount,
    fee,
    gasPrice,
    nonce: opts.nonce,
  });
  ctx.out.line(
    `Sent ${formatAmount(amount, spec)} from ${label(key)} to ${label(to)} (${feeText(ctx, sent)}, nonce ${sent.tx.nonce})`,
  );
  await finish(ctx, sent, opts);
}

/** "fee 0.000001 CLC", or at level 3 "gas 21000 × 1 gwei = 0.000021 CLC at most". */
export function feeText(ctx: Context, sent: Sent): string {
  const tx = sent.tx;
  if (tx.kind !== 'contract') return `fee ${formatAmount(tx.fee, ctx.spec)}`;
  return `gas ${tx.gasLimit} × ${formatGasPrice(tx.gasPrice)} = ${formatAmount(maxFee(tx), ctx.spec)} at most`;
}

/** Prints the txid, waits for `opts.wait` confirmations if asked, then the result. */
export async function finish(
  ctx: Context,
  sent: Sent,
  opts: { wait: number; timeout: number },
): Promise<void> {
  const spec = ctx.spec;
  const { tx, txid } = sent;
  const json: Record<string, unknown> & { confirmations: number; blockHash: string | null } = {
    txid,
    confirmations: 0,
    blockHash: null as string | null,
    from: tx.from,
    to: tx.to,
    amount: tx.amount.toString(),
    // Level 3: the most the tx can pay (gasLimit × gasPrice); exact for 21,000 gas.
    fee: (tx.kind === 'contract' ? maxFee(tx) : tx.fee).toString(),
    nonce: tx.nonce,
    ...(tx.kind === 'contract'
      ? { gasLimit: tx.gasLimit.toString(), gasPrice: tx.gasPrice.toString() }
      : {}),
  };
  if (opts.wait <= 0) {
    ctx.out.result(json, [
      `txid ${txid}`,
      `Waiting in the mempool; follow it with \`pnpm wallet -- status ${txid}\`.`,
    ]);
    return;
  }
  ctx.out.line(`txid ${txid}`);
  const waited = await waitForConfirmations(ctx, txid, opts.wait, opts.timeout);
  json.confirmations = waited.confirmations;
  json.blockHash = waited.blockHash;
  if (tx.kind === 'contract') {
    // Level 3: a payment to a contract runs its receive(), which may emit events or refuse
    // the coins (then REVERTED, exit 1): the receipt says which.
    const { ContractBook, reportReceipt, waitForReceipt } = await import('../contracts.js');
    const receipt = await waitForReceipt(ctx, txid, Date.now() + 30_000);
    const known = tx.to
      ? await new ContractBook(ctx.keystore.dir).get(spec.chainId, tx.to)
      : undefined;
    await reportReceipt(
      ctx,
      receipt,
      known?.abi,
      json,
      [],
      [
        `${formatAmount(tx.amount, spec)} arrived (${waited.confirmations} confirmation${waited.confirmations === 1 ? '' : 's'}).`,
      ],
    );
    return;
  }
  ctx.out.result(
    json,
    `Confirmed: ${waited.confirmations} confirmation${waited.confirmations === 1 ? '' : 's'}` +
      `${waited.blockHash ? ` (block ${waited.blockHash})` : ''}; ${formatAmount(tx.amount, spec)} arrived.`,
  );
}
