// Level 3 plugged into the block tree: core's Chain drives this StateMachine, which runs
// each connected block's txs in the EVM (in a worker thread, see bridge.ts) and undoes
// them on a reorg. It also answers the read-only questions the node serves: accounts,
// code, storage, calls, receipts.
import {
  RuleError,
  blockSubsidy,
  checkContractTx,
  checkTxAmounts,
  checkTxSignature,
  ensure,
  genesisBlock,
  initialBaseFee,
  intrinsicGas,
  isTxBlock,
  txid as txidOf,
  type Block,
  type ChainSpec,
  type ConnectResult,
  type SignatureCache,
  type StateMachine,
  type Tx,
} from '@chainlab/core';
import { DEFAULT_TIMEOUT_MS, EvmWorker } from './bridge.js';
import type {
  AccountView,
  CallRequest,
  CallResult,
  EngineConfig,
  EvmUndo,
  ExecBlock,
  ExecBlockResult,
  ExecTx,
  Receipt,
  TemplateResult,
} from './types.js';

export interface EvmMachineOptions {
  /** Re-verify signatures on connect (normally block sanity checks already did). */
  verifySignatures?: boolean;
  sigCache?: SignatureCache;
  /** How long one request to the EVM worker may take before it is declared dead. */
  timeoutMs?: number;
}

export interface EvmConnectResult extends ConnectResult<EvmUndo> {
  /** One receipt per non-coinbase tx, in block order. */
  receipts: Receipt[];
  /** The state root after the block (= what its coinbase claims). */
  stateRoot: string;
  gasUsed: bigint;
  /** Σ fees the block's txs paid (gas × price, plus level-2 style transfer fees). */
  fees: bigint;
  /** The block's EIP-1559 base fee. */
  baseFee: bigint;
}

/** What the RPC needs of an active block beyond its header and txs. */
export interface BlockExecInfo {
  baseFee: bigint;
  gasUsed: bigint;
  stateRoot: string;
}

/** Where a receipt lives: its block on the active chain. */
export interface ReceiptLocation {
  receipt: Receipt;
  blockHash: string;
  height: number;
  /** Position of the tx in the block (the coinbase is 0). */
  index: number;
}

const ZERO_ADDRESS = '0x' + '0'.repeat(40);

/** Parses a storage slot given as a bigint, a decimal string or 0x hex (≤ 32 bytes). */
export function parseSlot(slot: bigint | string | number): bigint {
  if (typeof slot === 'bigint') return slot;
  if (typeof slot === 'number' && Number.isSafeInteger(slot) && slot >= 0) return BigInt(slot);
  if (typeof slot === 'string' && /^(0x[0-9a-fA-F]{1,64}|0|[1-9][0-9]{0,77})$/.test(slot)) {
    const v = BigInt(slot);
    if (v < 1n << 256n) return v;
  }
  throw new RangeError(
    `a storage slot is a uint256 as decimal or 0x hex, got ${String(slot).slice(0, 80)}`,
  );
}

/** What the worker executes for one tx (its shape was checked by the caller). */
export function toExecTx(tx: Tx, id: string = txidOf(tx)): ExecTx {
  if (tx.kind === 'transfer') {
    return {
      kind: 'transfer',
      txid: id,
      from: tx.from,
      to: tx.to,
      amount: tx.amount,
      fee: tx.fee,
      nonce: tx.nonce,
    };
  }
  if (tx.kind === 'contract') {
    return {
      kind: 'contract',
      txid: id,
      from: tx.from,
      to: tx.to,
      amount: tx.amount,
      nonce: tx.nonce,
      data: tx.data,
      gasLimit: tx.gasLimit,
      gasPrice: tx.gasPrice,
      ...(tx.eth?.type === 2 ? { maxPriorityFeePerGas: tx.eth.maxPriorityFeePerGas } : {}),
      ...(tx.eth !== undefined && tx.eth.accessList.length > 0
        ? { accessList: tx.eth.accessList }
        : {}),
      intrinsicGas: intrinsicGas(tx),
    };
  }
  throw new RuleError('MULTIPLE_COINBASE', 'a coinbase is only valid as the first tx of a block');
}

export class EvmMachine implements StateMachine<EvmUndo> {
  private readonly worker: EvmWorker;
  private readonly engineId: number;
  private readonly timeoutMs: number;
  private closed = false;
  private readonly receiptIndex = new Map<string, ReceiptLocation>();
  private readonly blockReceipts = new Map<string, Receipt[]>();
  private readonly blockInfo = new Map<string, BlockExecInfo>();
  private tipHeight = 0;

