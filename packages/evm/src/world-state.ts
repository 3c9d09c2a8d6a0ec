// The level-3 world state: accounts (nonce, balance, code hash), code and storage in plain
// Maps, with a write-ahead undo log. It is the StateManager @ethereumjs/evm runs against:
// the EVM's call frames checkpoint/commit/revert through it, and the block engine wraps
// each block in one more checkpoint whose log becomes the block's undo record (first value
// of every touched entry), so a reorg restores the exact previous state.
//
// Every write goes through `write*`, which logs the previous value and marks the address
// dirty; the state root (see stateRoot()) re-hashes only dirty accounts.
import {
  Account,
  Address,
  KECCAK256_NULL,
  KECCAK256_RLP,
  bigIntToBytes,
  bytesToHex,
  setLengthLeft,
} from '@ethereumjs/util';
import { OriginalStorageCache } from '@ethereumjs/statemanager';
import type { AccountFields, StateManagerInterface } from '@ethereumjs/common';
import { keccak256 as keccak_256 } from '@chainlab/core';
import type { AccountRecord } from './types.js';

type Entry =
  | { t: 'a'; k: string; prev: AccountRecord | undefined }
  | { t: 's'; k: string; slot: string; prev: bigint }
  | { t: 'c'; k: string; prev: Uint8Array | undefined };

// Any 32 bytes other than KECCAK256_RLP: tells the EVM "this account has storage" (its
// CREATE collision rule, EIP-7610) without hashing the storage on every account read.
const HAS_STORAGE_MARK = new Uint8Array(32).fill(1);

export const EMPTY_CODE_HASH = KECCAK256_NULL;

function hexKey(address: Address): string {
  return address.toString(); // 0x + 40 lowercase hex
}

function slotKey(key: Uint8Array): string {
  return bytesToHex(setLengthLeft(key, 32)).slice(2);
}

function u256(value: bigint): Uint8Array {
  return setLengthLeft(bigIntToBytes(value), 32);
}

export interface BlockJournal {
  accounts: [string, AccountRecord | null][];
  storage: [string, string, bigint][];
  code: [string, Uint8Array | null][];
  touched: string[];
}

export class WorldState implements StateManagerInterface {
  readonly accounts = new Map<string, AccountRecord>();
  readonly code = new Map<string, Uint8Array>();
  /** address → slot (64 hex) → non-zero value. */
  readonly storage = new Map<string, Map<string, bigint>>();
  originalStorageCache: OriginalStorageCache;

  private log: Entry[] = [];
  private marks: number[] = [];
  /** Addresses whose root leaf must be recomputed. */
  private readonly dirty = new Set<string>();
  private readonly leaves = new Map<string, Uint8Array>();

  constructor() {
    this.originalStorageCache = new OriginalStorageCache(this.getStorage.bind(this));
  }

  // ---- reads (synchronous cores, async wrappers for the EVM) ----

  accountRecord(key: string): AccountRecord | undefined {
    return this.accounts.get(key);
  }

  storageValue(key: string, slot: string): bigint {
    return this.storage.get(key)?.get(slot) ?? 0n;
  }

  async getAccount(address: Address): Promise<Account | undefined> {
    const a = this.accounts.get(hexKey(address));
    if (a === undefined) return undefined;
    const k = hexKey(address);
    const hasStorage = (this.storage.get(k)?.size ?? 0) > 0;
    return new Account(
      a.nonce,
      a.balance,
      hasStorage ? HAS_STORAGE_MARK : KECCAK256_RLP,
      a.codeHash,
      this.code.get(k)?.length ?? 0,
    );
  }

  async getCode(address: Address): Promise<Uint8Array> {
    return this.code.get(hexKey(address)) ?? new Uint8Array(0);
  }

  async getCodeSize(address: Address): Promise<number> {
    return this.code.get(hexKey(address))?.length ?? 0;
  }

