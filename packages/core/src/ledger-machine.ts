// Plugs the level-2 ledger into the block tree: chain.ts drives a StateMachine, and this
// one applies each connected block's txs to a LedgerState and undoes them on a reorg.
import { RuleError } from './errors.js';
import { LedgerState, type BlockUndo } from './state.js';
import type { SignatureCache } from './sig-cache.js';
import type { ConnectResult, StateMachine } from './state-machine.js';
import { isTxBlock, type Block, type ChainSpec } from './types.js';

export interface LedgerMachineOptions {
  /** A state restored from storage (already at the chain's tip); default: a fresh genesis state. */
  state?: LedgerState;
  /** Re-verify transfer signatures on connect (normally block sanity checks already did). */
  verifySignatures?: boolean;
  sigCache?: SignatureCache;
}

export class LedgerMachine implements StateMachine<BlockUndo> {
  readonly state: LedgerState;

  constructor(
    readonly spec: ChainSpec,
    private readonly options: LedgerMachineOptions = {},
  ) {
    if (options.state) {
      this.state = options.state;
    } else {
      // The chain never "connects" genesis: its allocations are the starting state.
      this.state = new LedgerState();
      this.state.applyGenesis(spec.genesis.allocations);
    }
  }

  /** `touched` lists EIP-55 addresses. */
  connect(block: Block): ConnectResult<BlockUndo> {
    if (!isTxBlock(block)) throw new RuleError('MALFORMED_BLOCK', 'a ledger chain carries txs');
    const result = this.state.applyBlockTxs(block.txs, {
      height: block.height,
      chainId: this.spec.chainId,
      spec: this.spec,
      verifySignatures: this.options.verifySignatures ?? false,
      sigCache: this.options.sigCache,
    });
    return { undo: result.undo, touched: result.changed.map((c) => c.address) };
  }

  disconnect(_block: Block, undo: BlockUndo): string[] {
    return this.state.undoBlock(undo).map((c) => c.address);
  }
}
