// Block and tx gossip over WebSockets (docs/protocol.md#10-gossip). Each connection, inbound (/ws) or
// outbound (to a peer found through the tracker), is a Peer speaking JSON messages:
//   hello      {chainId, height, tip, chainwork, url?}  first message both ways
//   block      {block}          a new block, sent only after we validated and connected it
//   tx         {tx}             a pending transfer (level ≥ 2)
//   getblocks  {locator, limit} "I have these; send me what comes after" (catch-up)
//   blocks     {blocks}         the answer, lowest first
// Peers that send invalid data are penalised and dropped; every peer is rate limited,
// and pinged so that a silent one is cut off instead of stalling anything.
import WebSocket from 'ws';
import {
  activeBlocksAfter,
  blockLocator,
  blockSize,
  blockToJson,
  findLocatorFork,
  isRuleError,
  parseBlock,
  parseTx,
  txToJson,
  type Block,
  type ChainNode,
  type Tx,
} from '@chainlab/core';
import type { Logger } from '@chainlab/service';
import type { ChainService } from './chain-service.js';

/** Where gossiped txs go (the miner's tx source, the mempool's pool). True if new: then relayed. */
export interface TxSink {
  addFromPeer(tx: Tx): boolean;
}

export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const MAX_BLOCKS_PER_MESSAGE = 500;
const MAX_BLOCKS_BYTES = 4 * 1024 * 1024;
const PENALTY_LIMIT = 5; // invalid messages before a peer is dropped
const BAN_MS = 5 * 60_000;
/**
 * Inbound connections one remote address may hold. Loopback is exempt: on a devnet every
 * node, the mempool and the explorer connect from 127.0.0.1.
 */
const MAX_INBOUND_PER_ADDRESS = 16;
const RATE_WINDOW_MS = 5_000;
const RATE_LIMIT = 2_000; // messages per window
const PING_MS = 10_000;

export interface HelloMessage {
  type: 'hello';
  chainId: number;
  height: number;
  tip: string;
  chainwork: string;
  url?: string | null;
}

type Message =
  | HelloMessage
  | { type: 'block'; block: unknown }
  | { type: 'tx'; tx: unknown }
  | { type: 'getblocks'; locator: string[]; limit?: number }
  | { type: 'blocks'; blocks: unknown[] };

let nextPeerId = 1;

export interface GossipOptions {
  /**
   * Experiments (node flag --gossip-delay-ms): hold every outgoing `block` message this
   * long before sending it, as a link latency would. Default 0: sent at once.
   */
  blockDelayMs?: number;
}

export class Peer {
  readonly id = nextPeerId++;
  url: string | null;
  hello: HelloMessage | null = null;
  penalties = 0;
  private windowStart = Date.now();
  private windowCount = 0;
  private alive = true;
  private pingTimer: NodeJS.Timeout;
  /** A catch-up request is in flight: don't ask again until it is answered. */
  syncing = false;

  constructor(
    readonly socket: WebSocket,
    readonly direction: 'in' | 'out',
    url: string | null,
    /** The remote IP address of an inbound peer (for bans and per-address limits). */
    readonly address: string | null = null,
  ) {
    this.url = url;
    socket.on('pong', () => (this.alive = true));
    this.pingTimer = setInterval(() => {
      if (!this.alive) return socket.terminate();
      this.alive = false;
      socket.ping();
    }, PING_MS);
    socket.on('close', () => clearInterval(this.pingTimer));
  }

  send(message: object): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** False when the peer is over its message budget for the current window. */
  countMessage(): boolean {
    const now = Date.now();
    if (now - this.windowStart > RATE_WINDOW_MS) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    return ++this.windowCount <= RATE_LIMIT;
  }

  close(code = 1000, reason = ''): void {
    clearInterval(this.pingTimer);
    this.socket.close(code, reason);
    setTimeout(() => this.socket.terminate(), 2000).unref();
  }
}

export class Gossip {
  private readonly peers = new Map<number, Peer>();
  private readonly banned = new Map<string, number>();
  /** Blocks already relayed (connected twice in a flip-flop reorg: still relayed once). */
  private readonly relayed = new Set<string>();
  private readonly origin = new Map<string, number>();
  /** Block messages held back by blockDelayMs. */
  private readonly delayed = new Set<NodeJS.Timeout>();

