// A node's HTTP API: the chain it holds, block submission, its status; per chain level the
// data queue (level 1), accounts (levels 2-3), contract state (level 3); devnet controls.
import { Type, type Static } from '@sinclair/typebox';
import {
  EventLoopJson,
  Address,
  AddressParam,
  Amount,
  BlockJson,
  Chainwork,
  Hash,
  HEX_ADDRESS,
  HexData,
  Height,
  Nullable,
  ReceiptJson,
  ReceiptLog,
  routes,
  nonJson,
  Uint32,
} from './common.js';

export const Tip = Type.Object({
  height: Height,
  hash: Hash,
  chainwork: Chainwork,
  bits: Uint32,
  time: Uint32,
});

const Failure = Type.Object({ code: Type.String(), message: Type.String() });

export const NodeStatus = Type.Object(
  {
    chainId: Type.Integer(),
    spec: Type.String({ description: 'the chain spec name' }),
    level: Type.Integer({ minimum: 1, maximum: 3 }),
    height: Height,
    tip: Hash,
    chainwork: Chainwork,
    devnet: Type.Boolean(),
    coin: Type.Object({ symbol: Type.String(), decimals: Type.Integer() }),
    peers: Type.Array(Type.String(), { description: 'connected peers (URLs)' }),
    knownPeers: Type.Array(Type.String()),
    mining: Type.Boolean(),
    threads: Type.Integer({ minimum: 0 }),
    hashrate: Type.Number({ description: 'hashes per second, all threads' }),
    hashratePerWorker: Type.Array(Type.Number()),
    mempool: Nullable(Type.String()),
    pending: Type.Integer({ minimum: 0, description: 'data items or txs waiting' }),
    blocksFound: Type.Integer({ minimum: 0 }),
    timeOffsetSeconds: Type.Integer(),
    memoryRss: Type.Integer({ minimum: 0 }),
    eventLoop: Type.Optional(EventLoopJson),
    mempoolFeed: Type.Optional(
      Type.Object(
        {
          live: Type.Boolean({ description: 'subscribed, snapshot received' }),
          connects: Type.Integer({ minimum: 0 }),
          messages: Type.Integer({ minimum: 0 }),
          snapshots: Type.Integer({ minimum: 0 }),
        },
        { description: "the mempool's tx feed (levels 2-3)" },
      ),
    ),
    pid: Type.Integer({ description: 'process id (pnpm dev checks it is its own child)' }),
    strategy: Type.Optional(
      Type.Object(
        {
          strategy: Type.String({ examples: ['selfish', 'double-spend'] }),
          privateBlocks: Type.Optional(
            Type.Integer({ minimum: 0, description: 'blocks mined and withheld (not published)' }),
          ),
          privateHeights: Type.Optional(
            Type.Union([Type.Array(Type.Integer(), { minItems: 2, maxItems: 2 }), Type.Null()], {
              description: 'lowest and highest height of the withheld blocks',
            }),
          ),
          releases: Type.Optional(
            Type.Array(
              Type.Object({
                at: Type.Number({ description: 'ms epoch' }),
                action: Type.String({
                  examples: ['override', 'match', 'won race', 'double spend'],
                }),
                hashes: Type.Array(Type.String()),
              }),
              { description: 'the last 20 releases of withheld blocks, oldest first' },
            ),
          ),
        },
        {
          additionalProperties: true,
          description:
            'devnet experiments (--strategy): the attack this node runs and its counts (docs/experiments.md)',
        },
      ),
    ),
  },
  { description: 'open: newer nodes may add fields' },
);

const TreeNode = Type.Object({
  hash: Hash,
  height: Height,
  prevHash: Hash,
  time: Uint32,
  bits: Uint32,
  chainwork: Chainwork,
  status: Type.String({ description: 'the block index status (accepted, valid, invalid, ...)' }),
  active: Type.Boolean({ description: 'on the active chain' }),
  failure: Type.Optional(Failure),
});

const HashBody = Type.Object({ hash: Hash }, { additionalProperties: false });

export const BlockSubmitStatus = Type.String({
  description:
    'what the node did with the block: accepted (connected or kept as a valid candidate), ' +
    'stored (kept on a side branch; its state rules run if it becomes active), duplicate ' +
    '(already known), orphan (its parent is unknown: the node asks its peers for it)',
  examples: ['accepted', 'stored', 'duplicate', 'orphan'],
});

