// The explorer's HTTP API under /api: the network, the merged block tree, blocks, txs,
// addresses, the mempool and search, aggregated from the nodes and the mempool; devnet
// controls proxied to the nodes; live events. The web client (apps/explorer/web) takes
// its types from these schemas (`Static<typeof X>`), so both sides share one definition.
import { Type, type Static } from '@sinclair/typebox';
import {
  AddressParam,
  BlockJson,
  Hash,
  Header,
  HEX_HASH,
  nonJson,
  Nullable,
  ReceiptJson,
  routes,
} from './common.js';
import { nodeContractRoutes } from './node.js';

const NullableString = Nullable(Type.String());
const NullableInt = Nullable(Type.Integer());
const NullableNumber = Nullable(Type.Number());
const Failure = Type.Object({ code: Type.String(), message: Type.String() });

export const Info = Type.Object({
  name: Type.String(),
  chainId: NullableInt,
  spec: NullableString,
  level: NullableInt,
  coin: Type.Object({ symbol: Type.String(), decimals: Type.Integer() }),
  targetBlockTimeSeconds: NullableNumber,
  powLimitBits: NullableInt,
  devnet: Type.Boolean(),
  genesis: NullableString,
  tracker: NullableString,
  mempool: NullableString,
  features: Type.Object({
    mempool: Type.Boolean(),
    receipt: Type.Boolean(),
    code: Type.Boolean(),
    storage: Type.Boolean(),
  }),
  treeDepth: Type.Integer(),
});
export type Info = Static<typeof Info>;

/** A node running an attack (--strategy, devnet experiments): what it withholds now. */
export const StrategyRow = Type.Object({
  name: Type.String({ examples: ['selfish', 'double-spend'] }),
  privateBlocks: Type.Integer({ description: 'blocks mined and withheld (not published yet)' }),
  privateHeights: Nullable(
    Type.Array(Type.Integer(), {
      minItems: 2,
      maxItems: 2,
      description: 'lowest and highest height of the withheld blocks',
    }),
  ),
});
export type StrategyRow = Static<typeof StrategyRow>;

/** Blocks an attacker withheld, then published at once (from its /status `releases`). */
export const Release = Type.Object({
  node: Type.String(),
  action: Type.String({ examples: ['override', 'match', 'won race', 'double spend'] }),
  at: Type.Number({ description: 'when the node published them, ms' }),
  blocks: Type.Integer({ description: 'how many blocks it published at once' }),
});
export type Release = Static<typeof Release>;

