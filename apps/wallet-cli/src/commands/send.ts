// `send`: a transfer from a key of the keystore, optionally waiting for confirmations.
import type { Context } from '../context.js';
import { label } from '../context.js';
import { formatAmount, parseAmount } from '../amounts.js';
import { requireLedger } from '../spec.js';
import { submitTransfer, waitForConfirmations, type Sent } from '../transfer.js';

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
  const sent = await submitTransfer(ctx, {
    key: privateKey,
    from: key.address,
    to: to.address,
    amount,
    fee,
    nonce: opts.nonce,
  });
  ctx.out.line(
    `Sent ${formatAmount(amount, spec)} from ${label(key)} to ${label(to)} (fee ${formatAmount(fee, spec)}, nonce ${sent.tx.nonce})`,
  );
  await finish(ctx, sent, opts);
}

/** Prints the txid, waits for `opts.wait` confirmations if asked, then the result. */
export async function finish(
  ctx: Context,
  sent: Sent,
  opts: { wait: number; timeout: number },
): Promise<void> {
  const spec = ctx.spec;
  const { tx, txid } = sent;
  const json = {
    txid,
    confirmations: 0,
    blockHash: null as string | null,
    from: tx.from,
    to: tx.to,
    amount: tx.amount.toString(),
    fee: tx.fee.toString(),
    nonce: tx.nonce,
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
  ctx.out.result(
    json,
    `Confirmed: ${waited.confirmations} confirmation${waited.confirmations === 1 ? '' : 's'}` +
      `${waited.blockHash ? ` (block ${waited.blockHash})` : ''}; ${formatAmount(tx.amount, spec)} arrived.`,
  );
}
