// The level-2 ledger: a balance and a nonce per address, changed only by blocks.
// Pure and in memory; a node persists what `changed` lists and keeps each BlockUndo so
// that a reorg can walk the state back block by block (as Bitcoin Core's undo files).
//
// Invariants, enforced by construction rather than by callers:
// - every write goes through `write`, which refuses a negative balance, and every debit
//   checks funds first, so no balance is ever negative, at any point of any block;
// - a block is all-or-nothing: a failing block is rolled back from its journal before
//   the error leaves applyBlockTxs;
// - stored account objects are frozen and replaced, never mutated, so `get`, `snapshot`
//   and `clone` can share them safely.
import { isValidAddress, toChecksumAddress } from './address.js';
import { hashToDisplay, sha256d } from './hash.js';
import { utf8 } from './bytes.js';
import { RuleError } from './errors.js';
import { MAX_U128, blockSubsidy } from './coins.js';
import { checkTxAmounts, checkTxSignature, txid } from './tx.js';
import type { SignatureCache } from './sig-cache.js';
import type { ChainSpec, CoinbaseTx, TransferTx, Tx } from './types.js';

export interface AccountState {
  readonly balance: bigint;
  readonly nonce: number;
}

export interface AccountEntry {
  address: string; // EIP-55
  balance: bigint;
  nonce: number;
}

/** An account's new value after a block or an undo; null = the account no longer exists. */
export interface AccountChange {
  address: string;
  account: AccountState | null;
}

/** What undoBlock needs: every account the block touched, as it was before (null = absent). */
export interface BlockUndo {
  accounts: { address: string; prev: AccountState | null }[];
}

export interface BlockApplyResult {
  undo: BlockUndo;
  /** New values of every touched account, sorted by address: exactly what to persist. */
  changed: AccountChange[];
  /** Σ fees of the block's transfers. */
  fees: bigint;
  /** New coins the block was allowed to mint. */
  subsidy: bigint;
}

export interface TxContext {
  chainId: number;
  /** The spec's maxAmount; default 2^128−1. */
  maxAmount?: bigint;
}

export interface BlockContext {
  height: number;
  chainId: number;
  /** The subsidy of this block; omit it and give `spec` to compute it with blockSubsidy(). */
  subsidy?: bigint;
  spec?: Pick<ChainSpec, 'blockReward' | 'halvingIntervalBlocks'> &
    Partial<Pick<ChainSpec, 'maxAmount'>>;
  /** Overrides spec.maxAmount. */
  maxAmount?: bigint;
  /** Also verify transfer signatures (normally done by block sanity checks, before state). */
  verifySignatures?: boolean;
  sigCache?: SignatureCache;
}

/** Previous values of touched accounts, recorded on first touch. */
type Journal = Map<string, AccountState | null>;

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const EMPTY: AccountState = Object.freeze({ balance: 0n, nonce: 0 });

// Accounts are keyed by lowercase hex: cheap to compute on the hot path, and case-blind so
// that one address can never have two accounts. Output addresses are re-checksummed.
function accountKey(address: unknown): string {
  if (typeof address !== 'string' || !ADDRESS_RE.test(address)) {
    throw new RuleError('INVALID_ADDRESS', `not an address: ${String(address).slice(0, 80)}`);
  }
  return address.toLowerCase();
}

export class LedgerState {
  private readonly accounts = new Map<string, AccountState>();

  /** Number of existing accounts. */
  get size(): number {
    return this.accounts.size;
  }

  has(address: string): boolean {
    return this.accounts.has(accountKey(address));
  }

  /** The account at `address`; an absent account reads as balance 0, nonce 0. */
  get(address: string): AccountState {
    return this.accounts.get(accountKey(address)) ?? EMPTY;
  }

  /** Σ balances: genesis + everything coinbases claimed (fees move to the miner; unclaimed ones are burned). */
  totalSupply(): bigint {
    let total = 0n;
    for (const a of this.accounts.values()) total += a.balance;
    return total;
  }

  // ---- the only mutators ----

  private write(key: string, account: AccountState, journal: Journal | undefined): void {
    // Unreachable through the public API (debit checks funds first); kept as the structural guard.
    if (account.balance < 0n) throw new Error(`invariant violated: negative balance for ${key}`);
    if (!Number.isSafeInteger(account.nonce) || account.nonce < 0)
      throw new Error(`invariant violated: bad nonce for ${key}`);
    if (journal && !journal.has(key)) journal.set(key, this.accounts.get(key) ?? null);
    this.accounts.set(key, Object.freeze({ balance: account.balance, nonce: account.nonce }));
  }

