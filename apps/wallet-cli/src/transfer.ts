// Sending a tx, shared by `send`, `faucet`, `deploy` and `send-call`: pick the nonce, sign
// with core's signTx, push it to the mempool, and optionally wait for confirmations. On a
// level-3 chain a value transfer is a contract tx (type 2: data 0x, gas-metered), so that
// paying a contract runs its receive(), as on Ethereum.
import {
  isRuleError,
  signTx,
  txid as txidOf,
  TX_BASE_GAS,
  type SignedTx,
  type UnsignedContractTx,
  type UnsignedTransfer,
} from '@chainlab/core';
import type { ChainClient } from './client.js';
import type { Context } from './context.js';
import { WalletError } from './errors.js';
import { short } from './output.js';
import { formatAmount } from './amounts.js';
import { gasLimitFor, maxFee } from './gas.js';

export interface TransferRequest {
  key: Uint8Array;
  from: string;
  to: string;
  amount: bigint;
  /** Level 2: the flat fee. Level 3: ignored when gasPrice is set, else gasPrice = fee / 21,000. */
  fee: bigint;
  /** Level 3: base units per gas (default: see gas.ts). */
  gasPrice?: bigint | undefined;
  /** Explicit nonce (to replace a pending tx with a higher fee); default: the next free one. */
  nonce?: number | undefined;
}

export interface Sent {
  tx: SignedTx;
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

/** A tx to sign once its nonce is known. */
export interface SubmitRequest {
  key: Uint8Array;
  from: string;
  nonce?: number | undefined;
  unsigned: (nonce: number) => UnsignedTransfer | UnsignedContractTx;
}

/** What the sender must hold for `tx`: amount + fee, or amount + gasLimit × gasPrice. */
export function costOf(tx: SignedTx): bigint {
  return tx.amount + (tx.kind === 'contract' ? maxFee(tx) : tx.fee);
}

/**
 * Signs and pushes a tx. When the mempool answers BAD_NONCE — another tx of the same
 * sender got in meanwhile, or the node is a block behind the mempool — it recomputes the
 * nonce and tries again, up to 4 times half a second apart (not with an explicit nonce);
 * every other refusal is the mempool's, reported as is.
 */
export async function submitTx(ctx: Context, req: SubmitRequest): Promise<Sent> {
  const client = await ctx.client();
  const spec = ctx.spec;
  for (let attempt = 1; ; attempt++) {
    const nonce = req.nonce ?? (await nextNonce(client, req.from));
    let tx: SignedTx;
    try {
      const unsigned = req.unsigned(nonce);
      tx = unsigned.kind === 'contract' ? signTx(unsigned, req.key) : signTx(unsigned, req.key);
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
        const needs = formatAmount(costOf(tx), spec);
        const what = tx.kind === 'contract' ? 'amount + gasLimit × gasPrice' : 'amount + fee';
        throw new WalletError(
          e.code,
          available === undefined
            ? `${e.message} (the tx needs ${needs})`
            : `${req.from} has ${formatAmount(available, spec)} counting its pending txs; the tx needs ${needs} (${what})`,
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

/**
 * Signs and pushes a value transfer. Level 2: a transfer with a flat fee. Level 3: a
 * contract tx with data 0x — 21,000 gas to a key's address; to a contract, the gas its
 * receive() needs, estimated at the node's tip (see gas.ts).
 */
export async function submitTransfer(ctx: Context, req: TransferRequest): Promise<Sent> {
  const spec = ctx.spec;
  if (!ctx.level.features.contracts) {
    return submitTx(ctx, {
      key: req.key,
      from: req.from,
      nonce: req.nonce,
      unsigned: (nonce) => ({
        from: req.from,
        to: req.to,
        amount: req.amount,
        fee: req.fee,
        nonce,
        chainId: spec.chainId,
      }),
    });
  }
  const gasPrice = req.gasPrice ?? (req.fee + TX_BASE_GAS - 1n) / TX_BASE_GAS;
  const gasLimit = await gasLimitFor(ctx, {
    from: req.from,
    to: req.to,
    data: '0x',
    value: req.amount,
  });
  return submitTx(ctx, {
    key: req.key,
    from: req.from,
    nonce: req.nonce,
    unsigned: (nonce) => ({
      kind: 'contract',
      from: req.from,
      to: req.to,
      amount: req.amount,
      data: '0x',
      gasLimit,
      gasPrice,
      nonce,
      chainId: spec.chainId,
    }),
  });
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
