// The tx feed (GET /feed, messages in @chainlab/api's mempool-feed.ts): pushes the pool's
// ready set to subscribed nodes as it changes, so a node never polls /unprocessed nor
// checks a signature again while it builds a block.
//
// The feed keeps the set of txids it has published. Changes are recorded as a net diff
// against it (a tx admitted and evicted in the same turn is never sent) and flushed once
// per event-loop turn: one message for all admissions of a busy turn, not one per tx, and
// one JSON encoding shared by every subscriber.
import { txToJson, type Tx } from '@chainlab/core';
import {
  parseFeedClientMessage,
  type ErrorBody,
  type FeedClientMessage,
  type FeedServerMessage,
} from '@chainlab/api';
import { errorBody, type Logger } from '@chainlab/service';
import type { WebSocket } from 'ws';
import { isMempoolError } from './errors.js';
import type { Mempool } from './mempool.js';

/** A subscriber this far behind (bytes queued on its socket) is closed; it resyncs. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

export interface FeedSource {
  /** The ready txs in mining order, with their ids. */
  ready(): { id: string; tx: Tx }[];
  /** Applies pending tip events, so that ready() and the diff are current. */
  settle(): void;
  /** A pushed tx, as POST /pushtx takes it: its txid once admitted and on disk, or the error. */
  submit(json: unknown): Promise<{ txid: string } | ErrorBody>;
}

export class TxFeed {
  private readonly subscribers = new Set<WebSocket>();
  private readonly published = new Set<string>();
  private added = new Map<string, Tx>();
  private removed = new Set<string>();
  private scheduled = false;
  readonly stats = {
    subscribers: 0,
    messages: 0,
    added: 0,
    removed: 0,
    closedSlow: 0,
    /** Txs nodes pushed over the feed for admission. */
    pushed: 0,
  };

  constructor(
    private readonly source: FeedSource,
    private readonly log?: Logger,
  ) {}

  // ---- changes (called by the mempool) ----

  /** A tx is ready (admitted, promoted, back from a disconnected block). */
  ready(id: string, tx: Tx): void {
    if (this.published.has(id)) return;
    this.published.add(id);
    // Removed and back in the same turn: the subscribers never saw it leave.
    if (!this.removed.delete(id)) this.added.set(id, tx);
    this.schedule();
  }

  /** A tx left the ready set (mined, replaced, evicted, dropped, held again). */
  gone(id: string): void {
    if (!this.published.delete(id)) return;
    // Added and gone in the same turn: never sent, nothing to take back.
    if (!this.added.delete(id)) this.removed.add(id);
    this.schedule();
  }

  /**
   * After a tip change: the ready set is compared whole (txs of new blocks leave, txs of
   * disconnected blocks return, held txs whose gap a block closed become ready). Once
   * per tip change, O(pool).
   */
  resync(ready: readonly { id: string; tx: Tx }[]): void {
    const now = new Set<string>();
    for (const { id, tx } of ready) {
      now.add(id);
      this.ready(id, tx);
    }
    for (const id of [...this.published]) if (!now.has(id)) this.gone(id);
  }

  // ---- subscribers ----

  /** A node connected to GET /feed: flush what others wait for, then its snapshot. */
  accept(socket: WebSocket, remote: string): void {
    this.source.settle();
    this.flush();
    this.subscribers.add(socket);
    this.stats.subscribers = this.subscribers.size;
    this.log?.info({ remote, ready: this.published.size }, 'node subscribed to the tx feed');
    const ready = this.source.ready();
    this.send(socket, JSON.stringify({ type: 'snapshot', txs: ready.map((e) => txToJson(e.tx)) }));
    socket.on('message', (data, isBinary) => {
      const msg = isBinary ? null : parseFeedClientMessage(data.toString());
      if (!msg) {
        socket.close(
          1008,
          'the feed takes {"type":"sync","id":n} and {"type":"push","id":n,"txs":[…]}',
        );
        return;
      }
      this.answer(socket, msg);
    });
    socket.on('close', () => {
      this.subscribers.delete(socket);
      this.stats.subscribers = this.subscribers.size;
    });
    socket.on('error', () => socket.terminate());
  }

  private answer(socket: WebSocket, msg: FeedClientMessage): void {
    if (msg.type === 'sync') {
      // A barrier: whatever was admitted before this message is sent before the answer.
      this.source.settle();
      this.flush();
      this.send(socket, JSON.stringify({ type: 'synced', id: msg.id }));
      return;
    }
    // Admitted in message order, as /pushtx requests in arrival order; answered at once
    // for the whole batch (each tx on disk first, as a 200 from /pushtx).
    this.stats.pushed += msg.txs.length;
    void Promise.all(msg.txs.map((json) => this.source.submit(json))).then((results) =>
      this.send(socket, JSON.stringify({ type: 'pushed', id: msg.id, results })),
    );
  }

  closeAll(): void {
    for (const s of this.subscribers) s.close(1001, 'mempool shutting down');
    this.subscribers.clear();
  }

  // ---- sending ----

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Sends the pending diff: removals first (a replacement removes, then adds). */
  flush(): void {
    this.scheduled = false;
    if (this.removed.size === 0 && this.added.size === 0) return;
    const messages: FeedServerMessage[] = [];
    if (this.removed.size > 0) messages.push({ type: 'removed', txids: [...this.removed] });
    if (this.added.size > 0)
      messages.push({ type: 'added', txs: [...this.added.values()].map((tx) => txToJson(tx)) });
    this.stats.added += this.added.size;
    this.stats.removed += this.removed.size;
    this.added = new Map();
    this.removed = new Set();
    if (this.subscribers.size === 0) return;
    for (const m of messages) {
      const text = JSON.stringify(m);
      for (const s of this.subscribers) this.send(s, text);
    }
  }

  private send(socket: WebSocket, text: string): void {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      // It would only fall further behind: closed, it reconnects and gets a snapshot.
      this.stats.closedSlow++;
      socket.close(1013, 'too far behind the tx feed; reconnect for a snapshot');
      return;
    }
    this.stats.messages++;
    socket.send(text);
  }
}

/**
 * One tx of a feed push, answered as POST /pushtx would answer it: the txid once admitted
 * and on disk, or the refusal's code and message (TOO_LARGE beyond the level's body limit).
 */
export async function submitForFeed(
  mempool: Pick<Mempool, 'submit'>,
  json: unknown,
  bodyLimit: number,
  log?: Logger,
): Promise<{ txid: string } | ErrorBody> {
  if (Buffer.byteLength(JSON.stringify(json)) > bodyLimit)
    return errorBody('TOO_LARGE', `the tx is larger than ${bodyLimit} bytes`);
  try {
    const { txid } = await mempool.submit(json);
    return { txid };
  } catch (e) {
    if (isMempoolError(e)) return errorBody(e.code, e.message);
    log?.error({ err: (e as Error).message }, 'admitting a pushed tx failed');
    return errorBody('INTERNAL_ERROR', 'the mempool could not admit the tx');
  }
}