  constructor(
    private readonly service: ChainService,
    private readonly txs: TxSink | undefined,
    private readonly log: Logger,
    private readonly options: GossipOptions = {},
  ) {
    service.on('connected', (node, source) => this.relayBlock(node, source));
  }

  private publicUrl: string | null = null;

  /** Our own URL, told to peers in hello; known once the server listens. */
  setPublicUrl(url: string): void {
    this.publicUrl = url;
  }

  /** URLs of connected peers that told us theirs (outbound ones we know anyway). */
  peerUrls(): string[] {
    const urls = new Set<string>();
    for (const p of this.peers.values()) if (p.url) urls.add(p.url);
    return [...urls].sort();
  }

  isConnectedTo(url: string): boolean {
    for (const p of this.peers.values()) if (p.url === url && p.direction === 'out') return true;
    return false;
  }

  /** `key` is a peer URL or, for inbound peers off loopback, `address:<ip>`. */
  isBanned(key: string): boolean {
    const until = this.banned.get(key);
    if (until !== undefined && until <= Date.now()) this.banned.delete(key);
    return until !== undefined && until > Date.now();
  }

  /** Dials a peer's /ws. Resolves once connected (or failed); never throws. */
  connect(url: string): Promise<void> {
    if (this.isConnectedTo(url) || this.isBanned(url) || url === this.publicUrl)
      return Promise.resolve();
    const wsUrl = url.replace(/^http/, 'ws') + '/ws';
    return new Promise((resolve) => {
      const socket = new WebSocket(wsUrl, {
        maxPayload: MAX_MESSAGE_BYTES,
        handshakeTimeout: 5000,
      });
      const peer = this.attach(socket, 'out', url);
      socket.once('open', () => resolve());
      socket.once('error', (e) => {
        this.log.debug({ peer: url, err: e.message }, 'cannot reach peer');
        resolve();
      });
      socket.once('close', () => resolve());
      void peer;
    });
  }

  /**
   * Takes an inbound connection from /ws. `address` is the remote IP: a peer dropped for
   * invalid data is refused again for BAN_MS by address (by declared URL on loopback,
   * where every devnet process shares 127.0.0.1), and one address may hold at most
   * MAX_INBOUND_PER_ADDRESS connections.
   */
  accept(socket: WebSocket, address?: string): void {
    if (address !== undefined && !isLoopback(address)) {
      if (this.isBanned(`address:${address}`)) {
        this.log.debug({ address }, 'refusing banned peer address');
        socket.close(1008, 'banned for invalid data; retry later');
        return;
      }
      let inbound = 0;
      for (const p of this.peers.values())
        if (p.direction === 'in' && p.address === address) inbound++;
      if (inbound >= MAX_INBOUND_PER_ADDRESS) {
        this.log.debug(
          { address, inbound },
          'refusing peer: too many connections from its address',
        );
        socket.close(1008, `too many connections from ${address}`);
        return;
      }
    }
    this.attach(socket, 'in', null, address ?? null);
  }

