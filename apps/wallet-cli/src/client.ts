// The wallet's view of the network: REST calls to one node and the mempool (docs/api.md),
// made with @chainlab/service's fetchJson (deadlines, typed PeerError). Every failure
// becomes a WalletError carrying the server's error code, or UNREACHABLE / TIMEOUT /
// BAD_RESPONSE when there is no usable answer.
import { fetchJson, isPeerError } from '@chainlab/service';
import { txToJson, type SignedTx, type TxJson } from '@chainlab/core';
import { parseUnits } from './amounts.js';
import { WalletError } from './errors.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

type Service = 'mempool' | 'node';

export interface Account {
  address: string;
  balance: bigint;
  nonce: number;
}

export interface Confirmations {
  txid: string;
  /** 0 = waiting in the mempool. */
  confirmations: number;
  blockHash: string | null;
}

export interface TxInfo {
  tx: TxJson;
  /** The mempool's word for it: confirmed, ready, held. */
  status?: string | undefined;
  blockHeight?: number | undefined;
}

export interface BlockJson {
  hash: string;
  height: number;
  header: { prevHash: string; time: number; [k: string]: unknown };
  txs?: TxJson[];
  data?: string[];
}

export interface ChainPage {
  /** Blocks in the active chain when the page was served. */
  length: number;
  blocks: BlockJson[];
}

export interface CallBody {
  to: string | null;
  data: string;
  from?: string;
  value?: string;
  gasLimit?: string;
}

export interface LogJson {
  address: string;
  topics: string[];
  data: string;
}

/** The node's answer to `POST /call`. */
export interface CallAnswer {
  status: 0 | 1;
  /** Return data (the revert data when status is 0). */
  result: string;
  gasUsed: string;
  /** The smallest gasLimit that succeeds; null when the call fails. */
  gasEstimate: string | null;
  logs: LogJson[];
  contractAddress?: string | null;
  error?: string;
  revertReason?: string;
}

/** `GET /receipt/:txid` (docs/protocol.md §11) plus where the tx is. */
export interface ReceiptAnswer {
  txid: string;
  status: 0 | 1;
  gasUsed: string;
  cumulativeGasUsed: string;
  fee: string;
  logs: LogJson[];
  contractAddress: string | null;
  error?: string;
  revertReason?: string;
  output?: string;
  blockHash?: string;
  blockHeight?: number;
}

export class ChainClient {
  constructor(
    readonly mempoolUrl: string,
    readonly nodeUrl: string,
    private readonly timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  ) {}

  /** Balance and next nonce at the node's tip (`GET /account/:address`). */
  async account(address: string): Promise<Account> {
    const r = await this.get<{ address?: unknown; balance?: unknown; nonce?: unknown }>(
      'node',
      `/account/${address}`,
    );
    const balance = parseUnits(r.balance);
    if (
      balance === undefined ||
      typeof r.nonce !== 'number' ||
      !Number.isSafeInteger(r.nonce) ||
      r.nonce < 0
    ) {
      throw badResponse(
        'node',
        this.nodeUrl,
        `/account/${address}`,
        'expected {address, balance, nonce}',
      );
    }
    return {
      address: typeof r.address === 'string' ? r.address : address,
      balance,
      nonce: r.nonce,
    };
  }

  /** The mempool's pending txs, in inclusion order. */
  async unprocessed(): Promise<TxJson[]> {
    const r = await this.get<unknown>('mempool', '/unprocessed');
    if (!Array.isArray(r))
      throw badResponse('mempool', this.mempoolUrl, '/unprocessed', 'expected a list of txs');
    return r.filter((t): t is TxJson => typeof t === 'object' && t !== null) as TxJson[];
  }

  /** `POST /pushtx`: the txid the mempool assigned, or the mempool's refusal as a WalletError. */
  async pushTx(tx: SignedTx): Promise<string> {
    const r = await this.call<{ txid?: unknown }>('mempool', '/pushtx', { body: txToJson(tx) });
    if (typeof r?.txid !== 'string')
      throw badResponse('mempool', this.mempoolUrl, '/pushtx', 'expected {txid}');
    return r.txid;
  }

