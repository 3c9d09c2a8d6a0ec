// A stand-in for one node + the mempool (the docs/api.md routes the wallet uses), in memory,
// so the wallet's commands can be tested without mining. Blocks appear only when the test
// calls mine() (or every `autoMineMs`). Balances and confirmations follow docs/api.md.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  createCoinbase,
  isRuleError,
  parseAddress,
  parseTx,
  txid,
  txToJson,
  verifyTx,
  type ChainSpec,
  type TransferTx,
  type Tx,
} from '@chainlab/core';

interface FakeBlock {
  hash: string;
  height: number;
  header: {
    version: number;
    prevHash: string;
    merkleRoot: string;
    time: number;
    bits: number;
    nonce: number;
  };
  txs: Tx[];
}

class Refused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const hash = (): string => '0x' + randomBytes(32).toString('hex');

export class FakeChain {
  readonly blocks: FakeBlock[] = [];
  pending: TransferTx[] = [];
  /** Every request path, for assertions. */
  readonly requests: string[] = [];
  private server: Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  url = '';
  /** When set, POST /pushtx answers this error once. */
  failNextPush: { status: number; code: string; message: string } | undefined;

  constructor(
    readonly spec: ChainSpec,
    readonly miner = '0x000000000000000000000000000000000000dEaD',
  ) {
    this.blocks.push({
      hash: hash(),
      height: 0,
      header: {
        version: 1,
        prevHash: '0x' + '0'.repeat(64),
        merkleRoot: hash(),
        time: spec.genesis.time,
        bits: spec.genesis.bits,
        nonce: 0,
      },
      txs: [],
    });
  }

  get height(): number {
    return this.blocks.length - 1;
  }

  async start(opts: { autoMineMs?: number } = {}): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    if (opts.autoMineMs) this.timer = setInterval(() => this.mine(), opts.autoMineMs);
    return this.url;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Mines `n` blocks; the first takes every pending tx. */
  mine(n = 1): void {
    for (let i = 0; i < n; i++) {
      const height = this.blocks.length;
      const prev = this.blocks[height - 1]!;
      const fees = this.pending.reduce((s, t) => s + t.fee, 0n);
      const coinbase = createCoinbase(
        this.miner,
        this.spec.blockReward + fees,
        height,
        this.spec.chainId,
      );
      this.blocks.push({
        hash: hash(),
        height,
        header: {
          ...prev.header,
          prevHash: prev.hash,
          merkleRoot: hash(),
          time: prev.header.time + 1,
        },
        txs: [coinbase, ...this.pending],
      });
      this.pending = [];
    }
  }

  /** docs/api.md balance: 0 = chain + pending, k ≥ 1 = blocks with ≥ k confirmations. */
  balance(address: string, confirmations: number): bigint {
    const a = address.toLowerCase();
    let sum = 0n;
    for (const [addr, v] of Object.entries(this.spec.genesis.allocations))
      if (addr.toLowerCase() === a) sum += v;
    const lastHeight = confirmations === 0 ? this.height : this.height - confirmations + 1;
    const txs: Tx[] = this.blocks.filter((b) => b.height <= lastHeight).flatMap((b) => b.txs);
    if (confirmations === 0) for (const t of this.pending) txs.push(t);
    for (const tx of txs) {
      if (tx.to?.toLowerCase() === a) sum += tx.amount;
      if (tx.from?.toLowerCase() === a) sum -= tx.amount + tx.fee;
    }
    return sum;
  }

  nonce(address: string): number {
    const a = address.toLowerCase();
    return this.blocks.flatMap((b) => b.txs).filter((t) => t.from?.toLowerCase() === a).length;
  }

  private locate(
    id: string,
  ): { confirmations: number; block: FakeBlock | null; tx: Tx } | undefined {
    for (const b of this.blocks) {
      const tx = b.txs.find((t) => txid(t) === id);
      if (tx) return { confirmations: this.height - b.height + 1, block: b, tx };
    }
    const tx = this.pending.find((t) => txid(t) === id);
    return tx ? { confirmations: 0, block: null, tx } : undefined;
  }

