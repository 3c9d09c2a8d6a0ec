// Block and tx gossip over WebSockets (docs/protocol.md#10-gossip). Each connection, inbound (/ws) or
// outbound (to a peer found through the tracker), is a Peer speaking the messages of
// @chainlab/wire (hello, block, tx, getblocks, blocks; JSON, or binary `blocks` frames for
// a peer whose hello asks for them). This file owns the sockets: who gets what, catch-up,
// penalties, bans, rate limits, and pings so that a silent peer is cut off instead of
// stalling anything.
import WebSocket from 'ws';
import {
  activeBlocksAfter,
  blockLocator,
  findLocatorFork,
  isRuleError,
  type Block,
  type ChainNode,
  type Tx,
} from '@chainlab/core';
import {
  CAPABILITY_BINARY_BLOCKS,
  MAX_BLOCKS_PER_MESSAGE,
  MAX_MESSAGE_BYTES,
  blockMessage,
  blocksMessage,
  decodeBlocksBinary,
  encodeBlocksBinary,
  encodeMessage,
  getBlocksMessage,
  hasCapability,
  helloMessage,
  isWireError,
  lastBlockHashOfFrame,
  parseChainwork,
  parseMessage,
  readBlock,
  readBlocks,
  readTx,
  txMessage,
  type GetBlocksMessage,
  type HelloMessage,
  type Message,
  type TxMessage,
} from '@chainlab/wire';
import type { Logger } from '@chainlab/service';
import type { ChainService } from './chain-service.js';

/** Where gossiped txs go (the miner's tx source, the mempool's pool). True if new: then relayed. */
export interface TxSink {
  addFromPeer(tx: Tx): boolean;
}

export { MAX_MESSAGE_BYTES };
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

export type { HelloMessage };

let nextPeerId = 1;

export interface GossipOptions {
  /**
   * Experiments (node flag --gossip-delay-ms): hold every outgoing `block` message this
   * long before sending it, as a link latency would. Default 0: sent at once.
   */
  blockDelayMs?: number;
  /**
   * Ask peers for binary `blocks` answers (the binary-blocks capability in our hello).
   * Default true; false (node flag --no-binary-sync) makes every answer we get JSON, e.g.
   * to compare the two encodings.
   */
  binaryBlocks?: boolean;
  /**
   * Relay blocks this node received from others (default true). A selfish pool
   * (--strategy selfish) relays only its own: it does not help the honest blocks it races
   * against, as Eyal & Sirer's pool does not.
   */
  relayReceived?: boolean;
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
  /**
   * The last block of the newest catch-up batch received: while that batch waits to be
   * imported, the next request starts its locator there, so the peer prepares batch n+1
   * while we validate batch n.
   */
  syncHead: string | undefined;
  /** Catch-up batches from this peer received and not yet imported. */
  queuedBatches = 0;

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

