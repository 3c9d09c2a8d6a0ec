// The level-3 execution engine: @ethereumjs/evm (Cancun rules) over a WorldState, driven
// block by block. Asynchronous, because the EVM is; EvmMachine runs it in a worker thread
// and waits for each answer, since the block tree (core's Chain) is synchronous.
//
// A contract tx runs as Ethereum's runTx does for a legacy tx (docs/protocol.md §11):
//   checks (no state change if one fails — the block is then invalid):
//     gasLimit ≤ block gas left (GAS_LIMIT), sender has no code (TX_NOT_ALLOWED, EIP-3607),
//     nonce = sender nonce (BAD_NONCE), balance ≥ amount + gasLimit × gasPrice (INSUFFICIENT_FUNDS)
//   then: debit gasLimit × gasPrice, nonce + 1, run the message with gasLimit − intrinsic gas,
//   refund min(refund counter, gasSpent / 5) (EIP-3529), give back the unused gas × gasPrice.
//   Revert, out of gas, invalid opcode, …: the message's state changes are undone, the
//   nonce increment and the fee stay, status 0. The fee (gasUsed × gasPrice) goes to the
//   block's fee pot, which the coinbase claims after the last tx (as at level 2).
import { Hardfork, Mainnet, createCustomCommon, type Common } from '@ethereumjs/common';
import { createEVM, type EVM } from '@ethereumjs/evm';
import { Account, bytesToHex, createAddressFromString, hexToBytes } from '@ethereumjs/util';
import {
  RuleError,
  contractAddress,
  intrinsicGas,
  nextBaseFee,
  toChecksumAddress,
} from '@chainlab/core';
import { EMPTY_CODE_HASH, WorldState } from './world-state.js';
import { decodeRevertReason } from './revert.js';
import type {
  AccountView,
  CallRequest,
  CallResult,
  EngineConfig,
  EvmUndo,
  ExecBlock,
  ExecBlockResult,
  ExecTx,
  Log,
  Receipt,
  TemplateResult,
} from './types.js';

/** EIP-3529: the refund is capped at gas spent / 5. */
const MAX_REFUND_QUOTIENT = 5n;

// No blobs on chainlab: the point-evaluation precompile (0x0a) always fails (consumes its
// gas, as for an invalid proof) instead of needing a KZG trusted setup.
const NO_KZG = {
  verifyProof: () => false,
  blobToKzgCommitment: () => {
    throw new Error('no blobs on chainlab');
  },
  computeBlobProof: () => {
    throw new Error('no blobs on chainlab');
  },
  verifyBlobProofBatch: () => false,
  computeCells: (): string[] => [],
  computeCellsAndProofs: (): [string[], string[]] => [[], []],
  recoverCellsAndProofs: (): [string[], string[]] => [[], []],
  verifyCellKzgProofBatch: () => false,
};

interface BlockContext {
  height: number;
  time: number;
  coinbase: string;
  prevHash: string;
  /** EIP-1559 base fee of this block. */
  baseFee: bigint;
  /** Gas the block used (known once it ran; the next base fee follows from it). */
  gasUsed: bigint;
}

/** The minimal block the EVM reads (BLOCKHASH goes through `blockchain`). */
function evmBlock(ctx: BlockContext, gasLimit: bigint) {
  return {
    header: {
      number: BigInt(ctx.height),
      coinbase: createAddressFromString(ctx.coinbase.toLowerCase()),
      timestamp: BigInt(ctx.time),
      difficulty: 0n,
      // PREVRANDAO: the parent's hash (miner-influenced, as all randomness on a PoW chain).
      prevRandao: hexToBytes(ctx.prevHash as `0x${string}`),
      gasLimit,
      baseFeePerGas: ctx.baseFee,
      slotNumber: 0n,
      getBlobGasPrice: () => 0n,
    },
  };
}

function hex(bytes: Uint8Array): string {
  return bytesToHex(bytes);
}

function addressKey(address: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address))
    throw new RuleError('INVALID_ADDRESS', `not an address: ${address.slice(0, 80)}`);
  return address.toLowerCase();
}

