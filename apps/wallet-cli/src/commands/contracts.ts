// Level 3 (docs/wallet.md): `deploy` compiles a Solidity file with the bundled solc and sends a
// deploy tx; `call` runs a function read-only at the node's tip (POST /call, no tx, no
// fee); `send-call` sends a contract tx and, with --wait, shows its receipt: status, gas,
// events, revert reason. @chainlab/evm (solc, viem) is loaded only by these commands.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { contractAddress } from '@chainlab/core';
import type { Abi } from 'viem';
import { formatAmount, parseAmount } from '../amounts.js';
import { checkAddress, label, type Context } from '../context.js';
import {
  ContractBook,
  humanValue,
  jsonValue,
  keyNames,
  reportReceipt,
  requireContracts,
  resolveArgs,
  waitForReceipt,
} from '../contracts.js';
import { UsageError, WalletError } from '../errors.js';
import {
  defaultGasPrice,
  FALLBACK_GAS_LIMIT,
  formatGasPrice,
  maxFee,
  parseGasLimit,
  parseGasPrice,
  planGas,
} from '../gas.js';
import { short } from '../output.js';
import { submitTx, waitForConfirmations, type Sent } from '../transfer.js';

/** Compiler outputs are cached here, keyed by source and compiler: a second deploy of a file compiles in a millisecond. */
export const SOLC_CACHE_DIR = path.join(tmpdir(), 'chainlab-solc-cache');
/** How long the node may take to serve a receipt once the mempool counts the tx confirmed. */
const RECEIPT_GRACE_MS = 30_000;

const evm = () => import('@chainlab/evm');

interface TxOptions {
  from?: string;
  value?: string;
  gasLimit?: string;
  gasPrice?: string;
  wait: number;
  timeout: number;
}

export interface DeployOptions extends TxOptions {
  contract?: string;
  args?: string[];
  includePath?: string[];
}

export interface CallOptions {
  from?: string;
}

function txSettings(ctx: Context, opts: TxOptions) {
  const spec = ctx.spec;
  return {
    value: opts.value === undefined ? 0n : parseAmount(opts.value, spec, '--value', true),
    gasPrice: opts.gasPrice === undefined ? defaultGasPrice(spec) : parseGasPrice(opts.gasPrice),
    gasLimit: opts.gasLimit === undefined ? undefined : parseGasLimit(opts.gasLimit),
  };
}

function gasText(ctx: Context, sent: Sent): string {
  const tx = sent.tx;
  if (tx.kind !== 'contract') return '';
  return `gas ${tx.gasLimit} × ${formatGasPrice(tx.gasPrice)} = ${formatAmount(maxFee(tx), ctx.spec)} at most`;
}

/** Without --wait: the result now. With it: confirmations, then the receipt. */
async function finishContractTx(
  ctx: Context,
  sent: Sent,
  opts: TxOptions,
  json: Record<string, unknown>,
  header: string[],
  abi: Abi | undefined,
): Promise<void> {
  const { txid } = sent;
  if (opts.wait <= 0) {
    ctx.out.result(json, [
      ...header,
      `Waiting in the mempool; follow it with \`pnpm wallet -- status ${txid}\` (it shows the receipt once mined).`,
    ]);
    return;
  }
  for (const line of header) ctx.out.line(line);
  const waited = await waitForConfirmations(ctx, txid, opts.wait, opts.timeout);
  json.confirmations = waited.confirmations;
  json.blockHash = waited.blockHash;
  const receipt = await waitForReceipt(ctx, txid, Date.now() + RECEIPT_GRACE_MS);
  await reportReceipt(ctx, receipt, abi, json, []);
}

// ---- deploy ----