  private attach(
    socket: WebSocket,
    direction: 'in' | 'out',
    url: string | null,
    address: string | null = null,
  ): Peer {
    const peer = new Peer(socket, direction, url, address);
    this.peers.set(peer.id, peer);
    const greet = () => peer.send(this.hello());
    if (socket.readyState === WebSocket.OPEN) greet();
    else socket.once('open', greet);
    socket.on('message', (data, isBinary) => {
      if (isBinary) return this.penalise(peer, 'binary message');
      if (!peer.countMessage()) return this.penalise(peer, 'rate limit exceeded');
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return this.penalise(peer, 'malformed JSON');
      }
      this.handle(peer, message).catch((e: Error) =>
        this.log.error({ peer: peer.url, err: e.message }, 'gossip handler failed'),
      );
    });
    socket.on('close', () => {
      this.peers.delete(peer.id);
      this.log.debug({ peer: peer.url ?? `inbound#${peer.id}` }, 'peer disconnected');
    });
    socket.on('error', () => undefined); // 'close' follows; errors are expected from flaky peers
    return peer;
  }

  hello(): HelloMessage {
    const tip = this.service.chain.tip;
    return {
      type: 'hello',
      chainId: this.service.spec.chainId,
      height: tip.height,
      tip: tip.hash,
      chainwork: '0x' + tip.chainwork.toString(16),
      url: this.publicUrl,
    };
  }

  private penalise(peer: Peer, reason: string): void {
    peer.penalties++;
    this.log.warn(
      { peer: peer.url ?? `inbound#${peer.id}`, reason, penalties: peer.penalties },
      'invalid data from peer',
    );
    if (peer.penalties >= PENALTY_LIMIT) {
      if (peer.url) this.banned.set(peer.url, Date.now() + BAN_MS);
      if (peer.direction === 'in' && peer.address !== null && !isLoopback(peer.address))
        this.banned.set(`address:${peer.address}`, Date.now() + BAN_MS);
      this.log.warn(
        { peer: peer.url ?? `inbound#${peer.id}` },
        'dropping peer: too much invalid data',
      );
      peer.close(1008, 'too much invalid data');
    }
  }

  private async handle(peer: Peer, raw: unknown): Promise<void> {
    if (
      typeof raw !== 'object' ||
      raw === null ||
      typeof (raw as { type?: unknown }).type !== 'string'
    ) {
      return this.penalise(peer, 'message without a type');
    }
    const message = raw as Message;
    switch (message.type) {
      case 'hello':
        return this.onHello(peer, message);
      case 'block':
        return this.onBlocks(peer, [message.block], false);
      case 'blocks':
        if (!Array.isArray(message.blocks)) return this.penalise(peer, 'blocks must be a list');
        peer.syncing = false;
        return this.onBlocks(
          peer,
          message.blocks.slice(0, MAX_BLOCKS_PER_MESSAGE),
          message.blocks.length > 0,
        );
      case 'getblocks':
        return this.onGetBlocks(peer, message);
      case 'tx':
        return this.onTx(peer, message.tx);
      default:
        return this.penalise(
          peer,
          `unknown message type ${JSON.stringify((message as { type: string }).type).slice(0, 40)}`,
        );
    }
  }

  private onHello(peer: Peer, hello: HelloMessage): void {
    if (hello.chainId !== this.service.spec.chainId) {
      this.log.warn({ peer: peer.url, chainId: hello.chainId }, 'refusing peer on another chain');
      peer.close(1008, `wrong chain: this is chain ${this.service.spec.chainId}`);
      return;
    }
    peer.hello = hello;
    if (peer.url === null && typeof hello.url === 'string' && /^https?:\/\//.test(hello.url))
      peer.url = hello.url;
    if (peer.direction === 'in' && peer.url !== null && this.isBanned(peer.url)) {
      this.log.debug({ peer: peer.url }, 'refusing banned peer');
      peer.close(1008, 'banned for invalid data; retry later');
      return;
    }
    let theirWork = 0n;
    try {
      theirWork = BigInt(hello.chainwork);
    } catch {
      return this.penalise(peer, 'bad chainwork in hello');
    }
    if (theirWork > this.service.chain.tip.chainwork) this.requestBlocks(peer);
  }

  /** Asks a peer for the blocks after our locator (catch-up, or a missing parent). */
  requestBlocks(peer: Peer): void {
    if (peer.syncing) return;
    peer.syncing = true;
    peer.send({
      type: 'getblocks',
      locator: blockLocator(this.service.chain),
      limit: MAX_BLOCKS_PER_MESSAGE,
    });
    // If the answer never comes, allow another request later.
    setTimeout(() => (peer.syncing = false), 15_000).unref();
  }

  private async onBlocks(peer: Peer, blocks: unknown[], isCatchUp: boolean): Promise<void> {
    const parsed = [];
    for (const json of blocks) {
      try {
        parsed.push(parseBlock(json, this.service.spec));
      } catch (e) {
        return this.penalise(
          peer,
          isRuleError(e) ? `${e.code}: ${e.message}` : 'unparseable block',
        );
      }
    }
    for (const block of parsed) {
      this.origin.set(block.hash, peer.id);
      if (this.origin.size > 10_000) this.origin.delete(this.origin.keys().next().value as string);
    }
    let progressed = false;
    for (const result of await this.service.submitMany(parsed, 'peer')) {
      if (result.status === 'invalid') {
        // TIME_TOO_NEW may just be clock skew; everything else is a lie or garbage.
        // TIME_TOO_NEW may be clock skew; INVALID_PARENT may be our own doing (a block
        // invalidated by hand here). Neither is the peer's fault.
        const code = result.error?.code;
        if (code !== 'TIME_TOO_NEW' && code !== 'INVALID_PARENT')
          return this.penalise(peer, `${code}: ${result.error?.message}`);
      } else if (result.status === 'orphan') {
        this.requestBlocks(peer);
      } else if (result.status === 'accepted') {
        progressed = true;
      }
    }
    // A batch that moved us forward: there may be more.
    if (isCatchUp && progressed) this.requestBlocks(peer);
  }

  private onGetBlocks(peer: Peer, message: { locator: unknown; limit?: unknown }): void {
    if (
      !Array.isArray(message.locator) ||
      message.locator.length > 200 ||
      message.locator.some((h) => typeof h !== 'string')
    ) {
      return this.penalise(peer, 'bad locator');
    }
    const limit =
      typeof message.limit === 'number'
        ? Math.max(1, Math.min(MAX_BLOCKS_PER_MESSAGE, message.limit))
        : MAX_BLOCKS_PER_MESSAGE;
    const chain = this.service.chain;
    const fork = findLocatorFork(chain, message.locator as string[]);
    const out: object[] = [];
    let bytes = 0;
    for (const node of activeBlocksAfter(chain, fork, limit)) {
      bytes += blockSize(node.block);
      if (bytes > MAX_BLOCKS_BYTES && out.length > 0) break;
      out.push(blockToJson(node.block));
    }
    peer.send({ type: 'blocks', blocks: out });
  }

  private async onTx(peer: Peer, json: unknown): Promise<void> {
    if (!this.txs) return this.penalise(peer, 'txs are not used on a data chain');
    let tx: Tx;
    try {
      tx = parseTx(json, {
        maxAmount: this.service.spec.maxAmount,
        level: this.service.spec.level,
      });
      if (tx.chainId !== this.service.spec.chainId) throw new Error('wrong chain');
      if (!this.txs.addFromPeer(tx)) return;
    } catch (e) {
      return this.penalise(peer, `bad tx: ${(e as Error).message}`);
    }
    this.broadcast({ type: 'tx', tx: txToJson(tx) }, peer.id);
  }

  private relayBlock(node: ChainNode, source: string): void {
    if (source === 'replay' || this.relayed.has(node.hash)) return;
    this.relayed.add(node.hash);
    if (this.relayed.size > 10_000)
      this.relayed.delete(this.relayed.values().next().value as string);
    const from = this.origin.get(node.hash);
    this.origin.delete(node.hash);
    const message = { type: 'block', block: blockToJson(node.block) };
    const delay = this.options.blockDelayMs ?? 0;
    if (delay <= 0) return this.broadcast(message, from);
    const timer = setTimeout(() => {
      this.delayed.delete(timer);
      this.broadcast(message, from);
    }, delay);
    this.delayed.add(timer);
  }

  /**
   * Sends blocks to every peer now, parents first, whether or not they join our active
   * chain: a mining strategy publishing withheld blocks (a selfish pool matching an honest
   * block of the same height must be heard although its own node keeps the first seen).
   */
  publishBlocks(blocks: readonly Block[]): void {
    for (const block of blocks) {
      this.relayed.add(block.hash);
      this.broadcast({ type: 'block', block: blockToJson(block) });
    }
  }

  /** Sends a tx we accepted (e.g. over REST) to every peer. */
  relayTx(tx: Tx): void {
    this.broadcast({ type: 'tx', tx: txToJson(tx) });
  }

  private broadcast(message: object, exceptPeerId?: number): void {
    const text = JSON.stringify(message);
    for (const peer of this.peers.values()) {
      if (peer.id !== exceptPeerId && peer.hello && peer.socket.readyState === WebSocket.OPEN)
        peer.socket.send(text);
    }
  }

  closeAll(): void {
    for (const timer of this.delayed) clearTimeout(timer);
    this.delayed.clear();
    for (const peer of this.peers.values()) peer.close(1001, 'node shutting down');
  }
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}
