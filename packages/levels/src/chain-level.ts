// A chain's level decides what its blocks carry and what a service does with them: data
// items (1), signed transfers between accounts (2), contract txs run by the EVM (3). The
// level is read from the chain spec once, at start (load.ts), and every service asks the
// ChainLevel it got instead of testing the level number: the level supplies its state
// machine, its block template, the mempool's admission policy, the account view and its
// extra routes. A new level is a new implementation of this interface (docs/architecture.md).
import type {
  AccountState,
  Block,
  Chain,
  ChainSpec,
  LevelNumber,
  SignatureCache,
  SignedTx,
  StateMachine,
  Tx,
} from '@chainlab/core';
import type { EvmMachine } from '@chainlab/evm';
import type { Server } from '@chainlab/service';

export type LevelName = 'data' | 'ledger' | 'contracts';

/** What a chain of a level has: the questions the wallet and the services' wiring ask. */
export interface LevelFeatures {
  /** Blocks carry data items posted to a node (POST /data); no accounts, no coinbase. */
  dataItems: boolean;
  /** Accounts with balances and nonces, signed txs, a mempool, a coinbase paying the miner. */
  accounts: boolean;
  /** Contract txs run by the EVM: gas, receipts, code and storage. */
  contracts: boolean;
}

/** A level without its machinery: what describeLevel(spec) answers, loading nothing. */
export interface LevelDescription {
  readonly number: LevelNumber;
  readonly name: LevelName;
  readonly features: LevelFeatures;
}

/** An account at the tip as GET /account/:address shows it. */
export interface AccountInfo {
  balance: bigint;
  nonce: number;
  /** Level 3: the hash and size of the account's code (a key's account: empty code). */
  codeHash?: string;
  codeSize?: number;
}

/** Balance, nonce and (level 3) code of any account, at the chain's tip. */
export interface AccountView {
  account(address: string): AccountInfo;
}

/** How the mempool decides what enters the pool (apps/mempool/src/pool.ts applies it). */
export interface AdmissionPolicy {
  /** Largest POST /pushtx body in bytes: a bigger one is 413 TOO_LARGE before it is read. */
  pushTxBodyLimit: number;
  /** The tip state the pool checks balances and nonces against. */
  tipState: { get(address: string): AccountState };
  /** Level 3: the stateless contract-tx rules, and whether code lives at an address. */
  contracts?: { blockGasLimit: bigint; minFee: bigint; hasCode(address: string): boolean };
}

/** The pending txs a template may draw from, in the mempool's inclusion order. */
export interface PendingTxs {
  /** Every pending tx in arrival order; each one's signature was checked on the way in. */
  candidates(): SignedTx[];
  /**
   * Picks txs in fee order, per sender by nonce. `tryApply` applies a tx to the template's
   * scratch state and answers what became of it (TxVerdict); stops at 'full'.
   */
  select(tryApply: (tx: SignedTx) => TxVerdict): SignedTx[];
}

/**
 * What a template did with a candidate: 'ok' taken; 'wait' its sender cannot pay yet (the
 * funds come from another pending tx: parked until one pays it); 'stale' a nonce the chain
 * already used (the sender's next tx may still apply); 'skip' the rest of that sender's txs
 * cannot follow; 'full' the block is full.
 */
export type TxVerdict = 'ok' | 'wait' | 'stale' | 'skip' | 'full';

/** What the miner hands the level to build the next block on the tip. */
export interface TemplateInput {
  /** The block's time (the level may raise it to the median time past + 1). */
  time: number;
  /** Who the coinbase pays; undefined on a level without one. */
  coinbase: string | undefined;
  /** Level 1: the queued data items (DataQueue.take()). */
  data: () => readonly string[];
  /** Levels 2–3: the pending txs. */
  txs: PendingTxs | undefined;
}

/** What a service hands a level's route plugin. */
export interface LevelRouteOptions {
  /** The node serves the level's whole API; the mempool only what it shares (receipts). */
  role: 'node' | 'mempool';
  /** Node, level 1: the queue POST /data adds to; add() resolves once the item is durable. */
  dataQueue?: { add(item: string): Promise<void>; readonly size: number } | null;
  /** Node: new payload arrived (the miner rebuilds its template). */
  payloadChanged?: () => void;
  /**
   * Node, level 3: registers the Ethereum JSON-RPC (apps/node/src/eth-rpc) on the same
   * server. The node passes it on every level; only the contracts level calls it, so a
   * level-1 or level-2 node never loads the RPC module (nor the EVM behind it).
   */
  ethRpc?: (server: Server, machine: EvmMachine) => Promise<void>;
}

/** One chain level, bound to this process's chain: its machine and everything that reads it. */
export interface ChainLevel extends LevelDescription {
  readonly spec: ChainSpec;
  /** The state machine core's Chain drives (NoState, LedgerMachine, EvmMachine). */
  readonly machine: StateMachine;
  /** The signature cache the machine, the node's tx source and the mempool share. */
  readonly sigCache: SignatureCache;
  /** Whether a block of this level may carry the tx (a coinbase is the miner's own). */
  carries(tx: Tx): tx is SignedTx;
  /** Balance, nonce and code at the tip; null on a level without accounts. */
  readonly accounts: AccountView | null;
  /** The mempool's admission policy; null on a level without a mempool. */
  admission(chain: Chain): AdmissionPolicy | null;
  /** The block the miner searches a nonce for, on the chain's tip. */
  buildTemplate(chain: Chain, input: TemplateInput): Block;
  /** The level's routes as a Fastify plugin (register with server.register). */
  routes(server: Server, options: LevelRouteOptions): Promise<void>;
}