  send(message: Message): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(encodeMessage(message));
  }

  sendBinary(frame: Uint8Array): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(frame, { binary: true });
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
      if (!peer.countMessage()) return this.penalise(peer, 'rate limit exceeded');
      const handled = isBinary
        ? this.handleBinary(peer, toBytes(data))
        : this.handle(peer, data.toString());
      handled.catch((e: Error) =>
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
    return helloMessage({
      chainId: this.service.spec.chainId,
      height: tip.height,
      tip: tip.hash,
      chainwork: '0x' + tip.chainwork.toString(16),
      url: this.publicUrl,
      ...(this.options.binaryBlocks === false ? {} : { capabilities: [CAPABILITY_BINARY_BLOCKS] }),
    });
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

  private async handle(peer: Peer, text: string): Promise<void> {
    let message: Message;
    try {
      message = parseMessage(text);
    } catch (e) {
      return this.penalise(peer, (e as Error).message);
    }
    switch (message.type) {
      case 'hello':
        return this.onHello(peer, message);
      case 'block': {
        let block: Block;
        try {
          block = readBlock(message, this.service.spec);
        } catch (e) {
          return this.penalise(peer, unparseable(e));
        }
        return this.onBlocks(peer, [block], false);
      }
      case 'blocks': {
        peer.syncing = false;
        let blocks: Block[];
        try {
          blocks = readBlocks(message, this.service.spec);
        } catch (e) {
          return this.penalise(peer, unparseable(e));
        }
        return this.onBlocks(peer, blocks, blocks.length > 0);
      }
      case 'getblocks':
        return this.onGetBlocks(peer, message);
      case 'tx':
        return this.onTx(peer, message);
    }
  }

  /** A binary frame: only `blocks` answers, and only if our hello asked for them. */
  private async handleBinary(peer: Peer, frame: Uint8Array): Promise<void> {
    if (this.options.binaryBlocks === false) return this.penalise(peer, 'binary message');
    peer.syncing = false;
    let last: string | null;
    try {
      last = lastBlockHashOfFrame(frame);
    } catch (e) {
      return this.penalise(peer, unparseable(e));
    }
    // Ask for the next batch before decoding this one.
    if (last !== null) this.beginBatch(peer, last);
    let blocks: Block[];
    try {
      blocks = decodeBlocksBinary(frame, this.service.spec).blocks;
    } catch (e) {
      if (last !== null) peer.queuedBatches--;
      return this.penalise(peer, unparseable(e));
    }
    return this.onBlocks(peer, blocks, blocks.length > 0, true);
  }

  /**
   * A catch-up batch ending at `last` arrived. Ask for the next one now if no other batch
   * waits before this one: the peer reads and encodes it while we check this one, instead
   * of a round trip per batch.
   */
  private beginBatch(peer: Peer, last: string): void {
    peer.syncHead = last;
    if (++peer.queuedBatches === 1) this.requestBlocks(peer);
  }

  private onHello(peer: Peer, hello: HelloMessage): void {
    if (hello.chainId !== this.service.spec.chainId) {
      this.log.warn({ peer: peer.url, chainId: hello.chainId }, 'refusing peer on another chain');
      peer.close(1008, `wrong chain: this is chain ${this.service.spec.chainId}`);
      return;
    }
    const theirWork = parseChainwork(hello.chainwork) ?? 0n;
    peer.hello = hello;
    if (peer.url === null && typeof hello.url === 'string' && /^https?:\/\//.test(hello.url))
      peer.url = hello.url;
    if (peer.direction === 'in' && peer.url !== null && this.isBanned(peer.url)) {
      this.log.debug({ peer: peer.url }, 'refusing banned peer');
      peer.close(1008, 'banned for invalid data; retry later');
      return;
    }
    if (theirWork > this.service.chain.tip.chainwork) this.requestBlocks(peer);
  }

  /** Asks a peer for the blocks after our locator (catch-up, or a missing parent). */
  requestBlocks(peer: Peer): void {
    if (peer.syncing) return;
    peer.syncing = true;
    const locator = blockLocator(this.service.chain);
    // A batch still waiting to be imported: ask for what follows it (pipelined catch-up).
    if (peer.syncHead !== undefined && !this.service.chain.get(peer.syncHead))
      locator.unshift(peer.syncHead);
    peer.send(getBlocksMessage(locator, MAX_BLOCKS_PER_MESSAGE));
    // If the answer never comes, allow another request later.
    setTimeout(() => (peer.syncing = false), 15_000).unref();
  }

  private async onBlocks(
    peer: Peer,
    blocks: Block[],
    isCatchUp: boolean,
    /** beginBatch was called for it already (binary frames, before decoding). */
    begun = false,
  ): Promise<void> {
    for (const block of blocks) {
      this.origin.set(block.hash, peer.id);
      if (this.origin.size > 10_000) this.origin.delete(this.origin.keys().next().value as string);
    }
    if (isCatchUp && !begun) this.beginBatch(peer, blocks[blocks.length - 1]!.hash);
    let results;
    try {
      results = await this.service.submitMany(blocks, 'peer');
    } finally {
      if (isCatchUp) peer.queuedBatches--;
    }
    let progressed = false;
    for (const result of results) {
      if (result.status === 'invalid') {
        // TIME_TOO_NEW may be clock skew; INVALID_PARENT may be our own doing (a block
        // invalidated by hand here). Neither is the peer's fault; everything else is a
        // lie or garbage.
        const code = result.error?.code;
        if (code !== 'TIME_TOO_NEW' && code !== 'INVALID_PARENT') {
          peer.syncHead = undefined;
          return this.penalise(peer, `${code}: ${result.error?.message}`);
        }
      } else if (result.status === 'orphan') {
        peer.syncHead = undefined;
        this.requestBlocks(peer);
      } else if (result.status === 'accepted') {
        progressed = true;
      }
    }
    // A batch that moved us forward: there may be more.
    if (isCatchUp && progressed) this.requestBlocks(peer);
  }

  private onGetBlocks(peer: Peer, message: GetBlocksMessage): void {
    const chain = this.service.chain;
    const fork = findLocatorFork(chain, message.locator);
    const blocks = activeBlocksAfter(chain, fork, message.limit).map((node) => node.block);
    if (hasCapability(peer.hello, CAPABILITY_BINARY_BLOCKS))
      peer.sendBinary(encodeBlocksBinary(blocks));
    else peer.send(blocksMessage(blocks));
  }

  private async onTx(peer: Peer, message: TxMessage): Promise<void> {
    if (!this.txs) return this.penalise(peer, 'txs are not used on a data chain');
    let tx: Tx;
    try {
      tx = readTx(message, this.service.spec);
      if (!this.txs.addFromPeer(tx)) return;
    } catch (e) {
      return this.penalise(peer, `bad tx: ${(e as Error).message}`);
    }
    this.broadcast(() => txMessage(tx), peer.id);
  }

  private relayBlock(node: ChainNode, source: string): void {
    if (source === 'replay' || this.relayed.has(node.hash)) return;
    if (this.options.relayReceived === false && source !== 'miner') return;
    this.relayed.add(node.hash);
    if (this.relayed.size > 10_000)
      this.relayed.delete(this.relayed.values().next().value as string);
    const from = this.origin.get(node.hash);
    this.origin.delete(node.hash);
    const message = () => blockMessage(node.block);
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
      this.broadcast(() => blockMessage(block));
    }
  }

  /** Sends a tx we accepted (e.g. over REST) to every peer. */
  relayTx(tx: Tx): void {
    this.broadcast(() => txMessage(tx));
  }

  /** Sends to every greeted peer but one; the message is built only if someone gets it. */
  private broadcast(message: () => Message, exceptPeerId?: number): void {
    let text: string | undefined;
    for (const peer of this.peers.values()) {
      if (peer.id !== exceptPeerId && peer.hello && peer.socket.readyState === WebSocket.OPEN)
        peer.socket.send((text ??= encodeMessage(message())));
    }
  }

  closeAll(): void {
    for (const timer of this.delayed) clearTimeout(timer);
    this.delayed.clear();
    for (const peer of this.peers.values()) peer.close(1001, 'node shutting down');
  }
}

function unparseable(e: unknown): string {
  if (isRuleError(e)) return `${e.code}: ${e.message}`;
  return isWireError(e) ? e.message : 'unparseable block';
}

/** A ws binary message as bytes (a Buffer, or fragments when it came in several frames). */
function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}