  private credit(key: string, amount: bigint, journal: Journal | undefined): void {
    if (amount < 0n) throw new Error('invariant violated: negative credit');
    // Crediting nothing must not create an account (a 0-amount coinbase stays invisible).
    if (amount === 0n && !this.accounts.has(key)) return;
    const cur = this.accounts.get(key) ?? EMPTY;
    this.write(key, { balance: cur.balance + amount, nonce: cur.nonce }, journal);
  }

  private restore(journal: Journal): void {
    for (const [key, prev] of journal) {
      if (prev === null) this.accounts.delete(key);
      else this.accounts.set(key, prev);
    }
  }

  // ---- transactions ----

  /**
   * Throws the RuleError applyTx would throw, without changing anything: TX_NOT_ALLOWED
   * (a coinbase outside its block slot), WRONG_CHAIN, AMOUNT_OUT_OF_RANGE, INVALID_ADDRESS,
   * BAD_NONCE (nonce ≠ account nonce), INSUFFICIENT_FUNDS (balance < amount + fee).
   * The signature is not checked here (see checkTxSignature).
   */
  checkTx(tx: Tx, ctx: TxContext): void {
    if (tx.kind !== 'transfer') {
      throw new RuleError('TX_NOT_ALLOWED', 'a coinbase is only valid as the first tx of a block');
    }
    if (tx.chainId !== ctx.chainId)
      throw new RuleError(
        'WRONG_CHAIN',
        `tx is for chain ${tx.chainId}, this is chain ${ctx.chainId}`,
      );
    checkTxAmounts(tx, ctx.maxAmount ?? MAX_U128);
    const from = this.accounts.get(accountKey(tx.from)) ?? EMPTY;
    accountKey(tx.to);
    if (tx.nonce !== from.nonce) {
      throw new RuleError(
        'BAD_NONCE',
        `${tx.from} is at nonce ${from.nonce}, the tx has nonce ${tx.nonce}`,
      );
    }
    if (from.nonce >= Number.MAX_SAFE_INTEGER)
      throw new RuleError('BAD_NONCE', 'account nonce exhausted');
    if (from.balance < tx.amount + tx.fee) {
      throw new RuleError(
        'INSUFFICIENT_FUNDS',
        `${tx.from} has ${from.balance}, the tx needs ${tx.amount + tx.fee}`,
      );
    }
  }

  /**
   * Applies one transfer (atomically: it checks everything before changing anything) and
   * returns its fee, which belongs to the block's fee pot (the coinbase claims it).
   */
  applyTx(tx: Tx, ctx: TxContext): bigint {
    return this.applyTransfer(tx, ctx, undefined);
  }

  private applyTransfer(tx: Tx, ctx: TxContext, journal: Journal | undefined): bigint {
    this.checkTx(tx, ctx);
    const t = tx as TransferTx;
    const fromKey = accountKey(t.from);
    const from = this.accounts.get(fromKey) ?? EMPTY;
    // Debit first, then credit: a self-transfer then nets to −fee, and nonce moves once.
    this.write(
      fromKey,
      { balance: from.balance - t.amount - t.fee, nonce: from.nonce + 1 },
      journal,
    );
    this.credit(accountKey(t.to), t.amount, journal);
    return t.fee;
  }

  // ---- blocks ----