type RunOutcome = {
  receipt: Receipt;
  returnData: string;
};

export class Engine {
  readonly state = new WorldState();
  private evm!: EVM;
  private common!: Common;
  /** Block hashes of the active chain by height (for BLOCKHASH). */
  private readonly hashes: string[] = [];
  /** Context of the tip block (for read-only calls). */
  private tipContext!: BlockContext;
  private readonly tipStack: BlockContext[] = [];

  private constructor(readonly config: EngineConfig) {}

  static async create(config: EngineConfig): Promise<Engine> {
    const engine = new Engine(config);
    await engine.init();
    return engine;
  }

  private async init(): Promise<void> {
    const { config } = this;
    this.common = createCustomCommon({ chainId: config.chainId }, Mainnet, {
      hardfork: Hardfork.Cancun,
      customCrypto: { kzg: NO_KZG },
    });
    const hashes = this.hashes;
    const blockchain = {
      async getBlock(n: number) {
        const h = hashes[n];
        return {
          hash: () => (h === undefined ? new Uint8Array(32) : hexToBytes(h as `0x${string}`)),
        };
      },
      async putBlock() {},
      shallowCopy() {
        return blockchain;
      },
    };
    this.evm = await createEVM({
      common: this.common,
      stateManager: this.state,
      blockchain: blockchain as never,
    });
    // Genesis: the allocations are the starting state (the chain never connects genesis).
    for (const [address, amount] of config.allocations) {
      if (amount === 0n) continue;
      const k = addressKey(address);
      const cur = this.state.accountRecord(k);
      this.state.writeAccount(k, {
        nonce: cur?.nonce ?? 0n,
        balance: (cur?.balance ?? 0n) + amount,
        codeHash: EMPTY_CODE_HASH,
      });
    }
    this.state.commitBlock(this.state.mark()); // drops the genesis log: genesis is never undone
    this.hashes[0] = config.genesisHash;
    // Genesis as if it used exactly the gas target: block 1's base fee is the initial one.
    this.tipContext = {
      height: 0,
      time: config.genesisTime,
      coinbase: config.genesisCoinbase,
      prevHash: '0x' + '0'.repeat(64),
      baseFee: config.initialBaseFee,
      gasUsed: config.blockGasLimit / 2n,
    };
  }

  /** The base fee of the next block (EIP-1559, from the tip's base fee and gas use). */
  nextBaseFee(): bigint {
    return nextBaseFee(this.tipContext.baseFee, this.tipContext.gasUsed, this.config.blockGasLimit);
  }

  /** The tip block's base fee. */
  tipBaseFee(): bigint {
    return this.tipContext.baseFee;
  }

  stateRoot(): string {
    return hex(this.state.stateRoot());
  }

  get height(): number {
    return this.tipContext.height;
  }

  // ---- blocks ----

