// The Ethereum JSON-RPC methods of a level-3 node: each translates Ethereum's params to the
// chain service, the EVM machine and the mempool, and chainlab's answers back to the
// shapes geth gives. Rules stay in @chainlab/core and @chainlab/evm.
import {
  fromHex,
  initialBaseFee,
  isRuleError,
  keccak256,
  toHex,
  type Chain,
  type ChainNode,
  type ChainSpec,
  type Reorg,
  type Tx,
} from '@chainlab/core';
import type { CallRequest, EvmMachine, Log, Receipt } from '@chainlab/evm';
import { MempoolRefused, type MempoolClient } from './mempool-client.js';
import { address, bool, hash32, hexData, hexQuantity, param, type Params } from './params.js';
import { DevMethods, type DevControls } from './dev-methods.js';
import {
  EXECUTION_REVERTED,
  METHOD_NOT_FOUND,
  RpcError,
  SERVER_ERROR,
  invalidParam,
  mempoolRefusal,
} from './errors.js';
import {
  blockView,
  ethTxsOf,
  logView,
  qty,
  receiptView,
  txView,
  type BlockExtras,
  type TxPosition,
} from './view.js';

/** `safe` is the block with this many confirmations (the tip has 1). */
export const SAFE_CONFIRMATIONS = 6;
/** `finalized` is the block with this many confirmations. */
export const FINALIZED_CONFIRMATIONS = 20;
/** Most blocks one eth_getLogs may scan. */
export const MAX_LOG_RANGE = 10_000;
/** Filters not polled for this long are dropped (geth: 5 minutes). */
export const FILTER_TIMEOUT_MS = 5 * 60_000;

/** What the RPC needs from the node: kept small so the module stays self-contained. */
export interface EthRpcDeps {
  spec: ChainSpec;
  chain: Chain;
  machine: EvmMachine;
  /** The node's mempool (POST /pushtx, the pending nonce, pending txs). */
  mempool: MempoolClient;
  /** Called after the mempool admitted a tx (so the miner refreshes its template). */
  onAdmitted?: () => void;
  mining: () => boolean;
  hashrate: () => number;
  /** Devnet controls (undefined on other chains: the evm_ and anvil_ methods are then unknown). */
  dev?: DevControls;
  clientVersion: string;
}

export class EthRpc {
  private readonly filters = new Map<string, Filter>();
  private nextFilter = 1;
  private readonly floor: bigint;

  private readonly dev: DevMethods | undefined;

  constructor(private readonly deps: EthRpcDeps) {
    this.floor = initialBaseFee(deps.spec);
    this.dev = deps.dev
      ? new DevMethods(deps.spec, deps.machine, deps.mempool, deps.dev)
      : undefined;
  }

  private get chain(): Chain {
    return this.deps.chain;
  }

  // ---- block selection ----

  /** A block tag or number → an active-chain node (undefined: no such block yet). */
  private blockByTag(tag: unknown, name = 'block'): ChainNode | undefined {
    const tip = this.chain.tip;
    if (tag === undefined || tag === null || tag === 'latest' || tag === 'pending') return tip;
    if (tag === 'earliest') return this.chain.atHeight(0);
    if (tag === 'safe')
      return this.chain.atHeight(Math.max(0, tip.height - SAFE_CONFIRMATIONS + 1));
    if (tag === 'finalized')
      return this.chain.atHeight(Math.max(0, tip.height - FINALIZED_CONFIRMATIONS + 1));
    if (typeof tag === 'object' && tag !== null && 'blockHash' in tag) {
      const node = this.chain.get(hash32((tag as { blockHash: unknown }).blockHash, name));
      return node && this.chain.isActive(node) ? node : undefined;
    }
    if (typeof tag === 'object' && tag !== null && 'blockNumber' in tag)
      return this.blockByTag((tag as { blockNumber: unknown }).blockNumber, name);
    if (typeof tag === 'string' && /^0x[0-9a-fA-F]{1,16}$/.test(tag)) {
      const n = Number(BigInt(tag));
      return n > tip.height ? undefined : this.chain.atHeight(n);
    }
    throw invalidParam(
      name,
      'expected a block number (0x hex) or latest, pending, earliest, safe, finalized',
    );
  }

