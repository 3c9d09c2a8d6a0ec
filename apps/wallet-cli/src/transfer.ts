// Sending a transfer, shared by `send` and `faucet`: pick the nonce, sign with core's
// signTx, push it to the mempool, and optionally wait for confirmations.
import { isRuleError, signTx, txid as txidOf, type TransferTx } from '@chainlab/core';
import type { ChainClient } from './client.js';
import type { Context } from './context.js';
import { WalletError } from './errors.js';
import { short } from './output.js';
import { formatAmount } from './amounts.js';

export interface TransferRequest {
  key: Uint8Array;
  from: string;
  to: string;
  amount: bigint;
  fee: bigint;
  /** Explicit nonce (to replace a pending tx with a higher fee); default: the next free one. */
  nonce?: number | undefined;
}

export interface Sent {
  tx: TransferTx;
  txid: string;
}

/**
 * The sender's next nonce: the node's account nonce (txs already mined), moved past the
 * sender's txs waiting in the mempool — so two quick sends get consecutive nonces. Pending
 * nonces below the account nonce (mined, not yet dropped by the mempool) are skipped.
 */
export async function nextNonce(client: ChainClient, address: string): Promise<number> {
  const [account, pending] = await Promise.all([client.account(address), client.unprocessed()]);
  const mine = address.toLowerCase();
  const used = new Set(
    pending
      .filter((t) => typeof t.from === 'string' && t.from.toLowerCase() === mine)
      .map((t) => t.nonce),
  );
  let nonce = account.nonce;
  while (used.has(nonce)) nonce++;
  return nonce;
}

const NONCE_ATTEMPTS = 4;
const NONCE_RETRY_MS = 500;

/**
 * Signs and pushes a transfer. When the mempool answers BAD_NONCE — another tx of the same
 * sender got in meanwhile, or the node is a block behind the mempool — it recomputes the
 * nonce and tries again, up to 4 times half a second apart (not with an explicit --nonce);
 * every other refusal is the mempool's, reported as is.
 */
export async function submitTransfer(ctx: Context, req: TransferRequest): Promise<Sent> {
  const client = await ctx.client();
  const spec = ctx.spec;
  for (let attempt = 1; ; attempt++) {
    const nonce = req.nonce ?? (await nextNonce(client, req.from));
    let tx: TransferTx;
    try {
      tx = signTx(
        {
          from: req.from,
          to: req.to,
          amount: req.amount,
          fee: req.fee,
          nonce,
          chainId: spec.chainId,
        },
        req.key,
      );
    } catch (e) {
      if (isRuleError(e)) throw new WalletError(e.code, e.message);
      throw e;
    }
    try {
      const txid = await client.pushTx(tx);
      const expected = txidOf(tx);
      if (txid.toLowerCase() !== expected) {
        ctx.out.note(`warning: the mempool answered txid ${txid}, the wallet computed ${expected}`);
      }
      return { tx, txid };
    } catch (e) {
      if (e instanceof WalletError && e.code === 'WRONG_CHAIN') {
        throw new WalletError(
          e.code,
          `${e.message} (the wallet signs for chain ${spec.name}, chainId ${spec.chainId}: pass the network's --spec)`,
        );
      }
      if (e instanceof WalletError && e.code === 'INSUFFICIENT_FUNDS') {
        const available = await client
          .balance(req.from, 0)
          .then((b) => b.balance)
          .catch(() => undefined);
        const needs = formatAmount(req.amount + req.fee, spec);
        throw new WalletError(
          e.code,
          available === undefined
            ? `${e.message} (the tx needs ${needs})`
            : `${req.from} has ${formatAmount(available, spec)} counting its pending txs; the tx needs ${needs} (amount + fee)`,
        );
      }
      if (
        req.nonce !== undefined ||
        attempt >= NONCE_ATTEMPTS ||
        !(e instanceof WalletError) ||
        e.code !== 'BAD_NONCE'
      )
        throw e;
      // The node answering /account may be a block behind the mempool: give it a moment.
      await new Promise((r) => setTimeout(r, NONCE_RETRY_MS));
    }
  }
}

export interface Waited {
  confirmations: number;
  blockHash: string | null;
}

/**
 * Polls `GET /confirmations/:txid` until it reports at least `target`, showing a live
 * progress line (one plain line per change when stderr is not a terminal). A txid the
 * mempool does not know (yet) or a mempool that stops answering is waited out; after
 * `timeoutSeconds` it fails with TIMEOUT (exit 1), saying how far it got.
 */
export async function waitForConfirmations(
  ctx: Context,
  txid: string,
  target: number,
  timeoutSeconds: number,
  pollMs = 500,
): Promise<Waited> {
  const client = await ctx.client();
  const started = Date.now();
  const deadline = started + timeoutSeconds * 1000;
  let state: Waited = { confirmations: 0, blockHash: null };
  let lastError: WalletError | undefined;
  let lastShown = '';
  const plural = target === 1 ? '' : 's';
  for (;;) {
    try {
      const c = await client.confirmations(txid);
      state = { confirmations: c.confirmations, blockHash: c.blockHash };
      lastError = undefined;
    } catch (e) {
      if (
        !(e instanceof WalletError) ||
        !['TX_NOT_FOUND', 'UNREACHABLE', 'TIMEOUT'].includes(e.code)
      )
        throw e;
      lastError = e;
    }
    if (state.confirmations >= target) {
      ctx.out.endProgress();
      return state;
    }
    const where = lastError
      ? lastError.code === 'TX_NOT_FOUND'
        ? 'not known to the mempool'
        : lastError.code.toLowerCase()
      : state.blockHash
        ? `in block ${short(state.blockHash)}`
        : 'in the mempool';
    const text = `waiting for ${target} confirmation${plural} of ${short(txid)}: ${state.confirmations}/${target} (${where})`;
    const elapsed = Math.floor((Date.now() - started) / 1000);
    const live = `${text} ${elapsed}s`;
    if (ctx.out.live ? live !== lastShown : text !== lastShown)
      ctx.out.progress(ctx.out.live ? live : text);
    lastShown = ctx.out.live ? live : text;
    const now = Date.now();
    if (now >= deadline) {
      throw new WalletError(
        'TIMEOUT',
        `gave up after ${timeoutSeconds} s waiting for ${target} confirmation${plural} of ${txid} ` +
          `(it has ${state.confirmations}${lastError ? `; last answer: ${lastError.code}` : ''}); ` +
          'it may still confirm: check with `pnpm wallet -- status <txid>`',
        { txid, confirmations: state.confirmations },
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(pollMs, deadline - now)));
  }
}