export async function deploy(ctx: Context, file: string, opts: DeployOptions): Promise<void> {
  const spec = ctx.spec;
  requireContracts(spec, 'deploy');
  if (!existsSync(file) || !file.endsWith('.sol'))
    throw new UsageError(`not a Solidity file: ${file}`, 'FILE_NOT_FOUND');
  const { compile, CompileError, encodeDeploy, solcVersion } = await evm();
  ctx.out.progress(`compiling ${file} with solc…`);
  let compiled;
  try {
    compiled = compile(file, opts.contract, {
      cacheDir: SOLC_CACHE_DIR,
      includePaths: opts.includePath ?? [],
    });
  } catch (e) {
    if (e instanceof CompileError) {
      const detail = e.errors.length > 0 ? `\n${e.errors.join('\n')}` : '';
      throw new WalletError('COMPILE_ERROR', `${e.message.split('\n')[0]}${detail}`);
    }
    throw e;
  }
  ctx.out.endProgress();
  const ctor = compiled.abi.find((i) => i.type === 'constructor') as
    { inputs: readonly import('viem').AbiParameter[] } | undefined;
  const args = await resolveArgs(
    ctx,
    ctor?.inputs ?? [],
    opts.args ?? [],
    `the constructor of ${compiled.contractName}`,
  );
  let data: string;
  try {
    data = encodeDeploy(compiled, args);
  } catch (e) {
    throw new UsageError(`constructor arguments: ${firstLine(e)}`, 'BAD_ARGS');
  }
  const { value, gasPrice, gasLimit } = txSettings(ctx, opts);
  const key = await ctx.key(opts.from);
  const plan = await planGas(ctx, {
    from: key.address,
    to: null,
    data,
    value,
    gasLimit,
    abi: compiled.abi,
  });
  const privateKey = await ctx.unlock(key);
  const sent = await submitTx(ctx, {
    key: privateKey,
    from: key.address,
    unsigned: (nonce) => ({
      kind: 'contract',
      to: null,
      amount: value,
      data,
      gasLimit: plan.gasLimit,
      gasPrice,
      nonce,
      chainId: spec.chainId,
    }),
  });
  // Ethereum's CREATE address: known before the block is mined.
  const address = contractAddress(key.address, sent.tx.nonce);
  await new ContractBook(ctx.keystore.dir)
    .remember(spec.chainId, address, {
      name: compiled.contractName,
      source: file,
      abi: compiled.abi,
      deployer: key.address,
      txid: sent.txid,
    })
    .catch((e: unknown) =>
      ctx.out.note(`warning: could not remember the contract's ABI: ${(e as Error).message}`),
    );
  const json: Record<string, unknown> = {
    address,
    txid: sent.txid,
    contract: compiled.contractName,
    confirmations: 0,
    blockHash: null,
    from: key.address,
    nonce: sent.tx.nonce,
    gasLimit: plan.gasLimit.toString(),
    gasPrice: gasPrice.toString(),
  };
  const header = [
    `Deploying ${compiled.contractName} (${(data.length - 2) / 2} bytes, solc ${solcVersion().split('+')[0]}) from ${label(key)} (nonce ${sent.tx.nonce}, ${gasText(ctx, sent)})`,
    `address ${address}`,
    `txid ${sent.txid}`,
  ];
  await finishContractTx(ctx, sent, opts, json, header, compiled.abi);
}

// ---- call ----

export async function call(
  ctx: Context,
  address: string,
  signature: string,
  args: string[],
  opts: CallOptions,
): Promise<void> {
  const spec = ctx.spec;
  requireContracts(spec, 'call');
  const to = checkAddress(address);
  const { decodeCallResult, decodeRevert } = await evm();
  const { fn, data } = await encode(ctx, signature, args);
  const from = opts.from === undefined ? undefined : (await ctx.target(opts.from)).address;
  const client = await ctx.client();
  const r = await client.callContract({ to, data, ...(from ? { from } : {}) });
  const known = await new ContractBook(ctx.keystore.dir).get(spec.chainId, to);
  if (r.status === 0) {
    const reason = r.revertReason ?? (known ? decodeRevert(r.result, known.abi) : undefined);
    const why =
      reason !== undefined
        ? `: ${reason}`
        : r.error && r.error !== 'revert'
          ? ` (${r.error})`
          : ' (no reason given)';
    throw new WalletError('REVERTED', `the call reverts${why}`, {
      status: 0,
      evmError: r.error ?? null,
      ...(reason !== undefined ? { revertReason: reason } : {}),
      output: r.result,
    });
  }
  if (r.result === '0x' && (await client.code(to)) === '0x') {
    throw new WalletError(
      'NO_CODE',
      `no contract at ${to} on the node's active chain (its deploy is not mined yet, or a reorg removed it)`,
    );
  }
  let values: unknown[];
  try {
    values = decodeCallResult(signature, r.result);
  } catch (e) {
    throw new WalletError(
      'BAD_RESULT',
      `cannot decode the answer ${short(r.result, 42, 8)} as (${fn.outputs.map((o) => o.type).join(',')}): ${firstLine(e)}`,
    );
  }
  const names = await keyNames(ctx);
  const json: Record<string, unknown> = { result: values.map(jsonValue) };
  if (fn.outputs.length === 0) json.data = r.result;
  const human =
    fn.outputs.length > 0
      ? values.map((v) => humanValue(v, names))
      : [
          r.result === '0x'
            ? 'ok (the call succeeded; no return types given)'
            : `${r.result} (raw: give return types, e.g. "${fn.name}(…)(uint256)", to decode)`,
        ];
  ctx.out.result(json, human);
}