  /**
   * Applies a block on top of the current state, all or nothing. Throws a RuleError (and
   * changes nothing) if a tx is invalid, the coinbase claims too much, or the claimed
   * state root differs from the one execution produces (BAD_STATE_ROOT).
   */
  async applyBlock(block: ExecBlock): Promise<ExecBlockResult> {
    if (block.height !== this.tipContext.height + 1)
      throw new Error(
        `engine is at height ${this.tipContext.height}, cannot apply block ${block.height}`,
      );
    if (block.stateRoot === undefined)
      throw new RuleError('BAD_STATE_ROOT', 'the coinbase carries no state root');
    const prevStateRoot = this.stateRoot();
    const depth = this.state.mark();
    try {
      const ctx: BlockContext = {
        height: block.height,
        time: block.time,
        coinbase: block.coinbase,
        prevHash: block.prevHash,
        baseFee: this.nextBaseFee(),
        gasUsed: 0n,
      };
      const receipts: Receipt[] = [];
      let gasUsed = 0n;
      let fees = 0n;
      for (const tx of block.txs) {
        const { receipt } = await this.runTx(tx, ctx, gasUsed);
        gasUsed += receipt.gasUsed;
        receipt.cumulativeGasUsed = gasUsed;
        fees += receipt.fee;
        receipts.push(receipt);
      }
      if (block.coinbaseAmount > block.subsidy + fees) {
        throw new RuleError(
          'BAD_COINBASE_AMOUNT',
          `coinbase claims ${block.coinbaseAmount}, the block allows ${block.subsidy} + ${fees} fees`,
        );
      }
      this.credit(block.coinbase, block.coinbaseAmount);
      const root = this.stateRoot();
      if (root !== block.stateRoot.toLowerCase()) {
        throw new RuleError(
          'BAD_STATE_ROOT',
          `the coinbase claims state root ${block.stateRoot}, executing the block gives ${root}`,
        );
      }
      const journal = this.state.commitBlock(depth);
      ctx.gasUsed = gasUsed;
      this.hashes[block.height] = block.hash;
      this.tipStack.push(this.tipContext);
      this.tipContext = ctx;
      const undo: EvmUndo = {
        blockHash: block.hash,
        height: block.height,
        accounts: journal.accounts
          .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
          .map(([k, prev]) => ({ address: toChecksumAddress(k), prev })),
        storage: journal.storage,
        code: journal.code,
        receipts,
        prevStateRoot,
      };
      return {
        undo,
        touched: journal.touched.map(toChecksumAddress),
        stateRoot: root,
        gasUsed,
        fees,
        baseFee: ctx.baseFee,
      };
    } catch (e) {
      this.state.rollback(depth);
      this.resetEvm();
      throw e;
    }
  }

  /** Reverts the last applied block. Returns the (EIP-55) addresses it changed. */
  async undoBlock(undo: EvmUndo): Promise<string[]> {
    if (undo.height !== this.tipContext.height || this.hashes[undo.height] !== undo.blockHash)
      throw new Error(
        `undo record of block ${undo.height} ${undo.blockHash} does not match the engine's tip`,
      );
    this.state.applyUndo({
      accounts: undo.accounts.map(({ address, prev }) => [addressKey(address), prev]),
      storage: undo.storage,
      code: undo.code,
    });
    this.hashes.length = undo.height;
    this.tipContext = this.tipStack.pop()!;
    const root = this.stateRoot();
    if (root !== undo.prevStateRoot)
      throw new Error(
        `state root after undo is ${root}, expected ${undo.prevStateRoot}: corrupt undo record`,
      );
    const touched = new Set<string>([
      ...undo.accounts.map(({ address }) => addressKey(address)),
      ...undo.storage.map(([k]) => k),
      ...undo.code.map(([k]) => k),
    ]);
    return [...touched].sort().map(toChecksumAddress);
  }

  /**
   * Executes candidate txs for a block on top of the tip, as a miner would include them:
   * a tx that would make the block invalid (bad nonce, no funds, no gas left) is skipped;
   * failed executions (revert, out of gas) are included, they pay. Then credits the coinbase
   * with subsidy + fees, takes the state root, and undoes everything.
   */
  async template(block: Omit<ExecBlock, 'stateRoot' | 'coinbaseAmount'>): Promise<TemplateResult> {
    if (block.height !== this.tipContext.height + 1)
      throw new Error(
        `engine is at height ${this.tipContext.height}, cannot build block ${block.height}`,
      );
    const depth = this.state.mark();
    try {
      const ctx: BlockContext = {
        height: block.height,
        time: block.time,
        coinbase: block.coinbase,
        prevHash: block.prevHash,
        baseFee: this.nextBaseFee(),
        gasUsed: 0n,
      };
      const result: TemplateResult = {
        included: [],
        skipped: [],
        receipts: [],
        fees: 0n,
        gasUsed: 0n,
        stateRoot: '',
        baseFee: ctx.baseFee,
      };
      for (let i = 0; i < block.txs.length; i++) {
        const tx = block.txs[i]!;
        try {
          const { receipt } = await this.runTx(tx, ctx, result.gasUsed);
          result.gasUsed += receipt.gasUsed;
          receipt.cumulativeGasUsed = result.gasUsed;
          result.fees += receipt.fee;
          result.receipts.push(receipt);
          result.included.push(i);
        } catch (e) {
          if (!(e instanceof RuleError)) throw e;
          result.skipped.push({ index: i, code: e.code, message: e.message });
        }
      }
      this.credit(block.coinbase, block.subsidy + result.fees);
      result.stateRoot = this.stateRoot();
      return result;
    } finally {
      this.state.rollback(depth);
      this.resetEvm();
    }
  }

