// `balance`: what the mempool reports for an address (docs/api.md): confirmations=0 counts
// pending txs too, 1 every tx in the active chain, k only blocks with ≥ k confirmations.
import type { Context } from '../context.js';
import { label } from '../context.js';
import { formatAmount } from '../amounts.js';
import { requireLedger } from '../spec.js';

export async function balance(
  ctx: Context,
  who: string | undefined,
  opts: { confirmations?: number },
): Promise<void> {
  const spec = ctx.spec;
  requireLedger(spec, 'balance');
  const target = await ctx.target(who);
  const client = await ctx.client();
  const n = opts.confirmations ?? 1;
  const r = await client.balance(target.address, n);
  const json = {
    address: target.address,
    balance: r.balance.toString(),
    confirmations: r.confirmations,
  };
  const lines = [
    `${label(target)}: ${formatAmount(r.balance, spec)} (${describeConfirmations(r.confirmations)})`,
  ];
  // Without an explicit --confirmations, a human also sees what pending txs change.
  if (opts.confirmations === undefined && !ctx.out.json) {
    const pending = await client.balance(target.address, 0);
    if (pending.balance !== r.balance) {
      lines.push(`with pending txs: ${formatAmount(pending.balance, spec)} (--confirmations 0)`);
    }
  }
  ctx.out.result(json, lines);
}

function describeConfirmations(n: number): string {
  if (n === 0) return 'including txs waiting in the mempool';
  if (n === 1) return 'txs in the chain, 1+ confirmation';
  return `txs with ${n}+ confirmations`;
}