  /** State queries answer at the tip only: chainlab keeps the tip's state (and undo records). */
  private stateAt(tag: unknown, name = 'block'): void {
    const node = this.blockByTag(tag, name);
    if (!node) throw new RpcError(SERVER_ERROR, 'header not found');
    if (node.hash !== this.chain.tip.hash)
      throw new RpcError(
        SERVER_ERROR,
        `missing trie node: state of block ${node.height} is not available (chainlab keeps the state of the tip only; ask for "latest")`,
      );
  }

  private extras(node: ChainNode): BlockExtras {
    const info = this.deps.machine.blockExecInfo(node.hash);
    return {
      receipts: this.deps.machine.receiptsOf(node.hash) ?? [],
      baseFee: info?.baseFee ?? this.floor,
      gasUsed: info?.gasUsed ?? 0n,
      gasLimit: this.deps.spec.blockGasLimit,
    };
  }

  /** The block a *ByHash / *ByBlockHash (…AndIndex) method names by hash, or any other by tag. */
  private nodeByHashOrNumber(method: string, v: unknown): ChainNode | undefined {
    if (/Hash(AndIndex)?$/.test(method)) {
      const node = this.chain.get(hash32(v, 'blockHash'));
      return node && this.chain.isActive(node) ? node : undefined;
    }
    return this.blockByTag(v, 'blockNumber');
  }

  // ---- tx lookup ----

  private mined(
    hash: string,
  ): { tx: Tx; receipt: Receipt; pos: TxPosition; node: ChainNode } | null {
    const loc = this.deps.machine.receipt(hash);
    if (!loc) return null;
    const node = this.chain.get(loc.blockHash);
    if (!node) return null;
    const tx = ethTxsOf(node)[loc.index - 1];
    if (!tx) return null;
    return {
      tx,
      receipt: loc.receipt,
      pos: { blockHash: node.hash, blockNumber: node.height, index: loc.index - 1 },
      node,
    };
  }

  private logIndexBase(node: ChainNode, index: number): number {
    const receipts = this.deps.machine.receiptsOf(node.hash) ?? [];
    let n = 0;
    for (let i = 0; i < index; i++) n += receipts[i]?.logs.length ?? 0;
    return n;
  }

  // ---- calls ----

  private callRequest(v: unknown): CallRequest {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw invalidParam('transaction', 'expected a call object {from, to, data, value, gas}');
    const o = v as Record<string, unknown>;
    const req: CallRequest = {
      to: o.to === undefined || o.to === null ? null : address(o.to, 'to'),
      data: '0x',
    };
    const input = o.input ?? o.data;
    if (input !== undefined && input !== null) req.data = hexData(input, 'input');
    if (o.from !== undefined && o.from !== null) req.from = address(o.from, 'from');
    if (o.value !== undefined && o.value !== null) req.value = hexQuantity(o.value, 'value');
    if (o.gas !== undefined && o.gas !== null) {
      const gas = hexQuantity(o.gas, 'gas');
      req.gasLimit = gas > this.deps.spec.blockGasLimit ? this.deps.spec.blockGasLimit : gas;
    }
    return req;
  }

  private reverted(returnData: string, reason: string | undefined, error?: string): RpcError {
    if (error !== undefined && error !== 'revert')
      return new RpcError(SERVER_ERROR, error === 'out of gas' ? 'out of gas' : error);
    return new RpcError(
      EXECUTION_REVERTED,
      reason !== undefined ? `execution reverted: ${reason}` : 'execution reverted',
      returnData,
    );
  }