export const NodeRow = Type.Object({
  id: Type.String(),
  url: Type.String(),
  up: Type.Boolean(),
  error: NullableString,
  listed: Type.Boolean(),
  live: Type.Boolean(),
  devControls: Nullable(Type.Boolean()),
  height: NullableInt,
  tip: NullableString,
  tipTime: NullableInt,
  tipSeenAt: NullableNumber,
  chainwork: NullableString,
  hashrate: NullableNumber,
  threads: NullableInt,
  mining: Nullable(Type.Boolean()),
  pending: NullableInt,
  blocksFound: NullableInt,
  timeOffsetSeconds: NullableInt,
  peers: Type.Array(Type.Object({ url: Type.String(), node: NullableString })),
  onBestTip: Type.Boolean(),
  strategy: Nullable(StrategyRow),
  /** Where the node's tip stands against the best tip (by ancestry, see network.ts). */
  tipPosition: Type.Union([
    Type.Object({ position: Type.Union([Type.Literal('best'), Type.Literal('unknown')]) }),
    Type.Object({ position: Type.Literal('behind'), blocks: Type.Integer() }),
    Type.Object({
      position: Type.Literal('branch'),
      forkHeight: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ]),
});
export type NodeRow = Static<typeof NodeRow>;

export const NetworkJson = Type.Object({
  now: Type.Number({ description: 'server time, ms' }),
  best: Nullable(
    Type.Object({
      node: Type.String(),
      tip: Type.String(),
      height: Type.Integer(),
      chainwork: NullableString,
    }),
  ),
  nodes: Type.Array(NodeRow),
  mempool: Type.Object({
    url: NullableString,
    up: Type.Boolean(),
    error: NullableString,
    height: NullableInt,
    tip: NullableString,
    pending: NullableInt,
    held: NullableInt,
  }),
});
export type NetworkJson = Static<typeof NetworkJson>;

export const BlockView = Type.Object({
  status: Type.String(),
  active: Type.Boolean(),
  failure: Type.Optional(Failure),
});
export type BlockView = Static<typeof BlockView>;

export const TreeBlock = Type.Object({
  hash: Type.String(),
  height: Type.Integer(),
  prevHash: Type.String(),
  time: Type.Integer(),
  bits: Type.Integer(),
  chainwork: Type.String(),
  firstSeen: Type.Number(),
  views: Type.Record(Type.String(), BlockView),
  activeOn: Type.Array(Type.String()),
  invalidOn: Type.Array(Type.String()),
  onBest: Type.Boolean(),
  releasedBy: Nullable(Release),
});
export type TreeBlock = Static<typeof TreeBlock>;

const TipRef = Type.Object({
  hash: Type.String(),
  height: Type.Integer(),
  chainwork: NullableString,
});

export const ReorgEvent = Type.Object({
  id: Type.Integer(),
  at: Type.Number(),
  node: Type.String(),
  nodeUrl: Type.String(),
  oldTip: TipRef,
  newTip: TipRef,
  forkPoint: Nullable(Type.Object({ hash: Type.String(), height: Type.Integer() })),
  disconnected: Type.Array(Type.String(), { description: 'taken off the active chain, tip first' }),
  connected: Type.Array(Type.String(), { description: 'put on it, lowest first' }),
  reason: Type.Union([
    Type.Literal('more-work'),
    Type.Literal('invalidated'),
    Type.Literal('equal-work'),
    Type.Literal('other'),
  ]),
  cause: Type.Union([Release, Type.Null()], {
    description: 'the release of withheld blocks that brought the new chain, when one did',
  }),
});
export type ReorgEvent = Static<typeof ReorgEvent>;

export const TreeJson = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  top: Type.Integer(),
  best: Nullable(Type.Object({ node: Type.String(), tip: Type.String() })),
  tips: Type.Array(
    Type.Object({
      node: Type.String(),
      url: Type.String(),
      up: Type.Boolean(),
      tip: NullableString,
      height: NullableInt,
      chainwork: NullableString,
      strategy: Nullable(StrategyRow),
    }),
  ),
  blocks: Type.Array(TreeBlock),
  reorgs: Type.Array(ReorgEvent),
});
export type TreeJson = Static<typeof TreeJson>;

export const BlockSummary = Type.Object({
  hash: Type.String(),
  height: Type.Integer(),
  time: Type.Integer(),
  bits: Type.Integer(),
  sinceParent: NullableInt,
  size: NullableInt,
  items: Type.Integer(),
  fees: NullableString,
  miner: NullableString,
  hashLeadingZeroBits: NullableInt,
});
export type BlockSummary = Static<typeof BlockSummary>;

export const PowInfo = Type.Object({
  bits: Type.String(),
  target: Type.String(),
  meetsTarget: Type.Boolean({ description: 'the hash read as a number is ≤ the target' }),
  hashLeadingZeroBits: Type.Integer(),
  targetLeadingZeroBits: Type.Integer(),
  expectedHashes: Type.String({ description: '2^256 / (target + 1), decimal' }),
  log2ExpectedHashes: Type.Number(),
  difficulty: NullableNumber,
  hashToTargetRatio: Type.Number(),
});
export type PowInfo = Static<typeof PowInfo>;

const TxKind = Type.Union([
  Type.Literal('coinbase'),
  Type.Literal('transfer'),
  Type.Literal('contract'),
]);

export const TxView = Type.Object({
  index: Type.Optional(Type.Integer()),
  position: Type.Optional(Type.Integer()),
  txid: Type.String(),
  kind: TxKind,
  from: NullableString,
  to: NullableString,
  amount: Type.String(),
  fee: Type.String(),
  nonce: Type.Integer(),
  chainId: Type.Integer(),
  sig: NullableString,
  data: Type.Optional(Type.String()),
  gasLimit: Type.Optional(Type.String()),
  gasPrice: Type.Optional(Type.String()),
});
export type TxView = Static<typeof TxView>;

const DataItem = Type.Object({
  index: Type.Integer(),
  id: Type.String(),
  text: Type.String(),
  bytes: Type.Integer(),
});

