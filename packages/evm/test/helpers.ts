// Test helpers: a level-3 chain (core's Chain driving an EvmMachine) that mines blocks
// from txs with evmBlockTemplate, and tx builders signed with the devnet keys.
import {
  Chain,
  SignatureCache,
  loadSpec,
  privateKeyToAddress,
  signTx,
  solveBlock,
  type Block,
  type ChainSpec,
  type ContractTx,
  type ProcessResult,
  type Tx,
} from '@chainlab/core';
import { fileURLToPath } from 'node:url';
import {
  EvmMachine,
  compile,
  evmBlockTemplate,
  type CompiledContract,
  type EvmTemplate,
  type Receipt,
} from '@chainlab/evm';

/** devnet-contracts with an easy fixed target: every block solves in ~2 tries. */
export function easySpec(overrides: Record<string, unknown> = {}): ChainSpec {
  return loadSpec({
    extends: 'devnet-contracts',
    genesis: { bits: 0x207fffff },
    retarget: { rule: 'fixed' },
    ...overrides,
  });
}

export const NOW = 2_000_000_000;
/** Shared by every harness of a file: a signature is verified once, however many chains see it. */
const SIG_CACHE = new SignatureCache();
export const GWEI = 10n ** 9n;
export const MINER = '0x000000000000000000000000000000000000dEaD';

export class Harness {
  readonly chain: Chain;
  readonly machine: EvmMachine;
  private time: number;
  readonly keys: string[];
  readonly addresses: string[];
  private readonly nonces = new Map<string, number>();

  constructor(readonly spec: ChainSpec = easySpec()) {
    this.machine = new EvmMachine(spec);
    this.chain = new Chain(spec, this.machine, { sanity: { sigCache: SIG_CACHE } });
    this.time = spec.genesis.time;
    this.keys = spec.devKeys;
    this.addresses = this.keys.map((k) => privateKeyToAddress(k));
  }

  /** The next nonce of dev account `i` (tracks what this harness signed). */
  nextNonce(i: number): number {
    const a = this.addresses[i]!;
    const n = this.nonces.get(a) ?? this.machine.account(a).nonce;
    this.nonces.set(a, n + 1);
    return n;
  }

  resetNonces(): void {
    this.nonces.clear();
  }

  contractTx(
    i: number,
    to: string | null,
    data: string,
    opts: { amount?: bigint; gasLimit?: bigint; gasPrice?: bigint; nonce?: number } = {},
  ): ContractTx {
    return signTx(
      {
        kind: 'contract',
        to,
        data,
        amount: opts.amount ?? 0n,
        nonce: opts.nonce ?? this.nextNonce(i),
        chainId: this.spec.chainId,
        gasLimit: opts.gasLimit ?? 1_000_000n,
        gasPrice: opts.gasPrice ?? GWEI,
      },
      this.keys[i]!,
    );
  }

  /** A template on the tip with these candidates (nothing mined). */
  template(txs: Tx[], coinbase = MINER): EvmTemplate {
    this.time += 10;
    return evmBlockTemplate(this.chain, this.machine, { time: this.time, txs, coinbase });
  }

  /** Mines one block with `txs` on the tip; throws unless every tx made it in and the block was accepted. */
  mine(
    txs: Tx[],
    opts: { coinbase?: string; allowSkips?: boolean } = {},
  ): { block: Block; receipts: Receipt[]; result: ProcessResult } {
    const t = this.template(txs, opts.coinbase);
    if (!opts.allowSkips && t.skipped.length > 0)
      throw new Error(
        `template skipped txs: ${t.skipped.map((s) => `${s.code} ${s.message}`).join('; ')}`,
      );
    const block = solveBlock(t.block);
    const result = this.chain.processBlock(block, { now: NOW });
    if (result.status !== 'accepted')
      throw new Error(`block refused: ${result.error?.code} ${result.error?.message}`);
    return { block, receipts: this.machine.receiptsOf(block.hash)!, result };
  }

  /** Processes a block built elsewhere. */
  process(block: Block): ProcessResult {
    return this.chain.processBlock(block, { now: NOW });
  }

  close(): void {
    this.machine.close();
  }
}

/** Example contracts, compiled once per machine (solc's output is cached on disk by input hash). */
export const SOLC_CACHE = fileURLToPath(
  new URL('../node_modules/.cache/chainlab-solc', import.meta.url),
);
export function exampleContract(path: string, name?: string): CompiledContract {
  return compile(fileURLToPath(new URL(`../../../examples/${path}`, import.meta.url)), name, {
    cacheDir: SOLC_CACHE,
  });
}