/** Routes every node serves. */
export const nodeRoutes = routes({
  'GET /chainlength': {
    summary: 'Length of the active chain',
    description: 'Number of blocks including genesis (height + 1).',
    response: { 200: Type.Object({ length: Type.Integer({ minimum: 1 }) }) },
  },
  'GET /tip': {
    summary: 'The active tip',
    response: { 200: Tip },
  },
  'GET /block/:n': {
    summary: 'Block at a height of the active chain',
    description: '`n` is decimal digits only (`2.9`, `0x10`, `1e3` are 400 INVALID_REQUEST).',
    params: Type.Object({ n: Height }),
    response: { 200: BlockJson },
  },
  'GET /block/hash/:hash': {
    summary: 'Block by hash (any branch)',
    params: Type.Object({ hash: Hash }),
    response: { 200: BlockJson },
  },
  'GET /blockchain': {
    summary: 'A range of the active chain',
    description: 'Blocks from height `from` (default 0), at most `limit` of them.',
    querystring: Type.Object({
      from: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffffffff })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    }),
    response: {
      200: Type.Object({ length: Type.Integer({ minimum: 1 }), blocks: Type.Array(BlockJson) }),
    },
  },
  'POST /block': {
    summary: 'Submit a block',
    description:
      'The body is a block as JSON (see GET /block/:n). 202 with what the node did; an ' +
      'invalid block is 400 INVALID_BLOCK with the rule it breaks. Rate limited per address.',
    body: Type.Unknown({ description: 'a block as JSON (checked by the consensus rules)' }),
    response: { 202: Type.Object({ hash: Hash, status: BlockSubmitStatus }) },
  },
  'GET /status': {
    summary: 'The node at a glance',
    response: { 200: NodeStatus },
  },
  'GET /tree': {
    summary: 'The block tree this node knows',
    description:
      'Every block from `fromHeight` (default: 100 below the tip), side branches and ' +
      'invalid blocks included, for fork views and experiments.',
    querystring: Type.Object({
      fromHeight: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffffffff })),
    }),
    response: {
      200: Type.Object({
        tip: Hash,
        height: Height,
        fromHeight: Height,
        blocks: Type.Array(TreeNode),
      }),
    },
  },
});

/**
 * The WebSocket endpoint. OpenAPI has no notion of WebSockets, so /openapi.json leaves it
 * out; docs/api.md lists it.
 */
export const nodeWebSocketRoutes = routes({
  'GET /ws': {
    summary: 'Peer-to-peer gossip (WebSocket)',
    description:
      'Upgrade to a WebSocket speaking the gossip protocol (docs/protocol.md). A peer that ' +
      'sends invalid data is closed (1008) and refused for 5 minutes by remote address.',
    response: { 101: nonJson('switching protocols: a gossip WebSocket', 'application/json') },
  },
});

/** Level 1 (data chains). */
export const nodeDataRoutes = routes({
  'POST /data': {
    summary: 'Queue a data item for the next block',
    description: 'Level 1 only. Rate limited per address.',
    body: Type.Object(
      { data: Type.String({ description: "UTF-8 text, at most the spec's item size" }) },
      { additionalProperties: false },
    ),
    response: {
      202: Type.Object({ queued: Type.Literal(true), pending: Type.Integer({ minimum: 0 }) }),
    },
  },
});

/** Levels 2 and 3 (ledger, contracts). */
export const nodeAccountRoutes = routes({
  'GET /account/:address': {
    summary: 'An account at the tip',
    description: "Levels 2-3. On level 3 also the code hash and size (0 for a key's account).",
    params: Type.Object({ address: AddressParam }),
    response: {
      200: Type.Object({
        address: Address,
        balance: Amount,
        nonce: Type.Integer({ minimum: 0 }),
        codeHash: Type.Optional(Hash),
        codeSize: Type.Optional(Type.Integer({ minimum: 0 })),
      }),
    },
  },
});

/** A uint as a decimal string (or a safe integer). */
const Uint = Type.Union([
  Type.String({ pattern: '^(0|[1-9][0-9]{0,77})$' }),
  Type.Integer({ minimum: 0 }),
]);

export const CallBody = Type.Object(
  {
    to: Type.Union([Type.String({ pattern: HEX_ADDRESS }), Type.Null()], {
      description: 'the callee; null simulates a deploy of `data` (init code)',
    }),
    data: Type.String({ pattern: '^0x([0-9a-fA-F]{2})*$', maxLength: 2 + 2 * 1024 * 1024 }),
    from: Type.Optional(Type.String({ pattern: HEX_ADDRESS })),
    value: Type.Optional(Uint),
    gasLimit: Type.Optional(Uint),
  },
  { additionalProperties: false },
);

