// The node's subscription to its mempool's tx feed (GET /feed on the mempool; messages in
// @chainlab/api's mempool-feed.ts). The mempool pushes every change of its ready set; this
// client hands them to the node's candidate set and reconnects when the socket drops (each
// connection starts with a full snapshot, so nothing missed while down is lost). While it
// is down, the node falls back to polling GET /unprocessed (payload.ts).
import WebSocket from 'ws';
import { parseFeedServerMessage, type ErrorBody } from '@chainlab/api';
import type { Logger } from '@chainlab/service';

/** Per pushed tx: its txid, or the mempool's refusal (the error body /pushtx answers). */
export type PushResult = { txid: string } | ErrorBody;

export interface FeedHandlers {
  /** The whole ready set (first message of every connection). */
  snapshot(txs: unknown[]): void;
  added(txs: unknown[]): void;
  removed(txids: string[]): void;
}

const HANDSHAKE_TIMEOUT_MS = 5_000;
const MIN_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;
/** No message, not even a pong, for this long: the connection is taken for dead. */
const PING_INTERVAL_MS = 10_000;

export class MempoolFeedClient {
  private socket: WebSocket | null = null;
  private retryMs = MIN_RETRY_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private snapshotReceived = false;
  private nextRequestId = 0;
  /** Requests (sync, push) waiting for their answer, by id; null: none will come. */
  private readonly answers = new Map<number, (answer: unknown) => void>();
  private lastError: string | null = null;
  readonly stats = { connects: 0, messages: 0, snapshots: 0 };

  constructor(
    private readonly mempoolUrl: string,
    private readonly handlers: FeedHandlers,
    private readonly log: Logger,
  ) {}

  /** Connected, and the snapshot is in: the candidate set mirrors the mempool. */
  get live(): boolean {
    return this.snapshotReceived && this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.socket?.close(1001, 'node shutting down');
    this.socket = null;
    this.endRequests();
  }

  /**
   * A barrier: resolves true once every change the mempool made before it got this
   * request has arrived; false if the feed is down or the mempool does not answer in time.
   */
  async sync(timeoutMs: number): Promise<boolean> {
    return (await this.ask({ type: 'sync' }, timeoutMs)) !== null;
  }

  /**
   * Sends txs for admission (at most MAX_FEED_PUSH_TXS) and resolves with each one's fate,
   * once the mempool has them on disk or refused them; null when the feed is down, the
   * connection drops meanwhile or no answer comes in time (the txs' fate is then unknown).
   */
  push(txs: unknown[], timeoutMs: number): Promise<PushResult[] | null> {
    return this.ask({ type: 'push', txs }, timeoutMs) as Promise<PushResult[] | null>;
  }

  /** Sends a request with a fresh id; its answer, or null (feed down, dropped, too late). */
  private ask(request: { type: 'sync' | 'push'; txs?: unknown[] }, timeoutMs: number) {
    const socket = this.socket;
    if (!this.live || !socket) return Promise.resolve(null);
    const id = this.nextRequestId++;
    return new Promise<unknown>((resolve) => {
      const timer = setTimeout(() => {
        this.answers.delete(id);
        resolve(null);
      }, timeoutMs);
      this.answers.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      socket.send(JSON.stringify({ ...request, id }));
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const url = this.mempoolUrl.replace(/^http/, 'ws').replace(/\/$/, '') + '/feed';
    const socket = new WebSocket(url, {
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      maxPayload: 256 * 1024 * 1024,
    });
    this.socket = socket;
    this.snapshotReceived = false;
    let alive = true;
    socket.on('open', () => {
      this.stats.connects++;
      this.retryMs = MIN_RETRY_MS;
      this.pingTimer = setInterval(() => {
        if (!alive) return socket.terminate();
        alive = false;
        socket.ping();
      }, PING_INTERVAL_MS);
    });
    socket.on('pong', () => (alive = true));
    socket.on('message', (data, isBinary) => {
      alive = true;
      if (isBinary) return;
      const msg = parseFeedServerMessage(data.toString());
      if (!msg) {
        this.log.warn({ mempool: this.mempoolUrl }, 'unreadable message on the tx feed; ignored');
        return;
      }
      this.stats.messages++;
      switch (msg.type) {
        case 'snapshot':
          this.stats.snapshots++;
          this.handlers.snapshot(msg.txs);
          this.snapshotReceived = true;
          if (this.lastError !== null)
            this.log.info({ mempool: this.mempoolUrl }, 'tx feed connected again');
          this.lastError = null;
          break;
        case 'added':
          this.handlers.added(msg.txs);
          break;
        case 'removed':
          this.handlers.removed(msg.txids);
          break;
        case 'synced':
        case 'pushed':
          this.answers.get(msg.id)?.(msg.type === 'synced' ? true : msg.results);
          this.answers.delete(msg.id);
          break;
      }
    });
    socket.on('error', (e) => {
      if (e.message !== this.lastError)
        this.log.warn(
          { mempool: this.mempoolUrl, err: e.message },
          'tx feed unavailable; polling /unprocessed until it is back',
        );
      this.lastError = e.message;
    });
    socket.on('close', () => {
      if (this.pingTimer) clearInterval(this.pingTimer);
      this.pingTimer = null;
      if (this.socket !== socket) return;
      this.socket = null;
      this.snapshotReceived = false;
      this.endRequests();
      if (this.stopped) return;
      if (this.lastError === null) {
        this.lastError = 'closed';
        this.log.warn({ mempool: this.mempoolUrl }, 'tx feed closed; reconnecting');
      }
      this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    });
  }

  /** Requests cannot be answered on a dead socket: their callers learn at once. */
  private endRequests(): void {
    for (const done of this.answers.values()) done(null);
    this.answers.clear();
  }
}
