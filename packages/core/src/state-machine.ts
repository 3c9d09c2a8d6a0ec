// What a chain level does to state when a block is connected or disconnected. The block
// tree (chain.ts) drives it; each level plugs in its own: none for data chains, balances
// and nonces for ledgers, the EVM for contracts.
import type { Block } from './types.js';

export interface ConnectResult<U> {
  /** What disconnect needs to restore the state exactly as it was before the block. */
  undo: U;
  /** Keys of the state entries the block changed, so storage can persist just those. */
  touched: string[];
}

export interface StateMachine<U = unknown> {
  /** Applies a block on top of the current state. Throws a RuleError and changes nothing if invalid. */
  connect(block: Block): ConnectResult<U>;
  /** Reverts the block that was connected last. Returns the keys it changed. */
  disconnect(block: Block, undo: U): string[];
}

/** Level 1: data chains have no state. */
export class NoState implements StateMachine<null> {
  connect(): ConnectResult<null> {
    return { undo: null, touched: [] };
  }
  disconnect(): string[] {
    return [];
  }
}