  private credit(address: string, amount: bigint): void {
    const k = addressKey(address);
    const cur = this.state.accountRecord(k);
    // Crediting nothing creates no account (a 0-amount coinbase stays invisible), as at level 2.
    if (amount === 0n && cur === undefined) return;
    this.state.writeAccount(k, {
      nonce: cur?.nonce ?? 0n,
      balance: (cur?.balance ?? 0n) + amount,
      codeHash: cur?.codeHash ?? EMPTY_CODE_HASH,
    });
  }

  private resetEvm(): void {
    this.evm.journal.cleanJournal();
    this.evm.transientStorage.clear();
    this.state.originalStorageCache.clear();
  }

  // ---- one tx ----

  private async runTx(tx: ExecTx, ctx: BlockContext, blockGasUsed: bigint): Promise<RunOutcome> {
    if (tx.kind === 'transfer') return this.runTransfer(tx);
    return this.runContractTx(tx, ctx, blockGasUsed);
  }

  /**
   * A level-2 style transfer on a level-3 chain: flat fee, no gas, no code runs. Paying an
   * address with code this way is refused (TX_NOT_ALLOWED): the contract would never see
   * the payment; a contract tx (to the contract, 21,000+ gas) runs its receive function.
   */
  private runTransfer(tx: Extract<ExecTx, { kind: 'transfer' }>): RunOutcome {
    const fromKey = addressKey(tx.from);
    const toKey = addressKey(tx.to);
    const from = this.state.accountRecord(fromKey) ?? {
      nonce: 0n,
      balance: 0n,
      codeHash: EMPTY_CODE_HASH,
    };
    if (this.state.code.has(fromKey))
      throw new RuleError(
        'TX_NOT_ALLOWED',
        `${tx.from} is a contract: it cannot sign txs (EIP-3607)`,
      );
    if (this.state.code.has(toKey))
      throw new RuleError(
        'TX_NOT_ALLOWED',
        `${tx.to} is a contract: pay it with a contract tx, so that its code runs`,
      );
    if (BigInt(tx.nonce) !== from.nonce)
      throw new RuleError(
        'BAD_NONCE',
        `${tx.from} is at nonce ${from.nonce}, the tx has nonce ${tx.nonce}`,
      );
    if (from.balance < tx.amount + tx.fee)
      throw new RuleError(
        'INSUFFICIENT_FUNDS',
        `${tx.from} has ${from.balance}, the tx needs ${tx.amount + tx.fee}`,
      );
    this.state.writeAccount(fromKey, {
      ...from,
      nonce: from.nonce + 1n,
      balance: from.balance - tx.amount - tx.fee,
    });
    this.credit(tx.to, tx.amount);
    return {
      receipt: {
        txid: tx.txid,
        status: 1,
        gasUsed: 0n,
        cumulativeGasUsed: 0n,
        fee: tx.fee,
        logs: [],
        contractAddress: null,
      },
      returnData: '0x',
    };
  }