  private ruleToRpc(e: unknown): never {
    if (isRuleError(e)) throw new RpcError(SERVER_ERROR, e.message);
    if (e instanceof RangeError) throw new RpcError(SERVER_ERROR, e.message);
    throw e;
  }

  // ---- dispatch ----

  async call(method: string, params: Params): Promise<unknown> {
    const d = this.deps;
    const chain = this.chain;
    switch (method) {
      case 'web3_clientVersion':
        return d.clientVersion;
      case 'web3_sha3':
        return toHex(keccak256(fromHex(hexData(param(params, 0), 'data'))));
      case 'net_version':
        return String(d.spec.chainId);
      case 'net_listening':
        return true;
      case 'net_peerCount':
        return '0x0';
      case 'eth_chainId':
        return qty(d.spec.chainId);
      case 'eth_syncing':
        return false;
      case 'eth_mining':
        return d.mining();
      case 'eth_hashrate':
        return qty(Math.round(d.hashrate()));
      case 'eth_accounts':
        return [];
      case 'eth_coinbase':
        throw new RpcError(SERVER_ERROR, 'etherbase must be explicitly specified');
      case 'eth_blockNumber':
        return qty(chain.height);
      case 'eth_gasPrice':
        return qty(d.machine.nextBaseFee() + this.priorityFee());
      case 'eth_maxPriorityFeePerGas':
        return qty(this.priorityFee());
      case 'eth_feeHistory':
        return this.feeHistory(params);
      case 'eth_getBlockByNumber':
      case 'eth_getBlockByHash': {
        const node = this.nodeByHashOrNumber(method, param(params, 0));
        const full = params.length > 1 ? bool(param(params, 1), 'fullTransactions') : false;
        return node ? blockView(node, this.extras(node), full) : null;
      }
      case 'eth_getBlockTransactionCountByNumber':
      case 'eth_getBlockTransactionCountByHash': {
        const node = this.nodeByHashOrNumber(method, param(params, 0));
        return node ? qty(ethTxsOf(node).length) : null;
      }
      case 'eth_getUncleCountByBlockNumber':
      case 'eth_getUncleCountByBlockHash': {
        const node = this.nodeByHashOrNumber(method, param(params, 0));
        return node ? '0x0' : null;
      }
      case 'eth_getUncleByBlockNumberAndIndex':
      case 'eth_getUncleByBlockHashAndIndex':
        return null;
      case 'eth_getTransactionByBlockNumberAndIndex':
      case 'eth_getTransactionByBlockHashAndIndex': {
        const node = this.nodeByHashOrNumber(method, param(params, 0));
        const i = Number(hexQuantity(param(params, 1), 'index'));
        const tx = node ? ethTxsOf(node)[i] : undefined;
        if (!node || !tx) return null;
        return txView(
          tx,
          { blockHash: node.hash, blockNumber: node.height, index: i },
          this.extras(node).baseFee,
        );
      }
      case 'eth_getTransactionByHash': {
        const hash = hash32(param(params, 0), 'hash');
        const m = this.mined(hash);
        if (m) return txView(m.tx, m.pos, this.extras(m.node).baseFee);
        const pending = await d.mempool.pendingTx(hash).catch(() => null);
        return pending ? txView(pending, null, null) : null;
      }
      case 'eth_getTransactionReceipt': {
        const m = this.mined(hash32(param(params, 0), 'hash'));
        if (!m) return null;
        return receiptView(m.tx, m.receipt, m.pos, this.logIndexBase(m.node, m.pos.index));
      }
      case 'eth_getBalance': {
        const a = address(param(params, 0), 'address');
        this.stateAt(param(params, 1));
        return qty(d.machine.account(a).balance);
      }
      case 'eth_getTransactionCount': {
        const a = address(param(params, 0), 'address');
        const tag = param(params, 1);
        this.stateAt(tag);
        const nonce = d.machine.account(a).nonce;
        if (tag !== 'pending') return qty(nonce);
        // The mempool knows the sender's pending txs; the chain's nonce if it cannot answer.
        const pending = await d.mempool.pendingNonce(a).catch(() => nonce);
        return qty(pending > nonce ? pending : nonce);
      }
      case 'eth_getCode': {
        const a = address(param(params, 0), 'address');
        this.stateAt(param(params, 1));
        return d.machine.code(a);
      }
      case 'eth_getStorageAt': {
        const a = address(param(params, 0), 'address');
        const slot = hexQuantity(param(params, 1), 'slot');
        this.stateAt(param(params, 2));
        return d.machine.storage(a, slot);
      }
      case 'eth_call': {
        const req = this.callRequest(param(params, 0));
        this.stateAt(param(params, 1));
        // Not blocking the event loop: other requests are parsed while the EVM worker runs.
        const r = await d.machine.callAsync(req).catch((e: unknown) => this.ruleToRpc(e));
        if (r.status === 0) throw this.reverted(r.returnData, r.revertReason, r.error);
        return r.returnData;
      }
      case 'eth_estimateGas': {
        const req = this.callRequest(param(params, 0));
        if (params.length > 1) this.stateAt(param(params, 1));
        const { gasLimit: _gas, ...plain } = req;
        const r = await d.machine.callAsync(plain).catch((e: unknown) => this.ruleToRpc(e));
        if (r.status === 0) throw this.reverted(r.returnData, r.revertReason, r.error);
        const gas = await d.machine
          .estimateGasAsync(plain)
          .catch((e: unknown) => this.ruleToRpc(e));
        return qty(gas);
      }
      case 'eth_sendRawTransaction': {
        const raw = hexData(param(params, 0), 'data');
        let result;
        try {
          result = await d.mempool.push({ raw });
        } catch (e) {
          if (e instanceof MempoolRefused) {
            if (e.code === 'INVALID_JSON')
              throw new RpcError(SERVER_ERROR, `invalid transaction: ${e.message}`);
            throw mempoolRefusal(e.code, e.message);
          }
          throw new RpcError(SERVER_ERROR, `the mempool is unreachable: ${(e as Error).message}`);
        }
        d.onAdmitted?.();
        return result.txid;
      }
      case 'eth_sendTransaction':
      case 'eth_sign':
      case 'eth_signTransaction':
        throw new RpcError(
          SERVER_ERROR,
          'this node holds no keys (eth_accounts is empty): sign in the wallet and use eth_sendRawTransaction',
        );
      case 'eth_getLogs':
        return this.getLogs(this.logFilter(param(params, 0)));
      case 'eth_newFilter':
        return this.install({ kind: 'logs', criteria: this.logFilter(param(params, 0)) });
      case 'eth_newBlockFilter':
        return this.install({ kind: 'blocks' });
      case 'eth_newPendingTransactionFilter':
        return this.install({ kind: 'pending' });
      case 'eth_getFilterChanges':
        return this.filterChanges(param(params, 0));
      case 'eth_getFilterLogs': {
        const f = this.filter(param(params, 0));
        if (f.kind !== 'logs') throw new RpcError(SERVER_ERROR, 'filter not found');
        return this.getLogs(f.criteria);
      }
      case 'eth_uninstallFilter': {
        const id = typeof param(params, 0) === 'string' ? (param(params, 0) as string) : '';
        return this.filters.delete(id.toLowerCase());
      }
    }
    if (this.dev && DevMethods.handles(method)) return this.dev.call(method, params);
    throw new RpcError(METHOD_NOT_FOUND, `the method ${method} does not exist/is not available`);
  }

