// The mempool's tx feed (`GET /feed`, a WebSocket): how a node learns of mineable txs
// without polling. The mempool pushes; the node keeps its own candidate set from it.
//
//   mempool → node  snapshot  first message on every connection: every ready tx, in
//                             mining order (the node replaces its whole set with it)
//                   added     txs that became ready (admitted, a nonce gap closed, back
//                             from a disconnected block)
//                   removed   txs that left (mined, replaced, evicted, no longer valid)
//                   synced    answers a sync: every change before it was sent already
//                   pushed    answers a push: per tx its txid or the error /pushtx gives
//   node → mempool  sync      a barrier: "send me what you have, then tell me" (devnet
//                             /dev/mine uses it so a block holds every tx acknowledged
//                             before the request)
//                   push      txs for admission, as POST /pushtx takes them, one answer
//                             for the batch once each is refused or admitted and on
//                             disk (a node's eth_sendRawTransaction: no HTTP request per
//                             tx on a connection that is open anyway)
//
// Each message is one JSON text frame. Changes of one event-loop turn travel together.
import { Type, type Static } from '@sinclair/typebox';
import { ErrorBody, Hash, TxJson } from './common.js';

/** Most txs in one push (a client sends more as several). */
export const MAX_FEED_PUSH_TXS = 256;

export const FeedSnapshot = Type.Object({
  type: Type.Literal('snapshot'),
  txs: Type.Array(TxJson, { description: 'every ready tx, in mining order' }),
});
export const FeedAdded = Type.Object({
  type: Type.Literal('added'),
  txs: Type.Array(TxJson, { description: 'txs that became ready' }),
});
export const FeedRemoved = Type.Object({
  type: Type.Literal('removed'),
  txids: Type.Array(Hash, { description: 'txs that left the ready set' }),
});
export const FeedSynced = Type.Object({
  type: Type.Literal('synced'),
  id: Type.Integer({ minimum: 0, description: 'the id of the sync it answers' }),
});
export const FeedPushed = Type.Object({
  type: Type.Literal('pushed'),
  id: Type.Integer({ minimum: 0, description: 'the id of the push it answers' }),
  results: Type.Array(Type.Union([Type.Object({ txid: Hash }), ErrorBody]), {
    description: "per tx of the push, in order: its txid, or /pushtx's error",
  }),
});
export const FeedPush = Type.Object({
  type: Type.Literal('push'),
  id: Type.Integer({ minimum: 0, maximum: 0xffffffff }),
  txs: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_FEED_PUSH_TXS }),
});
export const FeedSync = Type.Object({
  type: Type.Literal('sync'),
  id: Type.Integer({ minimum: 0, maximum: 0xffffffff }),
});

export type FeedSnapshotMessage = Static<typeof FeedSnapshot>;
export type FeedAddedMessage = Static<typeof FeedAdded>;
export type FeedRemovedMessage = Static<typeof FeedRemoved>;
export type FeedSyncedMessage = Static<typeof FeedSynced>;
export type FeedSyncMessage = Static<typeof FeedSync>;
export type FeedPushedMessage = Static<typeof FeedPushed>;
export type FeedPushMessage = Static<typeof FeedPush>;
/** What a node sends. */
export type FeedClientMessage = FeedSyncMessage | FeedPushMessage;

/** What the mempool sends. */
export type FeedServerMessage =
  | FeedSnapshotMessage
  | FeedAddedMessage
  | FeedRemovedMessage
  | FeedSyncedMessage
  | FeedPushedMessage;

/**
 * A server message's envelope, checked (the txs inside are parsed by the receiver with
 * core's parseTx, as any tx from the network). Null when it is not one.
 */
export function parseFeedServerMessage(text: string): FeedServerMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  switch (o.type) {
    case 'snapshot':
    case 'added':
      return Array.isArray(o.txs) ? (o as FeedServerMessage) : null;
    case 'removed':
      return Array.isArray(o.txids) && o.txids.every((t) => typeof t === 'string')
        ? (o as FeedRemovedMessage)
        : null;
    case 'synced':
      return Number.isSafeInteger(o.id) ? (o as FeedSyncedMessage) : null;
    case 'pushed':
      return Number.isSafeInteger(o.id) &&
        Array.isArray(o.results) &&
        o.results.every((r) => typeof r === 'object' && r !== null)
        ? (o as FeedPushedMessage)
        : null;
    default:
      return null;
  }
}

/** A client message (the node's sync or push), or null. */
export function parseFeedClientMessage(text: string): FeedClientMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  if (!Number.isSafeInteger(o.id) || (o.id as number) < 0) return null;
  const id = o.id as number;
  if (o.type === 'sync') return { type: 'sync', id };
  if (
    o.type === 'push' &&
    Array.isArray(o.txs) &&
    o.txs.length > 0 &&
    o.txs.length <= MAX_FEED_PUSH_TXS
  )
    return { type: 'push', id, txs: o.txs };
  return null;
}
