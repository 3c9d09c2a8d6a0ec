// `status <txid>`: confirmations (GET /confirmations/:txid) and, when the mempool serves
// GET /tx/:txid, the tx itself.
import type { Context } from '../context.js';
import { formatAmount, parseUnits } from '../amounts.js';
import { UsageError } from '../errors.js';
import { table } from '../output.js';

export const TXID_RE = /^0x[0-9a-fA-F]{64}$/;

export async function status(ctx: Context, txidArg: string): Promise<void> {
  if (!TXID_RE.test(txidArg))
    throw new UsageError(`not a txid (0x + 64 hex digits): ${JSON.stringify(txidArg)}`, 'BAD_TXID');
  const txid = txidArg.toLowerCase();
  const client = await ctx.client();
  const c = await client.confirmations(txid);
  const info = await client.tx(txid).catch(() => undefined);
  const tx = info?.tx;
  const json: Record<string, unknown> = {
    txid,
    confirmations: c.confirmations,
    blockHash: c.blockHash,
  };
  if (info?.blockHeight !== undefined) json.blockHeight = info.blockHeight;
  if (tx) json.tx = tx;
  const pending =
    info?.status === 'held'
      ? 'pending: held in the mempool until an earlier nonce of its sender arrives (0 confirmations)'
      : 'pending: waiting in the mempool (0 confirmations)';
  const rows: string[][] = [
    ['txid', txid],
    [
      'status',
      c.confirmations === 0
        ? pending
        : `confirmed: ${c.confirmations} confirmation${c.confirmations === 1 ? '' : 's'}`,
    ],
  ];
  if (c.blockHash)
    rows.push([
      'block',
      info?.blockHeight !== undefined ? `${c.blockHash} (height ${info.blockHeight})` : c.blockHash,
    ]);
  if (tx) {
    const spec = ctx.spec;
    const amount = parseUnits(tx.amount);
    const fee = parseUnits(tx.fee);
    rows.push(['from', tx.from ?? '(coinbase)'], ['to', tx.to ?? '(contract deploy)']);
    if (amount !== undefined) rows.push(['amount', formatAmount(amount, spec)]);
    const gas = tx as { gasLimit?: unknown; gasPrice?: unknown };
    if (typeof gas.gasLimit === 'string' && typeof gas.gasPrice === 'string')
      rows.push(['gas', `limit ${gas.gasLimit}, price ${gas.gasPrice} base units per gas`]);
    else if (fee !== undefined) rows.push(['fee', formatAmount(fee, spec)]);
    rows.push(['nonce', String(tx.nonce)]);
  }
  // Level 3: once mined, the receipt (from the node) says what the tx did.
  if (ctx.level.features.contracts && c.confirmations > 0) {
    const receipt = await client.receipt(txid).catch(() => undefined);
    if (receipt) {
      json.receipt = receipt;
      rows.push([
        'result',
        receipt.status === 1
          ? 'status 1 (success)'
          : `status 0 (failed: ${receipt.error ?? 'reverted'}${receipt.revertReason ? `: ${receipt.revertReason}` : ''})`,
      ]);
      rows.push([
        'gas used',
        `${receipt.gasUsed} (fee ${formatAmount(BigInt(receipt.fee), ctx.spec)})`,
      ]);
      if (receipt.contractAddress) rows.push(['contract', receipt.contractAddress]);
      if (receipt.logs.length > 0) rows.push(['events', `${receipt.logs.length} log(s)`]);
    }
  }
  ctx.out.result(json, table(rows, '  '));
}
