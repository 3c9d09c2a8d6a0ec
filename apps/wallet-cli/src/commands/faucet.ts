// `faucet`: devnet only — pays a wallet from one of the spec's dev accounts, whose keys are
// public (derived from well-known strings, like Hardhat's accounts).
import { privateKeyBytes, privateKeyToAddress, sameAddress } from '@chainlab/core';
import type { Context } from '../context.js';
import { label } from '../context.js';
import { formatAmount, parseAmount } from '../amounts.js';
import { WalletError } from '../errors.js';
import { requireLedger } from '../spec.js';
import { submitTransfer } from '../transfer.js';
import { defaultGasPrice } from '../gas.js';
import { finish } from './send.js';

export const DEFAULT_FAUCET_COINS = '100';

export interface FaucetOptions {
  amount?: string;
  wait: number;
  timeout: number;
}

export async function faucet(ctx: Context, recipient: string, opts: FaucetOptions): Promise<void> {
  const spec = ctx.spec;
  if (!spec.devnet) {
    throw new WalletError(
      'NOT_DEVNET',
      `the faucet pays from dev accounts, and chain ${spec.name} is not a devnet`,
    );
  }
  requireLedger(spec, 'faucet');
  if (spec.devKeys.length === 0)
    throw new WalletError('NOT_DEVNET', `chain ${spec.name} has no dev accounts to pay from`);
  const amount = parseAmount(opts.amount ?? DEFAULT_FAUCET_COINS, spec);
  const fee = spec.minFee;
  const to = await ctx.target(recipient);
  const client = await ctx.client();

  // The first dev account that can pay, counting its pending spends (confirmations=0).
  let payer: { index: number; key: string; address: string } | undefined;
  for (const [index, key] of spec.devKeys.entries()) {
    const address = privateKeyToAddress(key);
    if (sameAddress(address, to.address)) continue;
    const { balance } = await client.balance(address, 0);
    if (balance >= amount + fee) {
      payer = { index, key, address };
      break;
    }
  }
  if (!payer) {
    throw new WalletError(
      'INSUFFICIENT_FUNDS',
      `no dev account of ${spec.name} holds ${formatAmount(amount + fee, spec)} (amount + fee): ask for less with --amount`,
    );
  }
  const sent = await submitTransfer(ctx, {
    key: privateKeyBytes(payer.key),
    from: payer.address,
    to: to.address,
    amount,
    fee,
    gasPrice: ctx.level.features.contracts ? defaultGasPrice(spec) : undefined,
  });
  ctx.out.line(
    `Faucet: sent ${formatAmount(amount, spec)} from dev account ${payer.index} (${payer.address}) to ${label(to)} (nonce ${sent.tx.nonce})`,
  );
  await finish(ctx, sent, opts);
}