  /** The tip suggested to wallets: the fee floor per gas (so that maxFee reaches the mempool's minimum). */
  private priorityFee(): bigint {
    return this.floor > 0n ? this.floor : 1n;
  }

  private feeHistory(params: Params) {
    const count = Number(hexQuantity(param(params, 0), 'blockCount'));
    if (count < 1 || count > 1024) throw invalidParam('blockCount', 'expected 1 to 1024 blocks');
    const newest = this.blockByTag(param(params, 1), 'newestBlock');
    if (!newest) throw new RpcError(SERVER_ERROR, 'header not found');
    const pcts = param(params, 2);
    if (pcts !== undefined && pcts !== null && !Array.isArray(pcts))
      throw invalidParam('rewardPercentiles', 'expected an array of numbers');
    const oldest = Math.max(0, newest.height - count + 1);
    const baseFees: string[] = [];
    const ratios: number[] = [];
    const rewards: string[][] = [];
    for (let h = oldest; h <= newest.height; h++) {
      const node = this.chain.atHeight(h)!;
      const x = this.extras(node);
      baseFees.push(qty(x.baseFee));
      ratios.push(Number(x.gasUsed) / Number(x.gasLimit));
      if (Array.isArray(pcts)) {
        const tips = x.receipts
          .map((r) => (r.effectiveGasPrice ?? 0n) - x.baseFee)
          .filter((t) => t >= 0n)
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        rewards.push(
          pcts.map((p) => {
            if (typeof p !== 'number' || p < 0 || p > 100)
              throw invalidParam('rewardPercentiles', 'expected numbers in [0, 100]');
            if (tips.length === 0) return '0x0';
            return qty(tips[Math.min(tips.length - 1, Math.floor((p / 100) * tips.length))]!);
          }),
        );
      }
    }
    const next =
      newest.hash === this.chain.tip.hash
        ? this.deps.machine.nextBaseFee()
        : this.extras(this.chain.atHeight(newest.height + 1)!).baseFee;
    baseFees.push(qty(next));
    return {
      oldestBlock: qty(oldest),
      baseFeePerGas: baseFees,
      gasUsedRatio: ratios,
      ...(Array.isArray(pcts) ? { reward: rewards } : {}),
    };
  }