// ---- send-call ----

export async function sendCall(
  ctx: Context,
  address: string,
  signature: string,
  args: string[],
  opts: TxOptions,
): Promise<void> {
  const spec = ctx.spec;
  requireContracts(spec, 'send-call');
  const to = checkAddress(address);
  const { fn, data } = await encode(ctx, signature, args);
  const { value, gasPrice, gasLimit } = txSettings(ctx, opts);
  const key = await ctx.key(opts.from);
  const client = await ctx.client();
  let planned = gasLimit;
  if (planned === undefined && (await client.codeSize(to)) === 0) {
    planned = FALLBACK_GAS_LIMIT < spec.blockGasLimit ? FALLBACK_GAS_LIMIT : spec.blockGasLimit;
    ctx.out.note(
      `warning: no contract at ${to} at the node's tip (is its deploy still pending?); sending with gasLimit ${planned}`,
    );
  }
  const known = await new ContractBook(ctx.keystore.dir).get(spec.chainId, to);
  const plan = await planGas(ctx, {
    from: key.address,
    to,
    data,
    value,
    gasLimit: planned,
    abi: known?.abi,
  });
  const privateKey = await ctx.unlock(key);
  const sent = await submitTx(ctx, {
    key: privateKey,
    from: key.address,
    unsigned: (nonce) => ({
      kind: 'contract',
      to,
      amount: value,
      data,
      gasLimit: plan.gasLimit,
      gasPrice,
      nonce,
      chainId: spec.chainId,
    }),
  });
  const json: Record<string, unknown> = {
    txid: sent.txid,
    confirmations: 0,
    blockHash: null,
    from: key.address,
    to,
    function: fn.name,
    amount: value.toString(),
    nonce: sent.tx.nonce,
    gasLimit: plan.gasLimit.toString(),
    gasPrice: gasPrice.toString(),
  };
  const valueText = value > 0n ? ` with ${formatAmount(value, spec)}` : '';
  const header = [
    `Called ${signature.trim()} on ${to}${known ? ` (${known.name})` : ''}${valueText} from ${label(key)} (nonce ${sent.tx.nonce}, ${gasText(ctx, sent)})`,
    `txid ${sent.txid}`,
  ];
  await finishContractTx(ctx, sent, opts, json, header, known?.abi);
}

// ---- shared ----

async function encode(ctx: Context, signature: string, args: string[]) {
  const { encodeCall, parseFunctionSignature } = await evm();
  let fn;
  try {
    fn = parseFunctionSignature(signature);
  } catch (e) {
    throw new UsageError(
      `${firstLine(e)} (e.g. "balanceOf(address)(uint256)": name, argument types, return types)`,
      'BAD_SIGNATURE',
    );
  }
  const resolved = await resolveArgs(ctx, fn.inputs, args, `${fn.name}(…)`);
  let data: string;
  try {
    data = encodeCall(signature, resolved);
  } catch (e) {
    throw new UsageError(`arguments of ${fn.name}: ${firstLine(e)}`, 'BAD_ARGS');
  }
  return { fn, data };
}

function firstLine(e: unknown): string {
  return ((e as Error)?.message ?? String(e)).split('\n')[0]!.trim();
}