  constructor(
    readonly spec: ChainSpec,
    private readonly options: EvmMachineOptions = {},
  ) {
    if (spec.level !== 3)
      throw new Error(`EvmMachine runs level-3 chains; ${spec.name} is level ${spec.level}`);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.worker = EvmWorker.get();
    const config: EngineConfig = {
      chainId: spec.chainId,
      blockGasLimit: spec.blockGasLimit,
      allocations: Object.entries(spec.genesis.allocations).map(([a, v]) => [a.toLowerCase(), v]),
      genesisHash: genesisBlock(spec).hash,
      genesisTime: spec.genesis.time,
      genesisCoinbase: ZERO_ADDRESS,
      initialBaseFee: initialBaseFee(spec),
    };
    this.engineId = this.worker.request<number>(0, 'create', [config], this.timeoutMs);
  }

  private request<T>(method: string, ...args: unknown[]): T {
    if (this.closed) throw new Error('this EvmMachine is closed');
    return this.worker.request<T>(this.engineId, method, args, this.timeoutMs);
  }

  private requestAsync<T>(method: string, ...args: unknown[]): Promise<T> {
    if (this.closed) return Promise.reject(new Error('this EvmMachine is closed'));
    return this.worker.requestAsync<T>(this.engineId, method, args, this.timeoutMs);
  }

  /** Height of the last connected block (0 = genesis state). */
  get height(): number {
    return this.tipHeight;
  }

  // ---- StateMachine ----

  /**
   * Runs a block's txs in the EVM. Throws a RuleError and changes nothing if the block is
   * invalid: coinbase shape (BAD_COINBASE), a tx rule (BAD_NONCE, INSUFFICIENT_FUNDS,
   * GAS_LIMIT, TX_NOT_ALLOWED, …), coinbase amount (BAD_COINBASE_AMOUNT) or a claimed
   * state root that execution does not reproduce (BAD_STATE_ROOT). `touched` lists the
   * EIP-55 addresses whose account, code or storage changed.
   */
  connect(block: Block): EvmConnectResult {
    const exec = this.execBlock(block);
    const r = this.request<ExecBlockResult>('applyBlock', exec);
    this.tipHeight = block.height;
    this.blockReceipts.set(block.hash, r.undo.receipts);
    this.blockInfo.set(block.hash, {
      baseFee: r.baseFee,
      gasUsed: r.gasUsed,
      stateRoot: r.stateRoot,
    });
    r.undo.receipts.forEach((receipt, i) =>
      this.receiptIndex.set(receipt.txid, {
        receipt,
        blockHash: block.hash,
        height: block.height,
        index: i + 1,
      }),
    );
    return {
      undo: r.undo,
      touched: r.touched,
      receipts: r.undo.receipts,
      stateRoot: r.stateRoot,
      gasUsed: r.gasUsed,
      fees: r.fees,
      baseFee: r.baseFee,
    };
  }

  disconnect(block: Block, undo: EvmUndo): string[] {
    const touched = this.request<string[]>('undoBlock', undo);
    this.tipHeight = block.height - 1;
    for (const receipt of this.blockReceipts.get(block.hash) ?? []) {
      if (this.receiptIndex.get(receipt.txid)?.blockHash === block.hash)
        this.receiptIndex.delete(receipt.txid);
    }
    this.blockReceipts.delete(block.hash);
    this.blockInfo.delete(block.hash);
    return touched;
  }

  /** The context-free checks of connect (shape, amounts, gas bounds), then the ExecBlock. */
  private execBlock(block: Block): ExecBlock {
    ensure(isTxBlock(block), 'MALFORMED_BLOCK', 'a contracts chain carries txs');
    const [coinbase, ...rest] = block.txs;
    ensure(
      coinbase !== undefined && coinbase.kind === 'coinbase',
      'NO_COINBASE',
      'the first tx must be the coinbase',
    );
    ensure(
      coinbase.from === null && coinbase.sig === null && coinbase.fee === 0n,
      'BAD_COINBASE',
      'a coinbase has from = null, sig = null and fee 0',
    );
    ensure(
      coinbase.nonce === block.height,
      'BAD_COINBASE',
      `coinbase nonce ${coinbase.nonce} is not the block height ${block.height}`,
    );
    ensure(
      coinbase.chainId === this.spec.chainId,
      'BAD_COINBASE',
      `coinbase is for chain ${coinbase.chainId}`,
    );
    ensure(
      typeof coinbase.data === 'string',
      'BAD_COINBASE',
      'a level-3 coinbase carries the state root in "data"',
    );
    const seen = new Set<string>([txidOf(coinbase)]);
    const txs = rest.map((tx, i) => {
      ensure(tx.kind !== 'coinbase', 'MULTIPLE_COINBASE', `tx ${i + 1} is a second coinbase`);
      ensure(
        tx.chainId === this.spec.chainId,
        'WRONG_CHAIN',
        `tx ${i + 1} is for chain ${tx.chainId}`,
      );
      checkTxAmounts(tx, this.spec.maxAmount);
      if (tx.kind === 'contract') checkContractTx(tx, this.spec);
      if (this.options.verifySignatures) checkTxSignature(tx, this.options.sigCache);
      const id = txidOf(tx);
      ensure(!seen.has(id), 'DUPLICATE_TX', `tx ${id} appears twice`);
      seen.add(id);
      return toExecTx(tx, id);
    });
    return {
      height: block.height,
      hash: block.hash,
      prevHash: block.header.prevHash,
      time: block.header.time,
      coinbase: coinbase.to,
      coinbaseAmount: coinbase.amount,
      subsidy: blockSubsidy(block.height, this.spec),
      stateRoot: coinbase.data,
      txs,
    };
  }