  /**
   * Applies a level-2 block's txs, all or nothing. Context-free rules first (coinbase
   * shape, duplicates, chain ids, value ranges, coinbase amount ≤ subsidy + fees), then the
   * transfers one by one IN BLOCK ORDER against the running state, so a tx may spend what
   * an earlier tx of the same block paid in, never what a later one does. The coinbase
   * is credited last: a miner cannot spend its reward inside the block that mints it (a
   * one-block version of Bitcoin's coinbase maturity).
   * On any RuleError the state is exactly as before the call.
   */
  applyBlockTxs(txs: readonly Tx[], ctx: BlockContext): BlockApplyResult {
    const { height, chainId } = ctx;
    const maxAmount = ctx.maxAmount ?? ctx.spec?.maxAmount ?? MAX_U128;
    let subsidy: bigint;
    if (ctx.subsidy !== undefined) subsidy = ctx.subsidy;
    else if (ctx.spec) subsidy = blockSubsidy(height, ctx.spec);
    else throw new TypeError('applyBlockTxs needs ctx.subsidy or ctx.spec');

    const coinbase = txs[0];
    if (coinbase === undefined || coinbase.kind !== 'coinbase')
      throw new RuleError('NO_COINBASE', 'the first tx must be the coinbase');
    for (let i = 1; i < txs.length; i++) {
      const kind = txs[i]!.kind;
      if (kind === 'coinbase')
        throw new RuleError('MULTIPLE_COINBASE', `tx ${i} is a second coinbase`);
      if (kind === 'contract')
        throw new RuleError(
          'TX_NOT_ALLOWED',
          `tx ${i} is a contract tx: they need a level-3 chain`,
        );
      if (kind !== 'transfer') throw new RuleError('MALFORMED_TX', `tx ${i} has unknown kind`);
    }
    checkCoinbaseShape(coinbase, height, chainId);

    const seen = new Set<string>();
    let fees = 0n;
    txs.forEach((tx, i) => {
      const id = txid(tx); // also checks every field fits its encoding
      if (seen.has(id)) throw new RuleError('DUPLICATE_TX', `tx ${id} appears twice`);
      seen.add(id);
      if (i === 0) return;
      if (tx.chainId !== chainId)
        throw new RuleError(
          'WRONG_CHAIN',
          `tx ${i} is for chain ${tx.chainId}, this is chain ${chainId}`,
        );
      checkTxAmounts(tx, maxAmount);
      fees += tx.fee;
    });
    if (coinbase.amount > subsidy + fees) {
      throw new RuleError(
        'BAD_COINBASE_AMOUNT',
        `coinbase claims ${coinbase.amount}, the block allows ${subsidy} + ${fees} fees`,
      );
    }
    if (ctx.verifySignatures)
      for (let i = 1; i < txs.length; i++) checkTxSignature(txs[i]!, ctx.sigCache);

    const journal: Journal = new Map();
    try {
      for (let i = 1; i < txs.length; i++)
        this.applyTransfer(txs[i]!, { chainId, maxAmount }, journal);
      this.credit(accountKey(coinbase.to), coinbase.amount, journal);
    } catch (e) {
      this.restore(journal);
      throw e;
    }
    return { ...this.resultOf(journal), fees, subsidy };
  }

  /**
   * Mints the genesis allocations into an empty state (the genesis block's coinbases).
   * Allocations to one address (in any letter case) add up. Throws BAD_GENESIS.
   */
  applyGenesis(
    allocations: Record<string, bigint> | Iterable<readonly [string, bigint]>,
  ): BlockApplyResult {
    if (this.accounts.size > 0)
      throw new RuleError('BAD_GENESIS', 'genesis applies to an empty state');
    const entries =
      Symbol.iterator in allocations
        ? [...(allocations as Iterable<readonly [string, bigint]>)]
        : Object.entries(allocations);
    for (const [address, amount] of entries) {
      if (!isValidAddress(address))
        throw new RuleError(
          'BAD_GENESIS',
          `allocation to an invalid address ${String(address).slice(0, 80)}`,
        );
      if (typeof amount !== 'bigint' || amount < 0n)
        throw new RuleError('BAD_GENESIS', `allocation to ${address} is not a non-negative bigint`);
    }
    const journal: Journal = new Map();
    for (const [address, amount] of entries) this.credit(accountKey(address), amount, journal);
    return { ...this.resultOf(journal), fees: 0n, subsidy: 0n };
  }

  /**
   * Reverts the block `undo` came from. Blocks must be undone newest first (the node's
   * reorg walk guarantees it). Returns the accounts it changed, for persistence.
   */
  undoBlock(undo: BlockUndo): AccountChange[] {
    // Check the whole record before touching anything, so a corrupt record changes nothing.
    const entries = undo.accounts.map(({ address, prev }) => {
      if (
        prev !== null &&
        (typeof prev.balance !== 'bigint' ||
          prev.balance < 0n ||
          !Number.isSafeInteger(prev.nonce) ||
          prev.nonce < 0)
      ) {
        throw new TypeError(`corrupt undo record for ${address}`);
      }
      return [accountKey(address), prev] as const;
    });
    const changes: AccountChange[] = [];
    for (const [key, prev] of entries) {
      if (prev === null) this.accounts.delete(key);
      else this.write(key, prev, undefined);
      changes.push({ address: toChecksumAddress(key), account: this.accounts.get(key) ?? null });
    }
    return changes.sort((a, b) => compareAddress(a.address, b.address));
  }

  private resultOf(journal: Journal): Pick<BlockApplyResult, 'undo' | 'changed'> {
    const keys = [...journal.keys()].sort();
    return {
      undo: {
        accounts: keys.map((k) => ({
          address: toChecksumAddress(k),
          prev: journal.get(k) ?? null,
        })),
      },
      changed: keys.map((k) => ({
        address: toChecksumAddress(k),
        account: this.accounts.get(k) ?? null,
      })),
    };
  }

