// Shapes shared by every chainlab HTTP API: hashes, addresses, amounts, the error body,
// block and tx JSON. The wire format itself is described in docs/protocol.md.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

export const HEX_HASH = '^0x[0-9a-fA-F]{64}$';
export const HEX_ADDRESS = '^0x[0-9a-fA-F]{40}$';

export const Hash = Type.String({
  pattern: HEX_HASH,
  description: '0x + 64 hex digits',
  examples: ['0x' + '00'.repeat(31) + '2a'],
});
/** An EIP-55 address; routes check the checksum themselves (400 INVALID_ADDRESS). */
export const Address = Type.String({
  description: '0x + 40 hex digits, EIP-55 checksummed',
  examples: ['0x8ba1f109551bD432803012645Ac136ddd64DBA72'],
});
export const AddressParam = Type.String({
  maxLength: 100,
  description: 'an address: 0x + 40 hex digits, EIP-55 checksummed',
});
/** An amount in base units as a decimal string (amounts are bigints inside). */
export const Amount = Type.String({
  pattern: '^(0|[1-9][0-9]*)$',
  description: 'an amount in base units, as a decimal string',
});
export const HexData = Type.String({
  pattern: '^0x([0-9a-fA-F]{2})*$',
  description: '0x + hex bytes',
});
/** Chainwork (total expected hashes) as 0x-prefixed hex. */
export const Chainwork = Type.String({ pattern: '^0x[0-9a-f]+$', description: 'total work, hex' });
export const Uint32 = Type.Integer({ minimum: 0, maximum: 0xffffffff });
export const Height = Type.Integer({
  minimum: 0,
  maximum: 0xffffffff,
  description: 'block height',
});
export const UnixSeconds = Type.Integer({ minimum: 0, description: 'unix time, seconds' });
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$', description: 'SNAKE_CASE error code' }),
      message: Type.String({ description: 'what went wrong, for a human' }),
    }),
  },
  { description: 'the error shape of every chainlab API' },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const Header = Type.Object(
  {
    version: Uint32,
    prevHash: Hash,
    merkleRoot: Hash,
    time: Uint32,
    bits: Type.Integer({ minimum: 0, maximum: 0xffffffff, description: 'compact target' }),
    nonce: Uint32,
  },
  { additionalProperties: false },
);
export type Header = Static<typeof Header>;

/** A level-2 transfer or a coinbase (`from` and `sig` null). */
export const TransferTxJson = Type.Object(
  {
    from: Nullable(Address),
    to: Address,
    amount: Amount,
    fee: Amount,
    nonce: Type.Integer({ minimum: 0 }),
    chainId: Type.Integer({ minimum: 0 }),
    sig: Nullable(Type.String()),
    data: Type.Optional(Type.String({ description: "a coinbase's extra data" })),
  },
  { additionalProperties: false },
);
/** A level-3 contract call or deploy (`to` null). */
export const ContractTxJson = Type.Object(
  {
    from: Address,
    to: Nullable(Address),
    amount: Amount,
    fee: Amount,
    nonce: Type.Integer({ minimum: 0 }),
    chainId: Type.Integer({ minimum: 0 }),
    sig: Type.String(),
    data: HexData,
    gasLimit: Amount,
    gasPrice: Amount,
  },
  { additionalProperties: false },
);
export const TxJson = Type.Union([TransferTxJson, ContractTxJson], {
  description: 'a tx as JSON (docs/protocol.md)',
});
export type TxJson = Static<typeof TxJson>;

export const BlockJson = Type.Object(
  {
    hash: Hash,
    height: Height,
    header: Header,
    data: Type.Optional(Type.Array(Type.String(), { description: 'level 1: the data items' })),
    txs: Type.Optional(Type.Array(TxJson, { description: 'levels 2-3: coinbase first' })),
  },
  { additionalProperties: false, description: 'a block as JSON (docs/protocol.md)' },
);
export type BlockJson = Static<typeof BlockJson>;

export const ReceiptLog = Type.Object({
  address: Address,
  topics: Type.Array(Hash),
  data: HexData,
});

/** A level-3 receipt with where the tx is in the active chain. */
export const ReceiptJson = Type.Object({
  txid: Hash,
  status: Type.Union([Type.Literal(0), Type.Literal(1)], { description: '1 success, 0 failure' }),
  gasUsed: Amount,
  cumulativeGasUsed: Amount,
  fee: Amount,
  logs: Type.Array(ReceiptLog),
  contractAddress: Nullable(Address),
  error: Type.Optional(Type.String()),
  revertReason: Type.Optional(Type.String()),
  output: Type.Optional(HexData),
  blockHash: Hash,
  blockHeight: Height,
  index: Type.Integer({ minimum: 0, description: 'position in the block' }),
});

/**
 * The schema of one route: what fastify validates (params, querystring, body) and what
 * OpenAPI and docs/api.md show (summary, description, responses).
 */
export interface RouteSchema {
  summary: string;
  description?: string;
  tags?: string[];
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  response: Record<string, TSchema | { description: string; content: Record<string, unknown> }>;
  hide?: boolean;
}

/** A table of routes keyed `METHOD /path` (fastify path syntax, `:param`). */
export type RouteTable = Record<string, RouteSchema>;

/** Keeps the exact types of a route table while checking its shape. */
export const routes = <T extends RouteTable>(table: T): T => table;

/** A documented answer that is not JSON (plain text, an event stream, a WebSocket). */
export const nonJson = (description: string, mediaType: string) => ({
  description,
  content: { [mediaType]: { schema: { type: 'string' } } },
});

/** A service's event-loop delay (perf_hooks) over its last complete window. */
export const EventLoopJson = Type.Object(
  {
    windowSeconds: Type.Number({ description: 'length of the window, seconds' }),
    p50Ms: Type.Number(),
    p99Ms: Type.Number(),
    maxMs: Type.Number(),
  },
  { description: 'event-loop delay (how late timers and requests run) in the last window, ms' },
);
