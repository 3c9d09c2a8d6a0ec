// Level 3 (contracts): accounts as at level 2, plus contract txs run by the EVM (a worker
// thread, @chainlab/evm). This module is the only one that imports the EVM; load.ts
// imports it dynamically, so a level-1 or level-2 process never loads it (nor viem, nor solc).
import type { Block, Chain, ChainSpec, SignatureCache, SignedTx, Tx } from '@chainlab/core';
import { EvmMachine, evmBlockTemplate } from '@chainlab/evm';
import type { Server } from '@chainlab/service';
import { registerAccountRoute } from '../account-route.js';
import type {
  AccountView,
  AdmissionPolicy,
  ChainLevel,
  LevelRouteOptions,
  TemplateInput,
} from '../chain-level.js';
import { CONTRACTS_LEVEL } from '../describe.js';
import { registerContractRoutes, registerReceiptRoute } from './routes.js';
import { CachedTipView } from './tip-view.js';

/**
 * A level-3 deploy carries up to 48 KiB of init code, ~96 KiB as hex: 256 KiB holds any
 * valid tx.
 */
export const CONTRACTS_PUSHTX_BODY_LIMIT = 256 * 1024;

export class ContractsLevel implements ChainLevel {
  readonly number = CONTRACTS_LEVEL.number;
  readonly name = CONTRACTS_LEVEL.name;
  readonly features = CONTRACTS_LEVEL.features;
  readonly machine: EvmMachine;
  readonly accounts: AccountView;

  constructor(
    readonly spec: ChainSpec,
    readonly sigCache: SignatureCache,
  ) {
    // The EVM (a worker thread); its receipts are rebuilt by the chain's replay on every start.
    this.machine = new EvmMachine(spec, { sigCache });
    const machine = this.machine;
    this.accounts = {
      account: (address) => {
        const a = machine.account(address);
        return { balance: a.balance, nonce: a.nonce, codeHash: a.codeHash, codeSize: a.codeSize };
      },
    };
  }

  carries(tx: Tx): tx is SignedTx {
    return tx.kind === 'transfer' || tx.kind === 'contract';
  }

  admission(chain: Chain): AdmissionPolicy {
    // The EVM state, read through a cache that lasts one tip.
    const view = new CachedTipView(chain, this.machine);
    return {
      pushTxBodyLimit: CONTRACTS_PUSHTX_BODY_LIMIT,
      tipState: view,
      contracts: {
        blockGasLimit: this.spec.blockGasLimit,
        minFee: this.spec.minFee,
        hasCode: (address) => view.hasCode(address),
      },
    };
  }

  /**
   * The candidates run on the tip state, skipping what a valid block may not hold; the
   * template is only valid for this time (contracts read TIMESTAMP), so it is rebuilt
   * whole, never just re-timed.
   */
  buildTemplate(chain: Chain, input: TemplateInput): Block {
    if (input.coinbase === undefined) throw new Error('a level-3 template needs a coinbase');
    return evmBlockTemplate(chain, this.machine, {
      time: input.time,
      txs: input.txs?.candidates() ?? [],
      coinbase: input.coinbase,
    }).block;
  }

  routes = async (server: Server, options: LevelRouteOptions): Promise<void> => {
    if (options.role === 'mempool') {
      registerReceiptRoute(server, this.machine);
      return;
    }
    registerAccountRoute(server, this.accounts);
    registerContractRoutes(server, this.machine);
    await options.ethRpc?.(server, this.machine);
  };
}