export const BlockDetail = Type.Object({
  hash: Type.String(),
  height: Type.Integer(),
  header: Header,
  size: NullableInt,
  pow: Nullable(PowInfo),
  items: Nullable(Type.Array(DataItem)),
  txs: Nullable(Type.Array(TxView)),
  fees: NullableString,
  coinbase: Nullable(Type.Object({ to: Type.String(), amount: Type.String() })),
  decodeError: Type.Optional(Type.String()),
  chainwork: NullableString,
  onBestChain: Type.Boolean(),
  confirmations: Type.Integer(),
  bestHeight: Type.Integer(),
  nextHash: NullableString,
  children: Type.Array(
    Type.Object({ hash: Type.String(), height: Type.Integer(), onBest: Type.Boolean() }),
  ),
  parentTime: NullableInt,
  sinceParent: NullableInt,
  views: Type.Array(Type.Intersect([Type.Object({ node: Type.String() }), BlockView])),
});
export type BlockDetail = Static<typeof BlockDetail>;

export const TxDetail = Type.Object({
  txid: Type.String(),
  kind: Type.Union([Type.Literal('data'), TxKind]),
  status: Type.String({ description: 'pending, confirmed or stale' }),
  tx: Nullable(TxView),
  data: Type.Optional(Type.String()),
  bytes: Type.Optional(Type.Integer()),
  blockHash: NullableString,
  blockHeight: NullableInt,
  blockTime: NullableInt,
  confirmations: Type.Integer(),
  inBlocks: Type.Array(
    Type.Object({
      hash: Type.String(),
      height: Type.Integer(),
      onBestChain: Type.Boolean(),
      confirmations: Type.Integer(),
    }),
  ),
  mempool: Nullable(Type.Object({ status: Type.String(), position: NullableInt })),
});
export type TxDetail = Static<typeof TxDetail>;

const Direction = Type.Union([Type.Literal('in'), Type.Literal('out'), Type.Literal('self')]);

export const HistoryEntry = Type.Intersect([
  TxView,
  Type.Object({
    direction: Direction,
    blockHash: Type.String(),
    height: Type.Integer(),
    time: Type.Integer(),
    onBestChain: Type.Boolean(),
    confirmations: Type.Integer(),
  }),
]);
export type HistoryEntry = Static<typeof HistoryEntry>;

export const AddressDetail = Type.Object({
  address: Type.String(),
  level: Type.Integer(),
  balances: Type.Object({ '0': NullableString, '1': NullableString, '6': NullableString }),
  balanceSource: Nullable(Type.Union([Type.Literal('mempool'), Type.Literal('node')])),
  nonce: NullableInt,
  pendingNonce: NullableInt,
  history: Type.Array(HistoryEntry),
  pending: Type.Array(
    Type.Intersect([TxView, Type.Object({ direction: Direction, position: Type.Integer() })]),
  ),
});
export type AddressDetail = Static<typeof AddressDetail>;

export const MempoolJson = Type.Object({
  url: NullableString,
  up: Type.Boolean(),
  error: NullableString,
  status: Nullable(Type.Record(Type.String(), Type.Unknown())),
  txs: Type.Array(Type.Intersect([TxView, Type.Object({ position: Type.Integer() })])),
});
export type MempoolJson = Static<typeof MempoolJson>;

export const SearchResult = Type.Object({
  kind: Type.Union([Type.Literal('block'), Type.Literal('tx'), Type.Literal('address')]),
  id: Type.String(),
  height: Type.Optional(Type.Integer()),
});
export type SearchResult = Static<typeof SearchResult>;

/** A devnet action's answer: one result per node it went to. */
export const DevResult = Type.Object({
  results: Type.Array(
    Type.Object({
      node: Type.String(),
      ok: Type.Boolean(),
      status: Type.Integer(),
      code: Type.Optional(Type.String()),
      message: Type.Optional(Type.String()),
      answer: Type.Optional(Type.Unknown({ description: "the node's answer" })),
    }),
  ),
});
export type DevResult = Static<typeof DevResult>;

export const ForkResult = Type.Object({
  node: Type.String({ description: 'the node made to disagree' }),
  height: Type.Integer(),
  replaced: Type.String({ description: 'the tip it invalidated' }),
  competing: NullableString,
  pausedMining: Type.Array(Type.String()),
});
export type ForkResult = Static<typeof ForkResult>;

const NodeTarget = Type.String({
  minLength: 1,
  maxLength: 600,
  description: 'a node id (node-1), its URL, or "all"',
});
const TxidParams = Type.Object({ txid: Hash });