  private async runContractTx(
    tx: Extract<ExecTx, { kind: 'contract' }>,
    ctx: BlockContext,
    blockGasUsed: bigint,
  ): Promise<RunOutcome> {
    const gasLeft = this.config.blockGasLimit - blockGasUsed;
    if (tx.gasLimit > gasLeft)
      throw new RuleError(
        'GAS_LIMIT',
        `gasLimit ${tx.gasLimit} is above the ${gasLeft} gas left in the block`,
      );
    if (tx.gasLimit < tx.intrinsicGas)
      throw new RuleError(
        'GAS_LIMIT',
        `gasLimit ${tx.gasLimit} is below the intrinsic gas ${tx.intrinsicGas}`,
      );
    const fromKey = addressKey(tx.from);
    const from = this.state.accountRecord(fromKey) ?? {
      nonce: 0n,
      balance: 0n,
      codeHash: EMPTY_CODE_HASH,
    };
    if (this.state.code.has(fromKey))
      throw new RuleError(
        'TX_NOT_ALLOWED',
        `${tx.from} is a contract: it cannot sign txs (EIP-3607)`,
      );
    if (BigInt(tx.nonce) !== from.nonce)
      throw new RuleError(
        'BAD_NONCE',
        `${tx.from} is at nonce ${from.nonce}, the tx has nonce ${tx.nonce}`,
      );
    if (from.nonce >= (1n << 64n) - 1n) throw new RuleError('BAD_NONCE', 'account nonce exhausted');
    if (tx.gasPrice < ctx.baseFee)
      throw new RuleError(
        'FEE_TOO_LOW',
        `max fee per gas less than block base fee: ${tx.gasPrice} < ${ctx.baseFee}`,
      );
    // EIP-1559: min(maxFee, baseFee + tip); legacy pricing pays its gasPrice. The balance
    // check is on the most the tx could pay (gasLimit × maxFee), as Ethereum's.
    const price =
      tx.maxPriorityFeePerGas === undefined
        ? tx.gasPrice
        : ctx.baseFee + tx.maxPriorityFeePerGas < tx.gasPrice
          ? ctx.baseFee + tx.maxPriorityFeePerGas
          : tx.gasPrice;
    const maxCost = tx.amount + tx.gasLimit * tx.gasPrice;
    if (from.balance < maxCost)
      throw new RuleError(
        'INSUFFICIENT_FUNDS',
        `${tx.from} has ${from.balance}, the tx needs up to ${maxCost} (amount + gasLimit × gasPrice)`,
      );

    const created = tx.to === null ? contractAddress(tx.from, tx.nonce) : null;
    const depth = this.state.mark(); // only for the internal-error path below
    const caller = createAddressFromString(fromKey);
    this.warm(tx.from, tx.to, ctx.coinbase);
    for (const entry of tx.accessList ?? []) {
      const a = entry.address.toLowerCase();
      this.evm.journal.addAlwaysWarmAddress(a, true);
      for (const key of entry.storageKeys)
        this.evm.journal.addAlwaysWarmSlot(a, key.slice(2), true);
    }
    const txCost = tx.gasLimit * price;
    await this.evm.journal.putAccount(
      caller,
      new Account(from.nonce, from.balance - txCost, undefined, from.codeHash),
    );
    let execGas: bigint;
    let refund: bigint;
    let error: string | undefined;
    let returnValue: Uint8Array;
    let logs: Log[] = [];
    try {
      const result = await this.evm.runCall({
        block: evmBlock(ctx, this.config.blockGasLimit) as never,
        gasPrice: price,
        caller,
        origin: caller,
        gasLimit: tx.gasLimit - tx.intrinsicGas,
        to: tx.to === null ? undefined : createAddressFromString(tx.to.toLowerCase()),
        value: tx.amount,
        data: hexToBytes(tx.data as `0x${string}`),
      });
      const r = result.execResult;
      execGas = r.executionGasUsed;
      refund = r.exceptionError ? 0n : (r.gasRefund ?? 0n);
      error = r.exceptionError?.error;
      returnValue = r.returnValue;
      logs = (r.logs ?? []).map(([address, topics, data]) => ({
        address: toChecksumAddress(hex(address)),
        topics: topics.map(hex),
        data: hex(data),
      }));
      // EIP-6780: SELFDESTRUCT deletes only contracts created in the same tx.
      for (const [address] of r.selfdestruct ?? []) {
        if (r.createdAddresses?.has(address))
          await this.evm.journal.deleteAccount(createAddressFromString(address));
      }
      await this.evm.journal.cleanup(); // EIP-161: touched empty accounts disappear
    } catch (e) {
      // An exception the EVM did not turn into a result (a library bug, or a resource it
      // lacks): treated deterministically as an exceptional halt that used all the gas.
      this.state.rollback(depth);
      this.resetEvm();
      this.state.writeAccount(fromKey, {
        ...from,
        nonce: from.nonce + 1n,
        balance: from.balance - txCost,
      });
      const fee = tx.gasLimit * price;
      return {
        receipt: {
          txid: tx.txid,
          status: 0,
          gasUsed: tx.gasLimit,
          cumulativeGasUsed: 0n,
          fee,
          effectiveGasPrice: price,
          logs: [],
          contractAddress: created,
          error: `internal error: ${(e as Error).message ?? String(e)}`.slice(0, 200),
        },
        returnData: '0x',
      };
    } finally {
      this.evm.transientStorage.clear();
      this.state.originalStorageCache.clear();
    }
    // The depth mark stays until here only to allow the rollback above; fold it into the block's.
    await this.state.commit();
    const spent = execGas + tx.intrinsicGas;
    const granted = refund < spent / MAX_REFUND_QUOTIENT ? refund : spent / MAX_REFUND_QUOTIENT;
    const gasUsed = spent - granted;
    const sender = this.state.accountRecord(fromKey)!;
    this.state.writeAccount(fromKey, {
      ...sender,
      balance: sender.balance + (tx.gasLimit - gasUsed) * price,
    });
    this.evm.journal.cleanJournal();
    const receipt: Receipt = {
      txid: tx.txid,
      status: error === undefined ? 1 : 0,
      gasUsed,
      cumulativeGasUsed: 0n,
      fee: gasUsed * price,
      effectiveGasPrice: price,
      logs: error === undefined ? logs : [],
      contractAddress: created,
    };
    const output = hex(returnValue);
    if (error !== undefined) {
      receipt.error = error;
      const reason = decodeRevertReason(output);
      if (reason !== undefined) receipt.revertReason = reason;
      if (output !== '0x') receipt.output = output;
    }
    return { receipt, returnData: output };
  }