  async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    const v = this.storage.get(hexKey(address))?.get(slotKey(key)) ?? 0n;
    return v === 0n ? new Uint8Array(0) : bigIntToBytes(v);
  }

  // ---- the only mutators ----

  writeAccount(k: string, next: AccountRecord | undefined): void {
    this.log.push({ t: 'a', k, prev: this.accounts.get(k) });
    if (next === undefined) this.accounts.delete(k);
    else
      this.accounts.set(k, { nonce: next.nonce, balance: next.balance, codeHash: next.codeHash });
    this.dirty.add(k);
  }

  writeStorage(k: string, slot: string, value: bigint): void {
    let slots = this.storage.get(k);
    const prev = slots?.get(slot) ?? 0n;
    if (prev === value) return;
    this.log.push({ t: 's', k, slot, prev });
    if (value === 0n) {
      slots!.delete(slot);
      if (slots!.size === 0) this.storage.delete(k);
    } else {
      if (!slots) this.storage.set(k, (slots = new Map()));
      slots.set(slot, value);
    }
    this.dirty.add(k);
  }

  writeCode(k: string, code: Uint8Array | undefined): void {
    this.log.push({ t: 'c', k, prev: this.code.get(k) });
    if (code === undefined || code.length === 0) this.code.delete(k);
    else this.code.set(k, code);
    this.dirty.add(k);
  }

  // ---- StateManagerInterface writes ----

  async putAccount(address: Address, account?: Account): Promise<void> {
    const k = hexKey(address);
    if (account === undefined) {
      this.removeAccount(k);
      return;
    }
    this.writeAccount(k, {
      nonce: account.nonce,
      balance: account.balance,
      codeHash: account.codeHash,
    });
  }

  async deleteAccount(address: Address): Promise<void> {
    this.removeAccount(hexKey(address));
  }

  /** An account goes with its code and storage. */
  removeAccount(k: string): void {
    for (const slot of [...(this.storage.get(k)?.keys() ?? [])]) this.writeStorage(k, slot, 0n);
    if (this.code.has(k)) this.writeCode(k, undefined);
    if (this.accounts.has(k)) this.writeAccount(k, undefined);
  }

  async modifyAccountFields(address: Address, fields: AccountFields): Promise<void> {
    const k = hexKey(address);
    const cur = this.accounts.get(k) ?? { nonce: 0n, balance: 0n, codeHash: EMPTY_CODE_HASH };
    this.writeAccount(k, {
      nonce: fields.nonce ?? cur.nonce,
      balance: fields.balance ?? cur.balance,
      codeHash: fields.codeHash ?? cur.codeHash,
    });
  }

  async putCode(address: Address, value: Uint8Array): Promise<void> {
    const k = hexKey(address);
    this.writeCode(k, value.length === 0 ? undefined : Uint8Array.from(value));
    const cur = this.accounts.get(k) ?? { nonce: 0n, balance: 0n, codeHash: EMPTY_CODE_HASH };
    this.writeAccount(k, {
      ...cur,
      codeHash: value.length === 0 ? EMPTY_CODE_HASH : keccak_256(value),
    });
  }

  async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    let v = 0n;
    for (const b of value) v = (v << 8n) | BigInt(b);
    this.writeStorage(hexKey(address), slotKey(key), v);
  }

  async clearStorage(address: Address): Promise<void> {
    const k = hexKey(address);
    for (const slot of [...(this.storage.get(k)?.keys() ?? [])]) this.writeStorage(k, slot, 0n);
  }

  // ---- checkpoints ----

  async checkpoint(): Promise<void> {
    this.marks.push(this.log.length);
  }

  async commit(): Promise<void> {
    if (this.marks.pop() === undefined) throw new Error('commit without checkpoint');
  }

  async revert(): Promise<void> {
    const mark = this.marks.pop();
    if (mark === undefined) throw new Error('revert without checkpoint');
    this.rollbackTo(mark);
  }

  get depth(): number {
    return this.marks.length;
  }

  /** Synchronous checkpoint for the block engine; returns its mark. */
  mark(): number {
    this.marks.push(this.log.length);
    return this.marks.length;
  }

  /** Undoes everything since the checkpoint `depth` (as returned by mark()) and drops it. */
  rollback(depth: number): void {
    if (this.marks.length < depth) throw new Error('rollback past a dropped checkpoint');
    const mark = this.marks[depth - 1]!;
    this.marks.length = depth - 1;
    this.rollbackTo(mark);
  }

  private rollbackTo(mark: number): void {
    for (let i = this.log.length - 1; i >= mark; i--) this.undoEntry(this.log[i]!);
    this.log.length = mark;
  }

  private undoEntry(e: Entry): void {
    if (e.t === 'a') {
      if (e.prev === undefined) this.accounts.delete(e.k);
      else this.accounts.set(e.k, e.prev);
    } else if (e.t === 's') {
      let slots = this.storage.get(e.k);
      if (e.prev === 0n) {
        slots?.delete(e.slot);
        if (slots?.size === 0) this.storage.delete(e.k);
      } else {
        if (!slots) this.storage.set(e.k, (slots = new Map()));
        slots.set(e.slot, e.prev);
      }
    } else if (e.prev === undefined) this.code.delete(e.k);
    else this.code.set(e.k, e.prev);
    this.dirty.add(e.k);
  }

  /**
   * Ends the block checkpoint `depth` keeping its changes, and returns what undoes them:
   * the value of every touched entry before the checkpoint.
   */
  commitBlock(depth: number): BlockJournal {
    if (this.marks.length !== depth)
      throw new Error('a block checkpoint must be the outermost one');
    const mark = this.marks[depth - 1]!;
    this.marks.length = depth - 1;
    const accounts = new Map<string, AccountRecord | null>();
    const storage = new Map<string, [string, string, bigint]>();
    const code = new Map<string, Uint8Array | null>();
    const touched = new Set<string>();
    for (let i = mark; i < this.log.length; i++) {
      const e = this.log[i]!;
      touched.add(e.k);
      if (e.t === 'a') {
        if (!accounts.has(e.k)) accounts.set(e.k, e.prev ?? null);
      } else if (e.t === 's') {
        const id = e.k + e.slot;
        if (!storage.has(id)) storage.set(id, [e.k, e.slot, e.prev]);
      } else if (!code.has(e.k)) code.set(e.k, e.prev ?? null);
    }
    if (this.marks.length === 0) this.log.length = 0;
    return {
      accounts: [...accounts],
      storage: [...storage.values()],
      code: [...code],
      touched: [...touched].sort(),
    };
  }

  /** Restores the entries of a block's undo record (the block must be the last one applied). */
  applyUndo(undo: Pick<BlockJournal, 'accounts' | 'storage' | 'code'>): void {
    if (this.marks.length !== 0) throw new Error('undo inside a checkpoint');
    for (const [k, slot, prev] of undo.storage) this.writeStorage(k, slot, prev);
    for (const [k, prev] of undo.code) this.writeCode(k, prev ?? undefined);
    for (const [k, prev] of undo.accounts) this.writeAccount(k, prev ?? undefined);
    this.log.length = 0;
  }

  // ---- the state root ----

  /**
   * keccak-256 over every account in address order, each as a 124-byte leaf:
   * address 20 | nonce u64 | balance u256 | codeHash 32 | storageRoot 32, where
   * storageRoot = keccak-256 over the non-zero slots in slot order, each slot 32 | value 32
   * (keccak-256 of the empty string for none). Only accounts written since the last call
   * are re-hashed.
   */
  stateRoot(): Uint8Array {
    for (const k of this.dirty) {
      const a = this.accounts.get(k);
      if (a === undefined) {
        this.leaves.delete(k);
        continue;
      }
      const leaf = new Uint8Array(124);
      leaf.set(Buffer.from(k.slice(2), 'hex'), 0);
      new DataView(leaf.buffer).setBigUint64(20, a.nonce);
      leaf.set(u256(a.balance), 28);
      leaf.set(a.codeHash, 60);
      leaf.set(this.storageRoot(k), 92);
      this.leaves.set(k, leaf);
    }
    this.dirty.clear();
    const keys = [...this.leaves.keys()].sort();
    const all = new Uint8Array(keys.length * 124);
    keys.forEach((k, i) => all.set(this.leaves.get(k)!, i * 124));
    return keccak_256(all);
  }

  storageRoot(k: string): Uint8Array {
    const slots = this.storage.get(k);
    if (!slots || slots.size === 0) return KECCAK256_NULL;
    const keys = [...slots.keys()].sort();
    const all = new Uint8Array(keys.length * 64);
    keys.forEach((slot, i) => {
      all.set(Buffer.from(slot, 'hex'), i * 64);
      all.set(u256(slots.get(slot)!), i * 64 + 32);
    });
    return keccak_256(all);
  }

  // ---- StateManagerInterface leftovers ----

  async getStateRoot(): Promise<Uint8Array> {
    return this.stateRoot();
  }

  async setStateRoot(): Promise<void> {
    throw new Error('WorldState keeps one state: move it with blocks and undo records');
  }

  async hasStateRoot(): Promise<boolean> {
    throw new Error('WorldState keeps one state');
  }

  clearCaches(): void {}

  shallowCopy(): StateManagerInterface {
    throw new Error('WorldState is not copied: the engine checkpoints and rolls back instead');
  }
}
