// Plain data shared by the main thread (EvmMachine) and the EVM worker: everything here
// crosses a MessagePort, so it is structured-clone friendly (bigint, string, Uint8Array,
// plain objects; no classes, no functions).

/** One log (event) emitted during a tx, as Ethereum's. */
export interface Log {
  /** The emitting contract, EIP-55. */
  address: string;
  /** 0x + 32-byte hex each; topics[0] is the event signature hash for non-anonymous events. */
  topics: string[];
  /** 0x hex: the ABI-encoded non-indexed arguments. */
  data: string;
}

/** What happened to one tx of a block. */
export interface Receipt {
  txid: string;
  /** 1 success, 0 failure (revert, out of gas, invalid opcode, …: state reverted, fee charged). */
  status: 0 | 1;
  /** Gas the sender paid for (after the refund); 0 for a level-2 style transfer. */
  gasUsed: bigint;
  /** Σ gasUsed of this and the earlier txs of the block. */
  cumulativeGasUsed: bigint;
  /** What the sender paid: gasUsed × effectiveGasPrice (contract tx) or its fee (transfer). */
  fee: bigint;
  /** Contract txs: what one gas cost (gasPrice, or for EIP-1559 min(maxFee, baseFee + tip)). */
  effectiveGasPrice?: bigint;
  logs: Log[];
  /** The deployed contract (deploys that succeeded), else null. */
  contractAddress: string | null;
  /** Why it failed, as the EVM says it: 'revert', 'out of gas', 'invalid opcode', … */
  error?: string;
  /** Decoded Error(string) / Panic(uint256) revert data, when there is some. */
  revertReason?: string;
  /** 0x hex: the return data of a failed tx (revert data), for callers to decode custom errors. */
  output?: string;
}

/** JSON form of a Receipt (amounts as decimal strings, docs/api.md style). */
export interface ReceiptJson {
  txid: string;
  status: 0 | 1;
  gasUsed: string;
  cumulativeGasUsed: string;
  fee: string;
  effectiveGasPrice?: string;
  logs: Log[];
  contractAddress: string | null;
  error?: string;
  revertReason?: string;
  output?: string;
}

/** An account as stored: nonce, balance, code hash (keccak-256 of the code; of "" when none). */
export interface AccountRecord {
  nonce: bigint;
  balance: bigint;
  codeHash: Uint8Array;
}

/**
 * Undo data of one connected block: the value of every state entry it touched as it was
 * before the block (null/undefined = absent), plus its receipts.
 */
export interface EvmUndo {
  blockHash: string;
  height: number;
  /**
   * Every account the block touched as it was before (null = absent), sorted by address,
   * EIP-55: the same shape as level 2's BlockUndo.accounts, so code that walks undo
   * records for balances (the mempool's confirmations) reads both.
   */
  accounts: { address: string; prev: AccountRecord | null }[];
  /** [address (0x lowercase), slot (64 hex digits), value before (0n = empty)]. */
  storage: [string, string, bigint][];
  /** [address (0x lowercase), code before or null]. */
  code: [string, Uint8Array | null][];
  receipts: Receipt[];
  /** The state root before the block. */
  prevStateRoot: string;
}

/** Account view served to REST (`GET /account/:address` at level 3). */
export interface AccountView {
  address: string;
  balance: bigint;
  nonce: number;
  /** keccak-256 of the code, 0x hex (keccak of the empty string when there is none). */
  codeHash: string;
  /** Number of bytes of code (0 for an externally owned account). */
  codeSize: number;
}

/** Result of a read-only call (POST /call) or of a dry run. */
export interface CallResult {
  status: 0 | 1;
  /** 0x hex return data (revert data when status is 0). */
  returnData: string;
  /** Gas the call used, intrinsic gas included (after the refund). */
  gasUsed: bigint;
  logs: Log[];
  error?: string;
  revertReason?: string;
  /** For a deploy dry run: where it would live. */
  contractAddress?: string | null;
}

export interface CallRequest {
  /** Callee; null simulates a deploy with `data` as init code. */
  to: string | null;
  /** 0x hex calldata. */
  data: string;
  /** Caller (default the zero address). */
  from?: string;
  value?: bigint;
  /** Default: the block gas limit. */
  gasLimit?: bigint;
}

/** What the EVM worker needs to know about the chain. */
export interface EngineConfig {
  chainId: number;
  blockGasLimit: bigint;
  /** Lowercase 0x address → base units minted in genesis. */
  allocations: [string, bigint][];
  genesisHash: string;
  genesisTime: number;
  genesisCoinbase: string;
  /** The base fee of block 1 (core's initialBaseFee). */
  initialBaseFee: bigint;
}

/** A tx as the worker executes it (the main thread has parsed and checked its shape). */
export type ExecTx =
  | {
      kind: 'transfer';
      txid: string;
      from: string;
      to: string;
      amount: bigint;
      fee: bigint;
      nonce: number;
    }
  | {
      kind: 'contract';
      txid: string;
      from: string;
      to: string | null;
      amount: bigint;
      nonce: number;
      data: string;
      gasLimit: bigint;
      /** The most it pays per gas (EIP-1559: maxFeePerGas). */
      gasPrice: bigint;
      /** EIP-1559 tip cap; absent for legacy pricing (pays gasPrice). */
      maxPriorityFeePerGas?: bigint;
      /** EIP-2930 access list: warm from the start. */
      accessList?: { address: string; storageKeys: string[] }[];
      /** Intrinsic gas, computed by core's intrinsicGas. */
      intrinsicGas: bigint;
    };

/** A block's context and txs, as the worker executes it. */
export interface ExecBlock {
  height: number;
  hash: string;
  prevHash: string;
  time: number;
  coinbase: string;
  /** The coinbase's claimed amount (connect) — checked against subsidy + fees. */
  coinbaseAmount: bigint;
  subsidy: bigint;
  /** The claimed post-state root (connect); undefined when building a template. */
  stateRoot?: string;
  txs: ExecTx[];
}

export interface ExecBlockResult {
  undo: EvmUndo;
  touched: string[];
  stateRoot: string;
  gasUsed: bigint;
  fees: bigint;
  /** The block's EIP-1559 base fee (a function of its ancestors' gas use). */
  baseFee: bigint;
}

/** The outcome of executing candidate txs for a block template (the state is left unchanged). */
export interface TemplateResult {
  /** Indexes (into the candidates) of the txs included, in order. */
  included: number[];
  /** Candidates left out and why (RuleError code + message). */
  skipped: { index: number; code: string; message: string }[];
  receipts: Receipt[];
  fees: bigint;
  gasUsed: bigint;
  /** The state root after the included txs and the coinbase credit of subsidy + fees. */
  stateRoot: string;
  baseFee: bigint;
}

/** An error that crossed the thread boundary: a RuleError code (or INTERNAL) and a message. */
export interface WireError {
  code: string;
  message: string;
  rule: boolean;
}