  // ---- whole-state views ----

  /** Every account, sorted by address (lowercase hex order): the canonical form. */
  snapshot(): AccountEntry[] {
    return [...this.accounts.keys()].sort().map((k) => {
      const a = this.accounts.get(k)!;
      return { address: toChecksumAddress(k), balance: a.balance, nonce: a.nonce };
    });
  }

  /** Canonical text of the state: equal states serialize to equal strings, byte for byte. */
  serialize(): string {
    return JSON.stringify(
      this.snapshot().map((a) => ({
        address: a.address,
        balance: a.balance.toString(),
        nonce: a.nonce,
      })),
    );
  }

  /** SHA-256d of serialize(), display form: a short fingerprint to compare two nodes' states. */
  digest(): string {
    return hashToDisplay(sha256d(utf8(this.serialize())));
  }

  static deserialize(text: string): LedgerState {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) throw new TypeError('a serialized state is a JSON array');
    return LedgerState.fromSnapshot(
      parsed.map((e: unknown) => {
        const o = e as Record<string, unknown>;
        if (typeof o?.balance !== 'string' || !/^(0|[1-9][0-9]*)$/.test(o.balance))
          throw new TypeError('bad balance in serialized state');
        return { address: String(o.address), balance: BigInt(o.balance), nonce: o.nonce as number };
      }),
    );
  }

  static fromSnapshot(entries: readonly AccountEntry[]): LedgerState {
    const state = new LedgerState();
    for (const e of entries) {
      const key = accountKey(e.address);
      if (state.accounts.has(key)) throw new TypeError(`duplicate account ${e.address}`);
      if (typeof e.balance !== 'bigint') throw new TypeError(`bad balance for ${e.address}`);
      state.write(key, { balance: e.balance, nonce: e.nonce }, undefined);
    }
    return state;
  }

  /** An independent copy (the mempool and the miner simulate on clones). O(accounts). */
  clone(): LedgerState {
    const copy = new LedgerState();
    for (const [k, a] of this.accounts) copy.accounts.set(k, a); // frozen values: sharing is safe
    return copy;
  }
}

function checkCoinbaseShape(tx: CoinbaseTx, height: number, chainId: number): void {
  if (tx.from !== null || tx.sig !== null || tx.fee !== 0n)
    throw new RuleError('BAD_COINBASE', 'a coinbase has from = null, sig = null and fee 0');
  if (tx.nonce !== height)
    throw new RuleError(
      'BAD_COINBASE',
      `coinbase nonce ${tx.nonce} is not the block height ${height}`,
    );
  if (tx.chainId !== chainId)
    throw new RuleError(
      'BAD_COINBASE',
      `coinbase is for chain ${tx.chainId}, this is chain ${chainId}`,
    );
  if (typeof tx.amount !== 'bigint' || tx.amount < 0n)
    throw new RuleError('BAD_COINBASE_AMOUNT', 'coinbase amount is negative');
  accountKey(tx.to);
}

function compareAddress(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---- undo records as JSON, for the node's storage ----

export interface BlockUndoJson {
  accounts: { address: string; prev: { balance: string; nonce: number } | null }[];
}

export function blockUndoToJson(undo: BlockUndo): BlockUndoJson {
  return {
    accounts: undo.accounts.map(({ address, prev }) => ({
      address,
      prev: prev === null ? null : { balance: prev.balance.toString(), nonce: prev.nonce },
    })),
  };
}

export function parseBlockUndo(json: unknown): BlockUndo {
  const j = json as BlockUndoJson;
  if (typeof j !== 'object' || j === null || !Array.isArray(j.accounts))
    throw new TypeError('an undo record is {accounts: [...]}');
  return {
    accounts: j.accounts.map((e) => {
      if (typeof e !== 'object' || e === null || !isValidAddress(e.address))
        throw new TypeError('bad undo entry');
      if (e.prev === null) return { address: e.address, prev: null };
      const { balance, nonce } = e.prev;
      if (
        typeof balance !== 'string' ||
        !/^(0|[1-9][0-9]*)$/.test(balance) ||
        !Number.isSafeInteger(nonce) ||
        nonce < 0
      ) {
        throw new TypeError(`bad undo entry for ${e.address}`);
      }
      return { address: e.address, prev: { balance: BigInt(balance), nonce } };
    }),
  };
}