  // ---- queries at the tip ----

  /** The state root at the tip (docs/protocol.md §11). */
  stateRoot(): string {
    return this.request<string>('stateRoot');
  }

  account(address: string): AccountView {
    return this.request<AccountView>('account', address);
  }

  /** Balance and nonce at the tip: the same view as level 2's LedgerState.get. */
  get(address: string): { balance: bigint; nonce: number } {
    const { balance, nonce } = this.account(address);
    return { balance, nonce };
  }

  /** The code at `address`, 0x hex ("0x" when none). */
  code(address: string): string {
    return this.request<string>('code', address);
  }

  /** The 32-byte value of a storage slot (0x + 64 hex digits). */
  storage(address: string, slot: bigint | string | number): string {
    return this.request<string>('storage', address, parseSlot(slot));
  }

  /**
   * A read-only call at the tip (POST /call): nothing changes, no tx, no fee. `to` null
   * simulates a deploy. Reverts and out-of-gas are results (status 0), not exceptions.
   */
  call(
    to: string | null,
    data: string,
    from?: string,
    opts: { value?: bigint; gasLimit?: bigint } = {},
  ): CallResult {
    const req: CallRequest = { to, data, ...opts };
    if (from !== undefined) req.from = from;
    return this.request<CallResult>('call', req);
  }

  /** The smallest gasLimit with which the call/deploy succeeds at the tip (eth_estimateGas). */
  estimateGas(req: CallRequest): bigint {
    return this.request<bigint>('estimateGas', req);
  }

  /**
   * call() without blocking the thread: for servers answering many calls (eth_call), which
   * keep parsing requests while the EVM worker executes. The state is the tip's when the
   * worker gets to it (a block connected meanwhile is included).
   */
  callAsync(req: CallRequest): Promise<CallResult> {
    return this.requestAsync<CallResult>('call', req);
  }

  /** estimateGas() without blocking the thread (see callAsync). */
  estimateGasAsync(req: CallRequest): Promise<bigint> {
    return this.requestAsync<bigint>('estimateGas', req);
  }

  /** The receipt of a tx in the active chain. */
  receipt(txid: string): ReceiptLocation | undefined {
    return this.receiptIndex.get(txid.toLowerCase());
  }

  /** The receipts of an active block, in tx order (coinbase excluded). */
  receiptsOf(blockHash: string): Receipt[] | undefined {
    return this.blockReceipts.get(blockHash.toLowerCase());
  }

  /** Base fee, gas used and state root of an active block (undefined for genesis and inactive blocks). */
  blockExecInfo(blockHash: string): BlockExecInfo | undefined {
    return this.blockInfo.get(blockHash.toLowerCase());
  }

  /** The EIP-1559 base fee the next block will have. */
  nextBaseFee(): bigint {
    return this.request<bigint>('nextBaseFee');
  }

  /** The tip block's base fee (block 0: the initial one). */
  tipBaseFee(): bigint {
    return this.request<bigint>('tipBaseFee');
  }

  /** Every account with its code and storage: canonical, for tests and debugging. */
  dump(): {
    address: string;
    nonce: string;
    balance: string;
    code: string;
    storage: [string, string][];
  }[] {
    return this.request('dump');
  }

  /** Executes candidates for the next block without changing the state (see evmBlockTemplate). */
  runTemplate(block: Omit<ExecBlock, 'stateRoot' | 'coinbaseAmount'>): TemplateResult {
    return this.request<TemplateResult>('template', block);
  }

  /** Frees the engine in the worker. The machine cannot be used afterwards. */
  close(): void {
    if (this.closed) return;
    this.worker.request(this.engineId, 'dispose', [], this.timeoutMs);
    this.closed = true;
  }
}
