// Level 2 (ledger): accounts with balances and nonces, signed transfers with a flat fee, a
// coinbase paying the miner. The state is core's LedgerState, in memory.
import {
  blockTemplate,
  LedgerMachine,
  RuleError,
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
   * Transfers best fee first (per sender by nonce), each applied to a scratch copy of the
   * tip state, until the block is full: a sender who cannot pay yet waits for a tx that pays
   * it, a tx that fails otherwise is left out with the rest of its sender's. No balance
   * goes negative whatever the mempool believed. Signatures were checked when the txs
   * arrived (apps/node/src/payload.ts), so this only orders and applies.
   */
  buildTemplate(chain: Chain, input: TemplateInput): Block {
    const scratch = this.machine.state.clone();
    const ctx = { chainId: this.spec.chainId, maxAmount: this.spec.maxAmount };
    let size = 100 + 200; // header + count, and a generous coinbase
    const chosen =
      input.txs?.select((tx) => {
        if (tx.kind !== 'transfer') return 'skip';
        const txBytes = txSize(tx) + 3; // + its length prefix
        if (size + txBytes > this.spec.maxBlockBytes) return 'full';
        try {
          scratch.applyTx(tx, ctx);
        } catch (e) {
          // not valid on our tip (yet): funds still to come, a used nonce, a gap, wrong chain…
          if (e instanceof RuleError && e.code === 'INSUFFICIENT_FUNDS') return 'wait';
          return tx.nonce < scratch.get(tx.from).nonce ? 'stale' : 'skip';
        }
        size += txBytes;
        return 'ok';
      }) ?? [];
    return blockTemplate(chain, {
      time: input.time,
      txs: chosen as TransferTx[],
      coinbase: input.coinbase,
    });
  }

  routes = async (server: Server, options: LevelRouteOptions): Promise<void> => {
    if (options.role === 'node') registerAccountRoute(server, this.accounts);
  };
}