/** Level 3 (contracts). */
export const nodeContractRoutes = routes({
  'GET /receipt/:txid': {
    summary: 'Receipt of a tx in the active chain',
    description: 'Level 3. Pending txs have no receipt yet (404 TX_NOT_FOUND).',
    params: Type.Object({ txid: Hash }),
    response: { 200: ReceiptJson },
  },
  'GET /code/:address': {
    summary: 'Contract code at the tip',
    params: Type.Object({ address: AddressParam }),
    response: { 200: Type.Object({ address: Address, code: HexData }) },
  },
  'GET /storage/:address/:slot': {
    summary: 'A contract storage slot at the tip',
    description: '`slot` is 0x + up to 64 hex digits, or a decimal number.',
    params: Type.Object({
      address: AddressParam,
      slot: Type.String({ maxLength: 100 }),
    }),
    response: {
      200: Type.Object({
        address: Address,
        slot: Hash,
        value: Type.String({ description: '0x + 64 hex' }),
      }),
    },
  },
  'POST /call': {
    summary: 'A read-only call at the tip (like eth_call)',
    description:
      'Nothing changes and no fee is paid. A revert is an answer (status 0 with the revert ' +
      'data and reason), not an HTTP error. `gasEstimate` is the smallest gasLimit a tx ' +
      'doing the same needs (null when none succeeds).',
    body: CallBody,
    response: {
      200: Type.Object({
        status: Type.Union([Type.Literal(0), Type.Literal(1)]),
        result: HexData,
        gasUsed: Amount,
        gasEstimate: Nullable(Amount),
        logs: Type.Array(ReceiptLog),
        contractAddress: Type.Optional(Nullable(Address)),
        error: Type.Optional(Type.String()),
        revertReason: Type.Optional(Type.String()),
      }),
    },
  },
});

/**
 * Level 3: Ethereum JSON-RPC 2.0 (docs/ethereum-tools.md). Its bodies and answers are
 * JSON-RPC's own (errors inside a 200 answer, as Ethereum clients expect), so it is outside
 * the REST error shape; `GET /rpc` upgrades to a WebSocket with the same methods plus
 * eth_subscribe (WebSockets are not listed in OpenAPI).
 */
export const nodeEthRpcRoutes = routes({
  'POST /rpc': {
    summary: 'Ethereum JSON-RPC 2.0 (single request or batch)',
    description:
      'Methods, params, results and error codes as geth and Anvil answer them: eth_chainId, ' +
      'eth_blockNumber, eth_getBlockByNumber, eth_call, eth_sendRawTransaction, eth_getLogs, ' +
      '… A block `hash` is the chainlab block hash /tip shows. A request or batch of notifications only is answered 204 with no body.',
    response: {
      200: Type.Unknown({ description: 'a JSON-RPC response object, or an array of them' }),
    },
  },
});

/** Devnet controls: only on chains whose spec is a devnet (elsewhere 404 NOT_FOUND). */
export const nodeDevRoutes = routes({
  'POST /dev/mine': {
    summary: 'Mine blocks now',
    description: 'Devnet only. Needs a miner with a coinbase (409 NO_MINER / NO_COINBASE).',
    body: Type.Object(
      { blocks: Type.Integer({ minimum: 1, maximum: 1000 }) },
      { additionalProperties: false },
    ),
    response: { 200: Type.Object({ hashes: Type.Array(Hash), height: Height }) },
  },
  'POST /dev/mining': {
    summary: 'Start or stop continuous mining',
    body: Type.Object({ on: Type.Boolean() }, { additionalProperties: false }),
    response: { 200: Type.Object({ mining: Type.Boolean() }) },
  },
  'POST /dev/time': {
    summary: "Shift the node's clock",
    body: Type.Object(
      { offsetSeconds: Type.Integer({ minimum: -1e9, maximum: 1e9 }) },
      { additionalProperties: false },
    ),
    response: {
      200: Type.Object({ offsetSeconds: Type.Integer(), now: Type.Integer() }),
    },
  },
  'POST /dev/invalidate': {
    summary: 'Mark a block invalid (and its descendants)',
    description:
      'The node leaves that branch for good, until POST /dev/reconsider with the same hash.',
    body: HashBody,
    response: { 200: Type.Object({ tip: Tip }) },
  },
  'POST /dev/reconsider': {
    summary: 'Undo an invalidate',
    body: HashBody,
    response: { 200: Type.Object({ tip: Tip }) },
  },
});

export type TipJson = Static<typeof Tip>;
/** `GET /status` of a node; open, so a node may add fields. */
export type NodeStatusJson = Static<typeof NodeStatus> & Record<string, unknown>;