  /** `GET /balance/:address?confirmations=n` in base units. */
  async balance(
    address: string,
    confirmations: number,
  ): Promise<{ address: string; balance: bigint; confirmations: number }> {
    const path = `/balance/${address}?confirmations=${confirmations}`;
    const r = await this.get<{ address?: unknown; balance?: unknown; confirmations?: unknown }>(
      'mempool',
      path,
    );
    const balance = parseUnits(r.balance);
    if (balance === undefined)
      throw badResponse(
        'mempool',
        this.mempoolUrl,
        path,
        'expected {address, balance, confirmations}',
      );
    return {
      address: typeof r.address === 'string' ? r.address : address,
      balance,
      confirmations: typeof r.confirmations === 'number' ? r.confirmations : confirmations,
    };
  }

  /** `GET /confirmations/:txid`; TX_NOT_FOUND (a WalletError) for a txid the mempool does not know. */
  async confirmations(txid: string): Promise<Confirmations> {
    const r = await this.get<{ confirmations?: unknown; blockHash?: unknown }>(
      'mempool',
      `/confirmations/${txid}`,
    );
    if (
      typeof r.confirmations !== 'number' ||
      !Number.isInteger(r.confirmations) ||
      r.confirmations < 0
    ) {
      throw badResponse(
        'mempool',
        this.mempoolUrl,
        `/confirmations/${txid}`,
        'expected {txid, confirmations, blockHash}',
      );
    }
    return {
      txid,
      confirmations: r.confirmations,
      blockHash: typeof r.blockHash === 'string' ? r.blockHash : null,
    };
  }

  /**
   * `GET /tx/:txid` (an addition to docs/api.md's mempool routes): the tx and, when the mempool says
   * so, its pool status (`ready`, or `held` until an earlier nonce arrives) and block
   * height. undefined when the mempool does not know the tx or has no such route.
   */
  async tx(txid: string): Promise<TxInfo | undefined> {
    let r: Record<string, unknown>;
    try {
      r = await this.get<Record<string, unknown>>('mempool', `/tx/${txid}`);
    } catch (e) {
      if (e instanceof WalletError && (e.status === 404 || e.code === 'TX_NOT_FOUND'))
        return undefined;
      throw e;
    }
    // Either {txid, status, tx, blockHash, blockHeight, confirmations} or the bare tx JSON.
    const tx = typeof r?.tx === 'object' && r.tx !== null ? (r.tx as Record<string, unknown>) : r;
    if ((typeof tx?.to !== 'string' && tx?.to !== null) || !('amount' in tx)) return undefined;
    return {
      tx: tx as unknown as TxJson,
      status: typeof r.status === 'string' ? r.status : undefined,
      blockHeight: typeof r.blockHeight === 'number' ? r.blockHeight : undefined,
    };
  }

  /** `GET /blockchain?from=&limit=`: a page of the node's active chain. */
  async blockchain(from: number, limit: number): Promise<ChainPage> {
    const path = `/blockchain?from=${from}&limit=${limit}`;
    const r = await this.get<{ length?: unknown; blocks?: unknown }>('node', path, 30_000);
    if (typeof r.length !== 'number' || !Array.isArray(r.blocks)) {
      throw badResponse('node', this.nodeUrl, path, 'expected {length, blocks}');
    }
    return { length: r.length, blocks: r.blocks as BlockJson[] };
  }

  // ---- level 3 (contracts): the node's routes ----

  /** Bytes of code at `address` (level-3 `GET /account/:address`): 0 = no contract there. */
  async codeSize(address: string): Promise<number> {
    const r = await this.get<{ codeSize?: unknown }>('node', `/account/${address}`);
    return typeof r.codeSize === 'number' ? r.codeSize : 0;
  }

