// The domain types shared by every module. Amounts are bigint inside; the JSON codecs in
// tx.ts and block.ts turn them into decimal strings on the wire.

/** Header fields. Hashes are in display form (byte-reversed hex, as Bitcoin shows them). */
export interface Header {
  version: number; // u32
  prevHash: string; // 0x + 64 hex, display order
  merkleRoot: string; // 0x + 64 hex, display order
  time: number; // u32, unix seconds
  bits: number; // u32, compact target
  nonce: number; // u32
}

/** A level-2 value transfer, signed by `from`. */
export interface TransferTx {
  kind: 'transfer';
  from: string; // EIP-55 address
  to: string;
  amount: bigint;
  fee: bigint;
  nonce: number; // the sender's account nonce: its count of earlier txs
  chainId: number;
  sig: string; // 0x + 65 bytes: r(32) s(32) v(1), v = recovery id 0 or 1
}

/**
 * Newly minted coins: the first tx of every level ≥ 2 block (reward + fees), and every
 * allocation of the genesis block. Unsigned; `nonce` is the block height (index in
 * genesis), which makes every coinbase txid unique, as BIP34 does for Bitcoin.
 */
export interface CoinbaseTx {
  kind: 'coinbase';
  from: null;
  to: string;
  amount: bigint;
  fee: 0n;
  nonce: number;
  chainId: number;
  sig: null;
  /**
   * Level 3 only: 0x + 32 bytes, the state root after the block (its post-state
   * commitment, covered by the coinbase's txid and so by the merkle root). Absent at levels
   * 1–2 and in genesis allocations.
   */
  data?: string;
}

/**
 * A level-3 transaction, signed by `from`: deploys a contract (`to` null: `data` is the
 * init code), calls one (`data` is the calldata), or moves value to an address without
 * code (21,000 gas). It pays gasUsed × gasPrice: gasLimit × gasPrice is taken up front
 * and the unused gas refunded, so `fee` is always 0 (docs/protocol.md §11).
 */
export interface ContractTx {
  kind: 'contract';
  from: string; // EIP-55 address
  /** The callee; null deploys a contract at the CREATE address of (from, nonce). */
  to: string | null;
  /** Value sent with the call (0 allowed). */
  amount: bigint;
  fee: 0n;
  nonce: number;
  chainId: number;
  sig: string;
  /** 0x hex: init code (deploy) or calldata; "0x" for none. */
  data: string;
  gasLimit: bigint; // u64
  /** u128, base units per gas: the most it pays per gas (an Ethereum type-2 tx's maxFeePerGas). */
  gasPrice: bigint;
  /**
   * Present when the tx is Ethereum-signed (docs/protocol.md §12): its raw bytes are the
   * tx, every field above is derived from them, and the txid is keccak-256 of `raw`.
   */
  eth?: EthEnvelope;
}

/** What an Ethereum-signed tx adds to chainlab's view of a contract tx. */
export interface EthEnvelope {
  /** 0x hex: the signed tx exactly as Ethereum encodes it (typed: type byte ‖ RLP). */
  raw: string;
  /** 0 legacy (EIP-155), 1 EIP-2930, 2 EIP-1559. */
  type: 0 | 1 | 2;
  /** Type 2's tip cap; legacy and type 1 pay gasPrice, so it equals gasPrice. */
  maxPriorityFeePerGas: bigint;
  /** EIP-2930 access list (empty for legacy). */
  accessList: { address: string; storageKeys: string[] }[];
}

export type Tx = TransferTx | CoinbaseTx | ContractTx;

/** The txs a key signs. */
export type SignedTx = TransferTx | ContractTx;

export interface DataBlock {
  hash: string;
  height: number;
  header: Header;
  data: string[];
}

export interface TxBlock {
  hash: string;
  height: number;
  header: Header;
  txs: Tx[];
}

export type Block = DataBlock | TxBlock;

export function isTxBlock(block: Block): block is TxBlock {
  return 'txs' in block;
}

export type LevelNumber = 1 | 2 | 3;

export type RetargetRule =
  /** Bitcoin: every `windowBlocks` blocks, scale by actual/expected timespan, clamped to 4×. */
  | { rule: 'bitcoin'; windowBlocks: number }
  /** Linearly weighted moving average over the last `windowBlocks` (zawy12 LWMA-1): every block. */
  | { rule: 'lwma'; windowBlocks: number }
  /** Never changes: every block has the genesis bits. For experiments. */
  | { rule: 'fixed' };

export interface ChainSpec {
  name: string;
  chainId: number;
  level: LevelNumber;
  /** Devnets enable /dev routes, the faucet and printed dev keys. */
  devnet: boolean;
  coin: { symbol: string; decimals: number };
  genesis: {
    version: number;
    time: number;
    bits: number;
    nonce: number;
    /** Level 1: the genesis data items. */
    data: string[];
    /** Level ≥ 2: address → base units minted in genesis. */
    allocations: Record<string, bigint>;
  };
  targetBlockTimeSeconds: number;
  retarget: RetargetRule;
  /** The easiest target allowed, as compact bits. */
  powLimitBits: number;
  blockReward: bigint;
  /** Blocks between reward halvings; 0 = never. */
  halvingIntervalBlocks: number;
  maxBlockBytes: number;
  maxDataItemBytes: number;
  maxFutureDriftSeconds: number;
  /** Largest amount (or fee) a single tx may carry. */
  maxAmount: bigint;
  /** Policy, not consensus: the mempool's fee floor in base units. */
  minFee: bigint;
  /** Level 3 only. */
  blockGasLimit: bigint;
  /** Dev accounts' private keys (devnet only; printed by `pnpm dev`, never use them elsewhere). */
  devKeys: string[];
}
