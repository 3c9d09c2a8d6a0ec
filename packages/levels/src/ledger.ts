// Level 2 (ledger): accounts with balances and nonces, signed transfers with a flat fee, a
// coinbase paying the miner. The state is core's LedgerState, in memory.
import {
  blockTemplate,
  checkTxSignature,
  LedgerMachine,
  txSize,
  type Block,
  type Chain,
  type ChainSpec,
  type SignatureCache,
  type TransferTx,
  type Tx,
} from '@chainlab/core';
import type { Server } from '@chainlab/service';
import { registerAccountRoute } from './account-route.js';
import type {
  AccountView,
  AdmissionPolicy,
  ChainLevel,
  LevelRouteOptions,
  TemplateInput,
} from './chain-level.js';
import { LEDGER_LEVEL } from './describe.js';

/**
 * A transfer is 150 bytes on the wire and ~330 as JSON: 64 KiB is plenty for /pushtx, and
 * cheap to refuse.
 */
export const LEDGER_PUSHTX_BODY_LIMIT = 64 * 1024;

export class LedgerLevel implements ChainLevel {
  readonly number = LEDGER_LEVEL.number;
  readonly name = LEDGER_LEVEL.name;
  readonly features = LEDGER_LEVEL.features;
  readonly machine: LedgerMachine;
  readonly accounts: AccountView;

  constructor(
    readonly spec: ChainSpec,
    readonly sigCache: SignatureCache,
  ) {
    this.machine = new LedgerMachine(spec, { sigCache });
    const state = this.machine.state;
    this.accounts = {
      account: (address) => {
        const { balance, nonce } = state.get(address);
        return { balance, nonce };
      },
    };
  }

  carries(tx: Tx): tx is TransferTx {
    return tx.kind === 'transfer';
  }

  admission(): AdmissionPolicy {
    // The chain's LedgerState, updated in place as the chain moves.
    return { pushTxBodyLimit: LEDGER_PUSHTX_BODY_LIMIT, tipState: this.machine.state };
  }

  /**
   * Transfers in the mempool's order (per sender by nonce), each applied to a scratch copy
   * of the tip state and skipped if it fails there, until the block is full: no balance
   * goes negative whatever the mempool believed.
   */
  buildTemplate(chain: Chain, input: TemplateInput): Block {
    const scratch = this.machine.state.clone();
    const ctx = { chainId: this.spec.chainId, maxAmount: this.spec.maxAmount };
    const chosen: TransferTx[] = [];
    let size = 100 + 200; // header + count, and a generous coinbase
    for (const tx of input.txs?.pending() ?? []) {
      if (tx.kind !== 'transfer') continue;
      const txBytes = txSize(tx) + 3; // + its length prefix
      if (size + txBytes > this.spec.maxBlockBytes) break;
      try {
        checkTxSignature(tx, this.sigCache);
        scratch.applyTx(tx, ctx);
        chosen.push(tx);
        size += txBytes;
      } catch {
        // not valid on our tip (yet): nonce gap, spent funds, wrong chain… leave it
      }
    }
    return blockTemplate(chain, { time: input.time, txs: chosen, coinbase: input.coinbase });
  }

  routes = async (server: Server, options: LevelRouteOptions): Promise<void> => {
    if (options.role === 'node') registerAccountRoute(server, this.accounts);
  };
}