  // ---- logs and filters ----

  private logFilter(v: unknown): LogCriteria {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw invalidParam('filter', 'expected {fromBlock, toBlock, address, topics} or {blockHash}');
    const o = v as Record<string, unknown>;
    const c: LogCriteria = { addresses: null, topics: [] };
    if (o.blockHash !== undefined) c.blockHash = hash32(o.blockHash, 'blockHash');
    else {
      c.fromBlock = o.fromBlock ?? 'latest';
      c.toBlock = o.toBlock ?? 'latest';
    }
    if (o.address !== undefined && o.address !== null) {
      const list = Array.isArray(o.address) ? o.address : [o.address];
      c.addresses = new Set(list.map((a) => address(a, 'address').toLowerCase()));
    }
    if (o.topics !== undefined && o.topics !== null) {
      if (!Array.isArray(o.topics)) throw invalidParam('topics', 'expected an array');
      c.topics = o.topics.map((t, i) =>
        t === null
          ? null
          : new Set((Array.isArray(t) ? t : [t]).map((x) => hash32(x, `topics[${i}]`))),
      );
    }
    return c;
  }

  private matches(l: Log, c: LogCriteria): boolean {
    if (c.addresses && !c.addresses.has(l.address.toLowerCase())) return false;
    for (let i = 0; i < c.topics.length; i++) {
      const want = c.topics[i];
      if (!want) continue;
      const t = l.topics[i];
      if (t === undefined || !want.has(t.toLowerCase())) return false;
    }
    return true;
  }

  /** Logs of one active block matching `c` (`removed` for a block leaving the chain). */
  private blockLogs(node: ChainNode, c: LogCriteria, removed: boolean, receipts?: Receipt[]) {
    const out: ReturnType<typeof logView>[] = [];
    let logIndex = 0;
    (receipts ?? this.deps.machine.receiptsOf(node.hash) ?? []).forEach((r, i) => {
      for (const l of r.logs) {
        if (this.matches(l, c))
          out.push(
            logView(
              l,
              { blockHash: node.hash, blockNumber: node.height, index: i },
              r.txid,
              logIndex,
              removed,
            ),
          );
        logIndex++;
      }
    });
    return out;
  }

