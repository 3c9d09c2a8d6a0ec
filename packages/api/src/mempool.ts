// The mempool's HTTP API (levels 2-3): submit txs, the pending list nodes mine from,
// balances with confirmations, tx status, accounts, receipts (level 3).
import { Type, type Static } from '@sinclair/typebox';
import {
  EventLoopJson,
  Address,
  AddressParam,
  Amount,
  Hash,
  Height,
  Nullable,
  nonJson,
  ReceiptJson,
  routes,
  TxJson,
} from './common.js';

const TxidParams = Type.Object({ txid: Hash });
const AddressParams = Type.Object({ address: AddressParam });

export const TxStatusJson = Type.Object({
  txid: Hash,
  status: Type.Union([Type.Literal('confirmed'), Type.Literal('ready'), Type.Literal('held')], {
    description:
      'confirmed (in the active chain), ready (can be mined next), held (waits for a ' +
      'nonce gap to close)',
  }),
  tx: TxJson,
  blockHash: Nullable(Hash),
  blockHeight: Nullable(Height),
  confirmations: Type.Integer({ minimum: 0 }),
});

export const MempoolStatus = Type.Object(
  {
    chainId: Type.Integer(),
    spec: Type.String(),
    height: Height,
    tip: Hash,
    pending: Type.Integer({ minimum: 0, description: 'ready txs' }),
    held: Type.Integer({ minimum: 0, description: 'txs waiting for a nonce gap' }),
    maxTxs: Type.Integer({ minimum: 0 }),
    peers: Type.Array(Type.String()),
    knownPeers: Type.Array(Type.String()),
    verifier: Type.Object({}, { description: 'signature verifier counters' }),
    counters: Type.Object({}, { description: 'admission counters' }),
    journal: Type.Object({}, { description: 'durable-admission journal counters' }),
    feed: Type.Optional(Type.Object({}, { description: 'tx feed counters (GET /feed)' })),
    eventLoop: Type.Optional(EventLoopJson),
    pid: Type.Integer({ description: 'process id (pnpm dev checks it is its own child)' }),
  },
  { description: 'open: newer mempools may add fields' },
);

export const mempoolRoutes = routes({
  'POST /pushtx': {
    summary: 'Submit a signed tx',
    description:
      'The body is a tx as JSON (docs/protocol.md). 200 with its id once admitted; a tx ' +
      'the rules refuse is 400 with the reason (BAD_SIGNATURE, NONCE_TOO_LOW, ' +
      'INSUFFICIENT_FUNDS, ...). Rate limited per address.',
    body: Type.Unknown({ description: 'a signed tx as JSON' }),
    response: { 200: Type.Object({ txid: Hash }) },
  },
  'GET /unprocessed': {
    summary: 'Pending txs in mining order',
    description: 'What a node puts in its next block, best first; at most `limit` of them.',
    querystring: Type.Object({
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 0xffffffff })),
    }),
    response: { 200: Type.Array(TxJson) },
  },
  'GET /balance/:address': {
    summary: 'Balance with a number of confirmations',
    description:
      '`confirmations` 0 counts pending txs, 1 (default) the tip, n the state n-1 blocks ' +
      'below the tip. Decimal digits only.',
    params: AddressParams,
    querystring: Type.Object({
      confirmations: Type.Integer({ minimum: 0, maximum: 0xffffffff, default: 1 }),
    }),
    response: {
      200: Type.Object({
        address: Address,
        balance: Amount,
        confirmations: Type.Integer({ minimum: 0 }),
      }),
    },
  },
  'GET /confirmations/:txid': {
    summary: 'Confirmations of a tx',
    description: '0 while pending; 404 TX_NOT_FOUND when neither pending nor in the active chain.',
    params: TxidParams,
    response: {
      200: Type.Object({
        txid: Hash,
        confirmations: Type.Integer({ minimum: 0 }),
        blockHash: Nullable(Hash),
      }),
    },
  },
  'GET /tx/:txid': {
    summary: 'A tx and where it is',
    params: TxidParams,
    response: { 200: TxStatusJson },
  },
  'GET /account/:address': {
    summary: 'What a wallet needs to sign its next tx',
    description:
      '`nonce` and `balance` include the pending txs; `confirmedNonce` and ' +
      '`confirmedBalance` are at the tip.',
    params: AddressParams,
    response: {
      200: Type.Object({
        address: Address,
        balance: Amount,
        nonce: Type.Integer({ minimum: 0 }),
        confirmedBalance: Amount,
        confirmedNonce: Type.Integer({ minimum: 0 }),
      }),
    },
  },
  'GET /status': {
    summary: 'The mempool at a glance',
    response: { 200: MempoolStatus },
  },
});

/** Level 3 only. */
export const mempoolContractRoutes = routes({
  'GET /receipt/:txid': {
    summary: 'Receipt of a tx in the active chain',
    description: 'Pending txs have no receipt yet (404 TX_NOT_FOUND).',
    params: TxidParams,
    response: { 200: ReceiptJson },
  },
});

/** `GET /status` of the mempool; open, so it may add fields. */
export type MempoolStatusJson = Static<typeof MempoolStatus> & Record<string, unknown>;

/**
 * The tx feed nodes subscribe to (a WebSocket; messages in mempool-feed.ts). OpenAPI has no
 * notion of WebSockets, so /openapi.json leaves it out (as the node's /ws); docs/api.md
 * lists it.
 */
export const mempoolWebSocketRoutes = routes({
  'GET /feed': {
    summary: 'Pending-tx feed for nodes (WebSocket)',
    description:
      'Upgrade to a WebSocket: first a `snapshot` of every ready tx in mining order, then ' +
      '`added` and `removed` as the pool changes (txs of one event-loop turn in one message); ' +
      'a client may send `{"type":"sync","id":n}` and gets `{"type":"synced","id":n}` once ' +
      'everything before it was sent, and `{"type":"push","id":n,"txs":[…]}` (at most 256 txs ' +
      'as POST /pushtx takes them) to get `{"type":"pushed","id":n,"results":[…]}` (per tx its ' +
      '`{"txid"}` or its `{"error"}`, once each is refused or admitted and on disk). A client that does not keep up is closed (1013) and ' +
      'gets a fresh snapshot when it reconnects. docs/protocol.md#mempool-feed.',
    response: { 101: nonJson('switching protocols: the tx feed', 'application/json') },
  },
});