export const explorerRoutes = routes({
  'GET /api/events': {
    summary: 'Live events (server-sent events)',
    description: 'tip, reorg and network events as they happen (`text/event-stream`).',
    response: { 200: nonJson('an event stream', 'text/event-stream') },
  },
  'GET /api/info': {
    summary: 'The chain and what this explorer can show',
    response: { 200: Info },
  },
  'GET /api/network': {
    summary: 'Every node and the mempool, as last polled',
    response: { 200: NetworkJson },
  },
  'GET /api/tree': {
    summary: 'The merged block tree of all nodes',
    description: '`window` heights ending at the top (or starting at `from`), with reorgs.',
    querystring: Type.Object({
      window: Type.Integer({ minimum: 2, maximum: 1000, default: 40 }),
      from: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffffffff })),
    }),
    response: { 200: TreeJson },
  },
  'GET /api/blocks': {
    summary: 'Latest blocks of the best chain',
    querystring: Type.Object({
      before: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffffffff })),
      limit: Type.Integer({ minimum: 1, maximum: 100, default: 25 }),
    }),
    response: {
      200: Type.Object({
        height: Type.Integer(),
        tip: NullableString,
        blocks: Type.Array(BlockSummary),
      }),
    },
  },
  'GET /api/block/:id': {
    summary: 'A block explained',
    description: '`id` is a height on the best chain (decimal digits) or a block hash.',
    params: Type.Object({ id: Type.String({ maxLength: 80 }) }),
    response: { 200: BlockDetail },
  },
  'GET /api/block/:hash/raw': {
    summary: 'A block as the nodes serve it',
    params: Type.Object({ hash: Type.String({ pattern: HEX_HASH }) }),
    response: { 200: BlockJson },
  },
  'GET /api/tx/:txid': {
    summary: 'A tx or data item and where it is',
    params: TxidParams,
    response: { 200: TxDetail },
  },
  'GET /api/address/:address': {
    summary: 'An address: balances, nonce, history, pending txs',
    params: Type.Object({ address: AddressParam }),
    response: { 200: AddressDetail },
  },
  'GET /api/mempool': {
    summary: 'The pending txs in mining order',
    response: { 200: MempoolJson },
  },
  'GET /api/search': {
    summary: 'What a search box string names',
    description: 'A height, a block hash, a txid or an address; 404 NOT_FOUND otherwise.',
    querystring: Type.Object({ q: Type.String({ maxLength: 200 }) }),
    response: { 200: SearchResult },
  },
  'POST /api/dev/mine': {
    summary: 'Mine blocks on a node (devnet)',
    body: Type.Object(
      { node: NodeTarget, blocks: Type.Integer({ minimum: 1, maximum: 100 }) },
      { additionalProperties: false },
    ),
    response: { 200: DevResult },
  },
  'POST /api/dev/mining': {
    summary: 'Start or stop mining on a node (devnet)',
    body: Type.Object({ node: NodeTarget, on: Type.Boolean() }, { additionalProperties: false }),
    response: { 200: DevResult },
  },
  'POST /api/dev/time': {
    summary: "Shift a node's clock (devnet)",
    body: Type.Object(
      { node: NodeTarget, offsetSeconds: Type.Integer({ minimum: -1e9, maximum: 1e9 }) },
      { additionalProperties: false },
    ),
    response: { 200: DevResult },
  },
  'POST /api/dev/fork': {
    summary: 'Make a fork on demand (devnet)',
    description:
      'Pauses mining, makes one node invalidate its tip and mine a competing block at the ' +
      'same height; the fork resolves by most work as soon as a node extends a branch.',
    body: Type.Object({}, { additionalProperties: false }),
    response: { 200: ForkResult },
  },
  'POST /api/dev/invalidate': {
    summary: 'Invalidate a block on a node (devnet)',
    body: Type.Object({ node: NodeTarget, hash: Hash }, { additionalProperties: false }),
    response: { 200: DevResult },
  },
  'POST /api/dev/reconsider': {
    summary: 'Reconsider a block on a node (devnet)',
    body: Type.Object({ node: NodeTarget, hash: Hash }, { additionalProperties: false }),
    response: { 200: DevResult },
  },
  'GET /api/receipt/:txid': {
    summary: 'A receipt, from a node that serves them (level 3)',
    params: TxidParams,
    response: { 200: ReceiptJson },
  },
  'GET /api/code/:address': {
    summary: 'Contract code, from a node (level 3)',
    params: Type.Object({ address: AddressParam }),
    response: nodeContractRoutes['GET /code/:address'].response,
  },
  'GET /api/storage/:address/:slot': {
    summary: 'A storage slot, from a node (level 3)',
    params: Type.Object({
      address: AddressParam,
      slot: Type.String({ pattern: '^0x[0-9a-fA-F]{1,64}$' }),
    }),
    response: nodeContractRoutes['GET /storage/:address/:slot'].response,
  },
});