  private getLogs(c: LogCriteria) {
    if (c.blockHash !== undefined) {
      const node = this.chain.get(c.blockHash);
      if (!node || !this.chain.isActive(node)) throw new RpcError(SERVER_ERROR, 'unknown block');
      return this.blockLogs(node, c, false);
    }
    const from = this.blockByTag(c.fromBlock, 'fromBlock');
    const to = this.blockByTag(c.toBlock, 'toBlock');
    if (!from || !to) return [];
    if (to.height - from.height > MAX_LOG_RANGE)
      throw new RpcError(SERVER_ERROR, `query exceeds max block range ${MAX_LOG_RANGE}`);
    const out = [];
    for (let h = from.height; h <= to.height; h++)
      out.push(...this.blockLogs(this.chain.atHeight(h)!, c, false));
    return out;
  }

  private install(
    f: { kind: 'blocks' } | { kind: 'pending' } | { kind: 'logs'; criteria: LogCriteria },
  ): string {
    this.expireFilters();
    const id = qty(this.nextFilter++);
    this.filters.set(id, { ...f, queue: [], touched: Date.now() } as Filter);
    return id;
  }

  private filter(v: unknown): Filter {
    const id = typeof v === 'string' ? v.toLowerCase() : '';
    const f = this.filters.get(id);
    if (!f) throw new RpcError(SERVER_ERROR, 'filter not found');
    f.touched = Date.now();
    return f;
  }

  private filterChanges(v: unknown): unknown[] {
    const f = this.filter(v);
    const out = f.queue;
    f.queue = [];
    return out;
  }

  private expireFilters(): void {
    const now = Date.now();
    for (const [id, f] of this.filters)
      if (now - f.touched > FILTER_TIMEOUT_MS) this.filters.delete(id);
  }

  /**
   * The tip moved: block filters get the new hashes; log filters get the logs of the
   * disconnected blocks again with removed: true (receipts captured before the reorg),
   * then the connected blocks' logs, as geth delivers them.
   */
  onTip(reorg: Reorg, disconnectedReceipts: Map<string, Receipt[]>): void {
    if (this.filters.size === 0) return;
    for (const f of this.filters.values()) {
      if (f.kind === 'blocks') for (const n of reorg.connected) f.queue.push(n.hash);
      else if (f.kind === 'logs') {
        for (const n of reorg.disconnected)
          f.queue.push(
            ...this.blockLogs(n, f.criteria, true, disconnectedReceipts.get(n.hash) ?? []),
          );
        for (const n of reorg.connected) f.queue.push(...this.blockLogs(n, f.criteria, false));
      }
      if (f.queue.length > 10_000) f.queue.splice(0, f.queue.length - 10_000);
    }
  }

  /** For WebSocket `logs` subscriptions: a log filter whose changes the plugin drains. */
  installLogFilter(criteria: unknown): string {
    return this.install({ kind: 'logs', criteria: this.logFilter(criteria) });
  }

  drainFilter(id: string): unknown[] {
    const f = this.filters.get(id);
    if (!f) return [];
    f.touched = Date.now();
    const out = f.queue;
    f.queue = [];
    return out;
  }

  extrasOf(node: ChainNode): BlockExtras {
    return this.extras(node);
  }

  onPending(txid: string): void {
    for (const f of this.filters.values()) if (f.kind === 'pending') f.queue.push(txid);
  }
}

interface LogCriteria {
  blockHash?: string;
  fromBlock?: unknown;
  toBlock?: unknown;
  addresses: Set<string> | null;
  topics: (Set<string> | null)[];
}

type Filter =
  | { kind: 'blocks'; queue: unknown[]; touched: number }
  | { kind: 'pending'; queue: unknown[]; touched: number }
  | { kind: 'logs'; criteria: LogCriteria; queue: unknown[]; touched: number };