  /** EIP-2929/3651: the sender, the callee, the precompiles and the coinbase start warm. */
  private warm(from: string, to: string | null, coinbase: string): void {
    for (const [address] of this.evm.precompiles) this.evm.journal.addAlwaysWarmAddress(address);
    this.evm.journal.addAlwaysWarmAddress(from.toLowerCase());
    if (to !== null) this.evm.journal.addAlwaysWarmAddress(to.toLowerCase());
    this.evm.journal.addAlwaysWarmAddress(coinbase.toLowerCase());
  }

  // ---- read-only ----

  /**
   * A call at the tip that changes nothing (eth_call): the tip block's context, gas price
   * 0, the caller's balance topped up to `value` if needed. gasUsed includes intrinsic gas.
   */
  async call(req: CallRequest): Promise<CallResult> {
    const data = req.data ?? '0x';
    const intrinsic = intrinsicGas({ to: req.to, data });
    const gasLimit = req.gasLimit ?? this.config.blockGasLimit;
    if (gasLimit < intrinsic)
      throw new RuleError(
        'GAS_LIMIT',
        `gasLimit ${gasLimit} is below the intrinsic gas ${intrinsic}`,
      );
    const fromKey = addressKey(req.from ?? '0x' + '0'.repeat(40));
    const depth = this.state.mark();
    try {
      const caller = createAddressFromString(fromKey);
      const created =
        req.to === null
          ? contractAddress(fromKey, this.state.accountRecord(fromKey)?.nonce ?? 0n)
          : undefined;
      this.warm(fromKey, req.to, this.tipContext.coinbase);
      const result = await this.evm.runCall({
        block: evmBlock(this.tipContext, this.config.blockGasLimit) as never,
        gasPrice: 0n,
        caller,
        origin: caller,
        gasLimit: gasLimit - intrinsic,
        to: req.to === null ? undefined : createAddressFromString(addressKey(req.to)),
        value: req.value ?? 0n,
        data: hexToBytes(data as `0x${string}`),
        skipBalance: true,
      });
      const r = result.execResult;
      const spent = r.executionGasUsed + intrinsic;
      const refund = r.exceptionError ? 0n : (r.gasRefund ?? 0n);
      const out: CallResult = {
        status: r.exceptionError ? 0 : 1,
        returnData: hex(r.returnValue),
        gasUsed:
          spent - (refund < spent / MAX_REFUND_QUOTIENT ? refund : spent / MAX_REFUND_QUOTIENT),
        logs: r.exceptionError
          ? []
          : (r.logs ?? []).map(([address, topics, d]) => ({
              address: toChecksumAddress(hex(address)),
              topics: topics.map(hex),
              data: hex(d),
            })),
      };
      if (created !== undefined) out.contractAddress = created;
      if (r.exceptionError) {
        out.error = r.exceptionError.error;
        const reason = decodeRevertReason(out.returnData);
        if (reason !== undefined) out.revertReason = reason;
      }
      return out;
    } finally {
      this.state.rollback(depth);
      this.resetEvm();
    }
  }