  /** `POST /call`: a read-only call (or deploy dry run, `to` null) at the node's tip. */
  async callContract(body: CallBody): Promise<CallAnswer> {
    const r = await this.call<CallAnswer>('node', '/call', { body });
    if ((r?.status !== 0 && r?.status !== 1) || typeof r.result !== 'string')
      throw badResponse(
        'node',
        this.nodeUrl,
        '/call',
        'expected {status, result, gasUsed, gasEstimate}',
      );
    return r;
  }

  /** `GET /receipt/:txid`; undefined while the node has no receipt (not mined yet). */
  async receipt(txid: string): Promise<ReceiptAnswer | undefined> {
    try {
      const r = await this.get<ReceiptAnswer>('node', `/receipt/${txid}`);
      if ((r?.status !== 0 && r?.status !== 1) || !Array.isArray(r.logs))
        throw badResponse('node', this.nodeUrl, `/receipt/${txid}`, 'expected a receipt');
      return r;
    } catch (e) {
      if (e instanceof WalletError && e.code === 'TX_NOT_FOUND') return undefined;
      throw e;
    }
  }

  /** `GET /code/:address`: "0x" when no contract lives there. */
  async code(address: string): Promise<string> {
    const r = await this.get<{ code?: unknown }>('node', `/code/${address}`);
    if (typeof r.code !== 'string')
      throw badResponse('node', this.nodeUrl, `/code/${address}`, 'expected {address, code}');
    return r.code;
  }

  /** The node's `/status` (chainId, height, tip…). */
  async status(): Promise<Record<string, unknown>> {
    return this.get<Record<string, unknown>>('node', '/status');
  }

  private get<T>(service: Service, path: string, timeoutMs?: number): Promise<T> {
    return this.call<T>(service, path, { timeoutMs });
  }

  private async call<T>(
    service: Service,
    path: string,
    opts: { body?: unknown; timeoutMs?: number | undefined },
  ): Promise<T> {
    const base = service === 'mempool' ? this.mempoolUrl : this.nodeUrl;
    try {
      return await fetchJson<T>(`${base}${path}`, {
        ...(opts.body === undefined ? {} : { body: opts.body }),
        timeoutMs: opts.timeoutMs ?? this.timeoutMs,
      });
    } catch (e) {
      throw translate(e, service, base, path);
    }
  }
}

const FLAG: Record<Service, string> = { mempool: '--mempool', node: '--node' };

/** A PeerError → the WalletError the user sees. */
export function translate(e: unknown, service: Service, base: string, path: string): unknown {
  if (!isPeerError(e)) return e;
  switch (e.kind) {
    case 'network':
    case 'aborted':
      return new WalletError(
        'UNREACHABLE',
        `cannot reach the ${service} at ${base} (is \`pnpm dev\` running? else pass ${FLAG[service]} <url>)`,
      );
    case 'timeout':
      return new WalletError(
        'TIMEOUT',
        `the ${service} at ${base} did not answer ${path.split('?')[0]} in time`,
      );
    case 'http': {
      const code = e.code ?? `HTTP_${e.status}`;
      // PeerError's message is "<METHOD> <url> → <status> <code>: <server message>".
      const marker = `${code}: `;
      const at = e.message.indexOf(marker);
      let message =
        at >= 0 ? e.message.slice(at + marker.length) : `${service} answered HTTP ${e.status}`;
      if (e.status === 404 && (code === 'HTTP_404' || code === 'NOT_FOUND')) {
        message = `the ${service} at ${base} has no route ${path.split('?')[0]} (is ${FLAG[service]} pointing at a chainlab ${service} of a level-2 chain?)`;
      }
      const err = new WalletError(code, message);
      err.status = e.status;
      return err;
    }
    case 'bad_response':
      return new WalletError('BAD_RESPONSE', `the ${service} at ${base}: ${e.message}`);
  }
}

function badResponse(service: Service, base: string, path: string, what: string): WalletError {
  return new WalletError(
    'BAD_RESPONSE',
    `the ${service} at ${base} answered ${path} with something unexpected: ${what}`,
  );
}