  private pushTx(body: unknown): string {
    let tx: Tx;
    try {
      tx = parseTx(body, { maxAmount: this.spec.maxAmount });
    } catch (e) {
      throw new Refused(400, isRuleError(e) ? e.code : 'INVALID_JSON', (e as Error).message);
    }
    if (tx.kind !== 'transfer')
      throw new Refused(400, 'INVALID_SIGNATURE', 'a coinbase cannot be pushed');
    if (tx.chainId !== this.spec.chainId)
      throw new Refused(400, 'WRONG_CHAIN', `tx is for chain ${tx.chainId}`);
    if (!verifyTx(tx)) throw new Refused(400, 'INVALID_SIGNATURE', 'bad signature');
    const id = txid(tx);
    if (this.locate(id)) throw new Refused(400, 'DUPLICATE', `${id} is known`);
    if (tx.fee < this.spec.minFee)
      throw new Refused(400, 'FEE_TOO_LOW', `fee below ${this.spec.minFee}`);
    const from = tx.from.toLowerCase();
    const expected =
      this.nonce(tx.from) + this.pending.filter((t) => t.from.toLowerCase() === from).length;
    if (tx.nonce !== expected)
      throw new Refused(400, 'BAD_NONCE', `expected nonce ${expected}, got ${tx.nonce}`);
    if (this.balance(tx.from, 0) < tx.amount + tx.fee) {
      throw new Refused(400, 'INSUFFICIENT_FUNDS', `${tx.from} cannot pay ${tx.amount + tx.fee}`);
    }
    this.pending.push(tx);
    return id;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    let body = '';
    for await (const chunk of req) body += chunk;
    const send = (status: number, json: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    };
    try {
      const p = url.pathname;
      let m: RegExpExecArray | null;
      if (req.method === 'POST' && p === '/pushtx') {
        if (this.failNextPush) {
          const f = this.failNextPush;
          this.failNextPush = undefined;
          throw new Refused(f.status, f.code, f.message);
        }
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          throw new Refused(400, 'INVALID_JSON', 'not JSON');
        }
        return send(200, { txid: this.pushTx(json) });
      }
      if (p === '/unprocessed') return send(200, this.pending.map(txToJson));
      if ((m = /^\/account\/(.+)$/.exec(p))) {
        const address = this.address(m[1]!);
        return send(200, {
          address,
          balance: this.balance(address, 1).toString(),
          nonce: this.nonce(address),
        });
      }
      if ((m = /^\/balance\/(.+)$/.exec(p))) {
        const address = this.address(m[1]!);
        const n = Number(url.searchParams.get('confirmations') ?? '1');
        return send(200, {
          address,
          balance: this.balance(address, n).toString(),
          confirmations: n,
        });
      }
      if ((m = /^\/confirmations\/(0x[0-9a-f]{64})$/.exec(p))) {
        const found = this.locate(m[1]!);
        if (!found) throw new Refused(404, 'TX_NOT_FOUND', `no tx ${m[1]}`);
        return send(200, {
          txid: m[1],
          confirmations: found.confirmations,
          blockHash: found.block?.hash ?? null,
        });
      }
      if ((m = /^\/tx\/(0x[0-9a-f]{64})$/.exec(p))) {
        const found = this.locate(m[1]!);
        if (!found) throw new Refused(404, 'TX_NOT_FOUND', `no tx ${m[1]}`);
        return send(200, txToJson(found.tx));
      }
      if (p === '/blockchain') {
        const from = Number(url.searchParams.get('from') ?? 0);
        const limit = Number(url.searchParams.get('limit') ?? this.blocks.length);
        const blocks = this.blocks
          .slice(from, from + limit)
          .map((b) => ({ ...b, txs: b.txs.map(txToJson) }));
        return send(200, { length: this.blocks.length, blocks });
      }
      if (p === '/status') return send(200, { chainId: this.spec.chainId, height: this.height });
      throw new Refused(404, 'NOT_FOUND', `no route ${req.method} ${p}`);
    } catch (e) {
      if (e instanceof Refused)
        return send(e.status, { error: { code: e.code, message: e.message } });
      send(500, { error: { code: 'INTERNAL', message: String(e) } });
    }
  }

  private address(text: string): string {
    try {
      return parseAddress(text);
    } catch {
      throw new Refused(400, 'INVALID_ADDRESS', `bad address ${text}`);
    }
  }
}