  /**
   * The smallest gasLimit with which `req` succeeds at the tip (binary search over dry
   * runs, as geth's eth_estimateGas). Throws GAS_LIMIT with the failure if it fails even
   * with the whole block's gas.
   */
  async estimateGas(req: CallRequest): Promise<bigint> {
    const max = this.config.blockGasLimit;
    const full = await this.call({ ...req, gasLimit: max });
    if (full.status === 0)
      throw new RuleError(
        'GAS_LIMIT',
        `the call fails even with ${max} gas: ${full.revertReason ?? full.error ?? 'failed'}`,
      );
    let lo = intrinsicGas({ to: req.to, data: req.data ?? '0x' }) - 1n;
    let hi = max;
    // A first guess: what it used (plus the refund-free margin); usually enough.
    const guess = (full.gasUsed * 64n) / 63n + 2_300n;
    if (guess < hi && (await this.call({ ...req, gasLimit: guess })).status === 1) hi = guess;
    while (hi - lo > 1n) {
      const mid = (lo + hi) / 2n;
      if ((await this.call({ ...req, gasLimit: mid })).status === 1) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  account(address: string): AccountView {
    const k = addressKey(address);
    const a = this.state.accountRecord(k);
    return {
      address: toChecksumAddress(k),
      balance: a?.balance ?? 0n,
      nonce: Number(a?.nonce ?? 0n),
      codeHash: hex(a?.codeHash ?? EMPTY_CODE_HASH),
      codeSize: this.state.code.get(k)?.length ?? 0,
    };
  }

  code(address: string): string {
    return hex(this.state.code.get(addressKey(address)) ?? new Uint8Array(0));
  }

  storage(address: string, slot: bigint): string {
    if (slot < 0n || slot >= 1n << 256n) throw new RangeError('a storage slot is a uint256');
    const value = this.state.storageValue(addressKey(address), slot.toString(16).padStart(64, '0'));
    return '0x' + value.toString(16).padStart(64, '0');
  }

  /** Every account, its code and its non-zero storage, canonical and sorted: for tests and debugging. */
  dump(): {
    address: string;
    nonce: string;
    balance: string;
    code: string;
    storage: [string, string][];
  }[] {
    return [...this.state.accounts.keys()].sort().map((k) => {
      const a = this.state.accounts.get(k)!;
      const slots = [...(this.state.storage.get(k) ?? new Map<string, bigint>())].sort(
        ([x], [y]) => (x < y ? -1 : 1),
      );
      return {
        address: toChecksumAddress(k),
        nonce: a.nonce.toString(),
        balance: a.balance.toString(),
        code: this.code(k),
        storage: slots.map(([s, v]) => ['0x' + s, '0x' + v.toString(16)] as [string, string]),
      };
    });
  }
}
